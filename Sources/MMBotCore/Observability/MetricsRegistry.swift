import MMBotSupport

/// The Prometheus metric types mmbot exports.
package enum MetricType: String, Sendable {
    case counter
    case gauge
    case histogram
}

/// A sample's value: exact integers and decimals print exactly; doubles print in their
/// shortest round-trip form (NaN, +Inf, -Inf as Prometheus spells them).
package enum MetricValue: Sendable, Equatable {
    case int(Int64)
    case fixed(Fixed)
    case double(Double)

    package static func int(_ value: Int) -> MetricValue { .int(Int64(value)) }
    package static func bool(_ value: Bool) -> MetricValue { .int(value ? 1 : 0) }
}

/// One metric family as registered: what it is, before any value.
package struct MetricDescriptor: Sendable {
    package let name: String
    package let type: MetricType
    package let help: String
    package let labelNames: [String]
    /// The unit, for docs/observability.md ("orders", "milliseconds", "USD", ...).
    package let unit: String
    /// Histogram bucket upper bounds (histograms only).
    package let buckets: [Double]

    package init(_ name: String, _ type: MetricType, labels: [String] = [], unit: String, buckets: [Double] = [], help: String) {
        self.name = name
        self.type = type
        self.help = help
        self.labelNames = labels
        self.unit = unit
        self.buckets = buckets
    }
}

/// A histogram's state: non-cumulative counts per bucket (+Inf last) and the sum.
package struct HistogramValue: Sendable, Equatable {
    package var counts: [Int64]
    package var sum: Double

    package init(counts: [Int64], sum: Double) {
        self.counts = counts
        self.sum = sum
    }

    package var count: Int64 { counts.reduce(0, +) }
}

/// A family and its samples, keyed by label values in `labelNames` order.
package struct MetricFamily: Sendable {
    package let descriptor: MetricDescriptor
    package fileprivate(set) var samples: [[String]: MetricValue] = [:]
    package fileprivate(set) var histograms: [[String]: HistogramValue] = [:]
}

/// Registration errors are programming errors (a duplicate name, a wrong label count), caught
/// by the catalogue's tests.
package struct MetricsRegistry: Sendable {
    package private(set) var families: [String: MetricFamily] = [:]

    package init() {}

    package mutating func register(_ descriptor: MetricDescriptor) {
        precondition(families[descriptor.name] == nil, "metric \(descriptor.name) registered twice")
        families[descriptor.name] = MetricFamily(descriptor: descriptor)
    }

    /// Sets an unlabelled counter or gauge.
    package mutating func set(_ name: String, _ value: MetricValue) { set(name, [], value) }

    /// Sets a counter or gauge sample.
    package mutating func set(_ name: String, _ labels: [String], _ value: MetricValue) {
        guard var family = families[name] else { preconditionFailure("metric \(name) is not registered") }
        precondition(family.descriptor.type != .histogram && labels.count == family.descriptor.labelNames.count,
                     "metric \(name) takes labels \(family.descriptor.labelNames)")
        family.samples[labels] = value
        families[name] = family
    }

    /// Sets a histogram sample.
    package mutating func set(_ name: String, _ labels: [String] = [], histogram: HistogramValue) {
        guard var family = families[name] else { preconditionFailure("metric \(name) is not registered") }
        precondition(family.descriptor.type == .histogram && labels.count == family.descriptor.labelNames.count
                     && histogram.counts.count == family.descriptor.buckets.count + 1,
                     "metric \(name) takes labels \(family.descriptor.labelNames) and \(family.descriptor.buckets.count + 1) buckets")
        family.histograms[labels] = histogram
        families[name] = family
    }
}
