import MMBotSupport

/// The engine's state as the observability endpoints read it: plain values copied from the
/// loop's own counters, so a scrape never touches the loop.
package struct EngineSnapshot: Sendable {
    package struct SymbolSnapshot: Sendable {
        package var symbol: String
        package var counters: SymbolCounters
        package var position: Fixed
        package var mark: Fixed
        package var edgeBps: Fixed
        /// Non-cumulative counts per mm_order_latency_ms bucket, +Inf last.
        package var latencyCounts: [Int64]
        package var latencySumMs: Double

        /// position × mark, signed (long positive), as the report's net_pos_usd.
        package var notionalUSD: Fixed { position.multiplied(by: mark) }
    }

    package var symbols: [SymbolSnapshot]
    package var iterations: Int
    package var frozen: Bool
    package var freezeEvents: Int
    package var makerFills: Int
    package var takerFills: Int
    /// Run-clock time of the last accepted placement, or nil before the first.
    package var lastPlacedAt: Millis?
    /// Readiness inputs.
    package var exchangeHealthy: Bool
    package var stateHealthy: Bool
    /// True once the loop has shut down (the values are final).
    package var finished: Bool
    /// Mutations the durable state answered from its idempotency keys (0 without durable state).
    package var idempotencyHits: Int
    /// The Bybit client's counters (rate-limit budget, filter lookups); nil for the fake venue.
    package var venue: VenueTelemetry.Snapshot?

    /// Σ |position × mark|, as the report's positions.total_notional_usd.
    package var totalNotionalUSD: Fixed { symbols.reduce(.zero) { $0 + $1.notionalUSD.magnitude } }

    /// Maker fills ÷ all fills; 0 before the first fill.
    package var makerTakerRatio: Double {
        let all = makerFills + takerFills
        return all == 0 ? 0 : Double(makerFills) / Double(all)
    }

    /// Copies the loop's state (and the tap's latency figures, when there is a tap).
    package init(loop: ExecutionLoop, tap: ExchangeTap?, telemetry: VenueTelemetry? = nil, finished: Bool) {
        let states = loop.symbols
        var out: [SymbolSnapshot] = []
        out.reserveCapacity(states.count)
        let empty = Array(repeating: Int64(0), count: ExchangeTap.latencyBucketsMs.count + 1)
        for (i, state) in states.enumerated() {
            let counts = tap.map { $0.latencyCounts(symbol: i) } ?? empty
            let sum = tap.map { Double($0.latencySumNanos[i]) / 1e6 } ?? 0
            out.append(SymbolSnapshot(symbol: state.symbol.name, counters: state.counters, position: state.position, mark: state.mark,
                                      edgeBps: state.edgeBps, latencyCounts: counts, latencySumMs: sum))
        }
        symbols = out
        iterations = loop.iterationsCompleted
        frozen = loop.risk.isFrozen
        freezeEvents = loop.risk.freezeEvents
        makerFills = loop.counters.makerFills
        takerFills = loop.counters.takerFills
        lastPlacedAt = tap?.lastAcceptedAt
        exchangeHealthy = !(tap?.lastCallFailed ?? false)
        // Without durable state the in-memory store cannot become unreachable; a durable store
        // that failed (e.g. Redis down) halts the loop and records why.
        stateHealthy = loop.durableState?.haltReason == nil
        idempotencyHits = loop.durableState?.duplicates ?? 0
        venue = telemetry?.snapshot
        self.finished = finished
    }
}
