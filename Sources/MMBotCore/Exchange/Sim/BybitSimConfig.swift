import MMBotSupport

/// How `mmbot exchange-sim` (and the in-process venue of `--exchange bybit --no-network`)
/// behaves: the listed symbols and seeded venue, the accepted API keys, the per-key rate limit,
/// and the faults it injects.
package struct BybitSimConfig: Sendable {
    package var symbols: [Symbol]
    package var seed: UInt64
    package var venue: VenueConfig
    /// Wall-clock (or run-clock) ms per step of the synthetic market's walk.
    package var tickMs: Int64
    /// API key → secret. Requests signed with any other key get 10003.
    package var keys: [String: Secret]
    /// Requests per second per key and endpoint; nil uses Bybit's defaults per endpoint
    /// (reference facts A4); `rateLimited` false turns the limiter off (the in-process venue).
    package var rateLimitPerSecond: Int?
    package var rateLimited: Bool
    package var faults: BybitSimFaults

    package init(symbols: [Symbol], seed: UInt64, venue: VenueConfig, tickMs: Int64, keys: [String: Secret],
                 rateLimitPerSecond: Int? = nil, rateLimited: Bool = true, faults: BybitSimFaults = BybitSimFaults()) {
        self.symbols = symbols
        self.seed = seed
        self.venue = venue
        self.tickMs = tickMs
        self.keys = keys
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimited = rateLimited
        self.faults = faults
    }

    /// Bybit's default per-second limit for a private endpoint (UTA, linear).
    package func limit(for path: String) -> Int {
        if let rateLimitPerSecond { return rateLimitPerSecond }
        switch path {
        case "/v5/order/create", "/v5/order/cancel", "/v5/order/cancel-all", "/v5/order/amend": return 10
        default: return 50
        }
    }
}

/// Faults injected into answers, each drawn per request from the seeded `faults` stream.
package struct BybitSimFaults: Sendable, Equatable {
    /// Answer HTTP 503 without doing anything.
    package var serverErrorRate = Fixed.zero
    /// Do the work, then hold the answer for `timeoutDelayMs` (longer than the client waits).
    package var timeoutRate = Fixed.zero
    /// Do the work (order create/cancel only), then close the connection without an answer.
    package var dropAckRate = Fixed.zero
    package var timeoutDelayMs: Int64 = 3_000

    package init(serverErrorRate: Fixed = .zero, timeoutRate: Fixed = .zero, dropAckRate: Fixed = .zero, timeoutDelayMs: Int64 = 3_000) {
        self.serverErrorRate = serverErrorRate
        self.timeoutRate = timeoutRate
        self.dropAckRate = dropAckRate
        self.timeoutDelayMs = timeoutDelayMs
    }

    package var any: Bool { serverErrorRate.raw > 0 || timeoutRate.raw > 0 || dropAckRate.raw > 0 }
}
