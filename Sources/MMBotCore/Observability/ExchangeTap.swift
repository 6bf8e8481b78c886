import MMBotSupport

/// What the observability layer learns from the exchange client itself: how long each
/// placement took on the wall clock, when the venue last accepted an order, and whether the
/// last call to the venue failed. Written by the loop's thread only (through
/// `TappedExchangeClient`), read by the snapshot publisher on the same thread.
package final class ExchangeTap {
    /// mm_order_latency_ms bucket upper bounds, in milliseconds.
    package static let latencyBucketsMs: [Int64] = [1, 5, 10, 25, 50, 100, 250, 500, 1000]
    /// `timeEvery` for a venue in this process (the simulated venue): one placement in 16.
    package static let inProcessTimeEvery = 16
    /// Slots per symbol: one per bucket plus +Inf.
    package static let slots = latencyBucketsMs.count + 1

    package let symbols: [Symbol]
    /// Every how many placements one is timed (a power of two; 1 = all).
    package let timeEvery: Int
    private let timeMask: UInt64
    private let monotonicNanos: () -> UInt64
    private var index = FastMap<Symbol, Int>()
    private let boundsNanos: [UInt64]
    private var placements: UInt64 = 0
    /// Non-cumulative counts per bucket, `slots` per symbol in symbol order; +Inf last.
    package private(set) var latencyCounts: [Int64]
    package private(set) var latencySumNanos: [UInt64]
    /// Run-clock time of the last placement the venue accepted.
    package private(set) var lastAcceptedAt: Millis?
    /// True when the most recent call to the venue threw (a transport or venue failure).
    package private(set) var lastCallFailed = false

    /// `timeEvery` (rounded up to a power of two) trades completeness for speed: reading the
    /// clock twice per placement costs about a tenth of the in-process loop's time, where a
    /// placement takes microseconds; over the network a placement takes milliseconds and every
    /// one should be timed.
    package init(symbols: [Symbol], monotonicNanos: @escaping () -> UInt64, timeEvery: Int = 1) {
        self.symbols = symbols
        self.monotonicNanos = monotonicNanos
        var every = 1
        while every < max(1, timeEvery) { every <<= 1 }
        self.timeEvery = every
        timeMask = UInt64(every - 1)
        for (i, symbol) in symbols.enumerated() { index[symbol] = i }
        boundsNanos = Self.latencyBucketsMs.map { UInt64($0) * 1_000_000 }
        latencyCounts = Array(repeating: 0, count: symbols.count * Self.slots)
        latencySumNanos = Array(repeating: 0, count: symbols.count)
    }

    /// Whether the next placement is timed (counts placements).
    @inline(__always)
    package func shouldTimeNext() -> Bool {
        placements &+= 1
        return placements & timeMask == 0
    }

    package func now() -> UInt64 { monotonicNanos() }

    /// The latency counts of symbol `i`, +Inf last.
    package func latencyCounts(symbol i: Int) -> [Int64] { Array(latencyCounts[(i * Self.slots)..<((i + 1) * Self.slots)]) }

    package func recordPlacement(accepted: Bool, at time: Millis) {
        lastCallFailed = false
        if accepted { lastAcceptedAt = time }
    }

    package func recordLatency(symbol: Symbol, nanos: UInt64) {
        guard let s = index[symbol] else { return }
        var bucket = boundsNanos.count
        for (i, bound) in boundsNanos.enumerated() where nanos <= bound {
            bucket = i
            break
        }
        latencyCounts[s * Self.slots + bucket] += 1
        latencySumNanos[s] += nanos
    }

    package func recordCall(failed: Bool) { lastCallFailed = failed }
}

/// Wraps the loop's exchange client and reports to an `ExchangeTap`; otherwise passes every
/// call through unchanged.
package final class TappedExchangeClient: ExchangeClient {
    private let inner: any ExchangeClient
    private let tap: ExchangeTap

    package init(_ inner: any ExchangeClient, tap: ExchangeTap) {
        self.inner = inner
        self.tap = tap
    }

    package var name: String { inner.name }

    package func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome {
        let timed = tap.shouldTimeNext()
        let begin = timed ? tap.now() : 0
        let outcome: PlaceOutcome
        do {
            outcome = try inner.place(request)
        } catch {
            tap.recordCall(failed: true)
            throw error
        }
        if timed { tap.recordLatency(symbol: request.symbol, nanos: tap.now() &- begin) }
        tap.recordPlacement(accepted: outcome == .accepted, at: request.time)
        return outcome
    }

    package func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome {
        do {
            let outcome = try inner.cancel(id, symbol: symbol, at: time)
            tap.recordCall(failed: false)
            return outcome
        } catch {
            tap.recordCall(failed: true)
            throw error
        }
    }

    package func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) {
        do {
            try inner.fills(upTo: time, into: &buffer)
            tap.recordCall(failed: false)
        } catch {
            tap.recordCall(failed: true)
            throw error
        }
    }

    package func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder] {
        do {
            let orders = try inner.openOrders(symbols: symbols)
            tap.recordCall(failed: false)
            return orders
        } catch {
            tap.recordCall(failed: true)
            throw error
        }
    }
}
