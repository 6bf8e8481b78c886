import MMBotSupport

/// Writes a registry in the Prometheus text exposition format 0.0.4: for each family, sorted
/// by name, `# HELP` and `# TYPE`, then its samples sorted by label values; histograms as
/// cumulative `_bucket{le=...}` lines ending with `+Inf`, then `_sum` and `_count`. Label
/// values escape `\`, `"` and newline; HELP text escapes `\` and newline.
package enum PrometheusText {
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    package static func render(_ registry: MetricsRegistry) -> String {
        var out = ""
        out.reserveCapacity(8 * 1024)
        for name in registry.families.keys.sorted() {
            let family = registry.families[name]!
            let d = family.descriptor
            out += "# HELP \(name) \(escapeHelp(d.help))\n# TYPE \(name) \(d.type.rawValue)\n"
            switch d.type {
            case .counter, .gauge:
                for labels in family.samples.keys.sorted(by: lexicographic) {
                    out += name
                    appendLabels(d.labelNames, labels, to: &out)
                    out += " "
                    appendValue(family.samples[labels]!, to: &out)
                    out += "\n"
                }
            case .histogram:
                for labels in family.histograms.keys.sorted(by: lexicographic) {
                    let h = family.histograms[labels]!
                    var cumulative: Int64 = 0
                    for (i, count) in h.counts.enumerated() {
                        cumulative += count
                        let le = i < d.buckets.count ? format(d.buckets[i]) : "+Inf"
                        out += name + "_bucket"
                        appendLabels(d.labelNames + ["le"], labels + [le], to: &out)
                        out += " \(cumulative)\n"
                    }
                    out += name + "_sum"
                    appendLabels(d.labelNames, labels, to: &out)
                    out += " " + format(h.sum) + "\n"
                    out += name + "_count"
                    appendLabels(d.labelNames, labels, to: &out)
                    out += " \(h.count)\n"
                }
            }
        }
        return out
    }

    package static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    package static func escapeHelp(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Shortest text that parses back to `value`; whole numbers without a fraction.
    package static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func appendValue(_ value: MetricValue, to out: inout String) {
        switch value {
        case .int(let i): out += String(i)
        case .fixed(let f): f.write(to: &out)
        case .double(let d): out += format(d)
        }
    }

    private static func appendLabels(_ names: [String], _ values: [String], to out: inout String) {
        guard !names.isEmpty else { return }
        out += "{"
        for (i, name) in names.enumerated() {
            if i > 0 { out += "," }
            out += name + "=\"" + escapeLabelValue(values[i]) + "\""
        }
        out += "}"
    }

    private static func lexicographic(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x.utf8.lexicographicallyPrecedes(y.utf8) }
        return a.count < b.count
    }
}
