import MMBotSupport

/// What the observability layer learns from the exchange client itself: how long each
/// placement took on the wall clock, when the venue last accepted an order, and whether the
/// last call to the venue failed. Written by the loop's thread only (through
/// `TappedExchangeClient`), read by the snapshot publisher on the same thread.
package final class ExchangeTap {
    /// mm_order_latency_ms bucket upper bounds, in milliseconds.
    package static let latencyBucketsMs: [Int64] = [1, 5, 10, 25, 50, 100, 250, 500, 1000]

    package let symbols: [Symbol]
    private let monotonicNanos: () -> UInt64
    private var index = FastMap<Symbol, Int>()
    private let boundsNanos: [UInt64]
    /// Per symbol, non-cumulative counts per bucket; the last slot is +Inf.
    package private(set) var latencyCounts: [[Int64]]
    package private(set) var latencySumNanos: [UInt64]
    /// Run-clock time of the last placement the venue accepted.
    package private(set) var lastAcceptedAt: Millis?
    /// True when the most recent call to the venue threw (a transport or venue failure).
    package private(set) var lastCallFailed = false

    package init(symbols: [Symbol], monotonicNanos: @escaping () -> UInt64) {
        self.symbols = symbols
        self.monotonicNanos = monotonicNanos
        for (i, symbol) in symbols.enumerated() { index[symbol] = i }
        boundsNanos = Self.latencyBucketsMs.map { UInt64($0) * 1_000_000 }
        latencyCounts = Array(repeating: Array(repeating: 0, count: Self.latencyBucketsMs.count + 1), count: symbols.count)
        latencySumNanos = Array(repeating: 0, count: symbols.count)
    }

    package func now() -> UInt64 { monotonicNanos() }

    package func recordPlacement(symbol: Symbol, nanos: UInt64, accepted: Bool, at time: Millis) {
        lastCallFailed = false
        if accepted { lastAcceptedAt = time }
        guard let s = index[symbol] else { return }
        var bucket = boundsNanos.count
        for (i, bound) in boundsNanos.enumerated() where nanos <= bound {
            bucket = i
            break
        }
        latencyCounts[s][bucket] += 1
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
        let begin = tap.now()
        let outcome: PlaceOutcome
        do {
            outcome = try inner.place(request)
        } catch {
            tap.recordCall(failed: true)
            throw error
        }
        tap.recordPlacement(symbol: request.symbol, nanos: tap.now() &- begin, accepted: outcome == .accepted, at: request.time)
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
}
