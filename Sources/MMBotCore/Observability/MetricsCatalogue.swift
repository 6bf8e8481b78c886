import MMBotSupport

/// What the process itself reports at scrape time (read by the CLI, which may call libc).
package struct ProcessStats: Sendable, Equatable {
    /// Unix time the process started, in seconds.
    package var startTimeSeconds: Double
    /// Resident set size now, in bytes.
    package var residentBytes: Int64

    package init(startTimeSeconds: Double, residentBytes: Int64) {
        self.startTimeSeconds = startTimeSeconds
        self.residentBytes = residentBytes
    }
}

/// Every metric mmbot exports, registered up front so that a scrape lists each family (at zero
/// when nothing has happened yet) and alert rules and dashboards never name a missing series.
/// docs/observability.md documents each one; a test holds the two together.
package enum MetricsCatalogue {
    package static let latencyBuckets: [Double] = ExchangeTap.latencyBucketsMs.map(Double.init)

    /// Label values that exist before their capability produces anything, so that selectors such
    /// as `{type="orders_remote_only"}` or `{source="default_fallback"}` always find a series.
    package static let reconDivergenceTypes = ["orders_local_only", "orders_remote_only", "position_mismatch", "unrecorded_fills"]
    package static let filterSources = FilterSource.allCases.map(\.rawValue)

    package static let descriptors: [MetricDescriptor] = [
        MetricDescriptor("mm_orders_placed_total", .counter, labels: ["symbol"], unit: "orders",
                         help: "Orders the venue accepted (report orders.placed)."),
        MetricDescriptor("mm_orders_filled_total", .counter, labels: ["symbol"], unit: "orders",
                         help: "Orders completely filled (report orders.filled)."),
        MetricDescriptor("mm_orders_rejected_total", .counter, labels: ["symbol", "reason"], unit: "orders",
                         help: "Orders the venue refused at placement, by reject reason (report orders.rejected_by_reason)."),
        MetricDescriptor("mm_orders_canceled_total", .counter, labels: ["symbol", "reason"], unit: "orders",
                         help: "Orders canceled, by reason: requote, freeze or shutdown (report orders.canceled_by_reason)."),
        MetricDescriptor("mm_orders_blocked_total", .counter, labels: ["symbol", "reason"], unit: "orders",
                         help: "Quotes not sent, by reason: max_inv and max_total (risk) or min_qty and min_notional (venue minimums)."),
        MetricDescriptor("mm_fills_total", .counter, labels: ["symbol"], unit: "fills",
                         help: "Fill events, partial fills included (report orders.fills)."),
        MetricDescriptor("mm_order_latency_ms", .histogram, labels: ["symbol"], unit: "milliseconds", buckets: latencyBuckets,
                         help: "Wall-clock time of an order placement call to the venue, request to answer, in milliseconds (in-process venue: one placement in 16 is timed)."),
        MetricDescriptor("mm_orders_placed_timestamp_seconds", .gauge, unit: "seconds since the Unix epoch",
                         help: "Run-clock time of the last order the venue accepted, in Unix seconds; 0 before the first."),
        MetricDescriptor("mm_edge_bps", .gauge, labels: ["symbol"], unit: "basis points",
                         help: "The symbol's current edge estimate in basis points; below the threshold the bot freezes."),
        MetricDescriptor("mm_frozen", .gauge, unit: "boolean (0 or 1)",
                         help: "1 while the bot is frozen (no new orders, open orders canceled), else 0."),
        MetricDescriptor("mm_freeze_events_total", .counter, unit: "events",
                         help: "Transitions from running to frozen (report risk.freeze_events)."),
        MetricDescriptor("mm_position_qty", .gauge, labels: ["symbol"], unit: "base-asset quantity",
                         help: "Signed position in the base asset, long positive (report positions.by_symbol)."),
        MetricDescriptor("mm_position_notional_usd", .gauge, labels: ["symbol"], unit: "USD",
                         help: "Signed position value at the mark price in USD (report positions.net_pos_usd)."),
        MetricDescriptor("mm_total_notional_usd", .gauge, unit: "USD",
                         help: "Sum over symbols of the absolute position value in USD (report positions.total_notional_usd)."),
        MetricDescriptor("mm_iterations_total", .counter, unit: "iterations",
                         help: "Loop iterations completed (report execution.iterations)."),
        MetricDescriptor("mm_live_enable", .gauge, unit: "boolean (0 or 1)",
                         help: "1 when the process was started with MM_LIVE_ENABLE=1 (live trading armed), else 0."),
        MetricDescriptor("mm_maker_taker_ratio", .gauge, unit: "ratio (0 to 1)",
                         help: "Maker fills divided by all fills; 0 before the first fill."),
        MetricDescriptor("mm_net_bps", .gauge, unit: "basis points",
                         help: "Net PnL after fees per traded notional, in basis points. Not produced yet (needs fee accounting): stays 0."),
        MetricDescriptor("mm_recon_divergence_total", .counter, labels: ["type"], unit: "divergences",
                         help: "Reconciliation divergences between local and venue state, by type. Not produced yet (needs reconciliation): stays 0."),
        MetricDescriptor("mm_symbol_filters_source_total", .counter, labels: ["source"], unit: "lookups",
                         help: "Symbol filter lookups by where the answer came from (--exchange bybit; 0 with the fake venue, which has fixed rules)."),
        MetricDescriptor("mm_symbol_filters_fetch_errors_total", .counter, unit: "errors",
                         help: "Failed symbol filter fetches (--exchange bybit)."),
        MetricDescriptor("mm_idempotency_hits_total", .counter, unit: "operations",
                         help: "Mutations answered from the idempotency store instead of being repeated (--durable-state; report state.duplicate_operations)."),
        MetricDescriptor("mm_rate_limit_remaining", .gauge, unit: "requests",
                         help: "Requests left in the venue's current rate-limit window, from X-Bapi-Limit-Status (--exchange bybit; -1 before the first answer that carried it, and with the fake venue, which has no limit)."),
        MetricDescriptor("process_start_time_seconds", .gauge, unit: "seconds since the Unix epoch",
                         help: "Start time of the process since unix epoch in seconds."),
        MetricDescriptor("process_resident_memory_bytes", .gauge, unit: "bytes",
                         help: "Resident memory size in bytes."),
    ]

    /// Families registered ahead of the capability that will feed them, and that capability.
    package static let notProducedYet: [String: String] = [
        "mm_net_bps": "fee accounting",
        "mm_recon_divergence_total": "reconciliation",
    ]

    /// An empty registry with every family.
    package static func emptyRegistry() -> MetricsRegistry {
        var registry = MetricsRegistry()
        for descriptor in descriptors { registry.register(descriptor) }
        return registry
    }

    /// Every family filled from `snapshot`: each symbol × reason combination appears, at zero
    /// when nothing happened.
    package static func registry(snapshot: EngineSnapshot, liveEnable: Bool, process: ProcessStats) -> MetricsRegistry {
        var r = emptyRegistry()
        for s in snapshot.symbols {
            let c = s.counters
            r.set("mm_orders_placed_total", [s.symbol], .int(c.placed))
            r.set("mm_orders_filled_total", [s.symbol], .int(c.filled))
            r.set("mm_fills_total", [s.symbol], .int(c.fills))
            for reason in RejectReason.allCases { r.set("mm_orders_rejected_total", [s.symbol, reason.rawValue], .int(c.rejectedByReason[reason])) }
            for reason in CancelReason.allCases { r.set("mm_orders_canceled_total", [s.symbol, reason.rawValue], .int(c.canceledByReason[reason])) }
            for reason in BlockReason.allCases { r.set("mm_orders_blocked_total", [s.symbol, reason.rawValue], .int(c.blockedByReason[reason])) }
            r.set("mm_order_latency_ms", [s.symbol], histogram: HistogramValue(counts: s.latencyCounts, sum: s.latencySumMs))
            r.set("mm_edge_bps", [s.symbol], .fixed(s.edgeBps))
            r.set("mm_position_qty", [s.symbol], .fixed(s.position))
            r.set("mm_position_notional_usd", [s.symbol], .fixed(s.notionalUSD))
        }
        let placedAt = snapshot.lastPlacedAt.map { Fixed(raw: $0 * (Fixed.scale / 1000)) } ?? .zero
        r.set("mm_orders_placed_timestamp_seconds", .fixed(placedAt))
        r.set("mm_frozen", .bool(snapshot.frozen))
        r.set("mm_freeze_events_total", .int(snapshot.freezeEvents))
        r.set("mm_total_notional_usd", .fixed(snapshot.totalNotionalUSD))
        r.set("mm_iterations_total", .int(snapshot.iterations))
        r.set("mm_live_enable", .bool(liveEnable))
        r.set("mm_maker_taker_ratio", .double(snapshot.makerTakerRatio))
        r.set("mm_net_bps", .int(0))
        for type in reconDivergenceTypes { r.set("mm_recon_divergence_total", [type], .int(0)) }
        let venue = snapshot.venue
        for source in FilterSource.allCases {
            r.set("mm_symbol_filters_source_total", [source.rawValue], .int(venue?.count(source) ?? 0))
        }
        r.set("mm_symbol_filters_fetch_errors_total", .int(venue?.filterFetchErrors ?? 0))
        r.set("mm_idempotency_hits_total", .int(snapshot.idempotencyHits))
        r.set("mm_rate_limit_remaining", .int(Int(venue?.rateLimitRemaining ?? -1)))
        r.set("process_start_time_seconds", .double(process.startTimeSeconds))
        r.set("process_resident_memory_bytes", .int(process.residentBytes))
        return r
    }
}
