import MMBotSupport

/// `--mode`: shadow sends orders to the (simulated) venue; dryrun plans, checks and logs them but
/// never sends any.
package enum RunMode: String, Sendable, CaseIterable {
    case shadow
    case dryrun
}

/// `--pace`: virtual time runs as fast as the machine allows; realtime sleeps so that each
/// iteration starts `tickMs` after the previous one on the wall clock.
package enum Pace: String, Sendable, CaseIterable {
    case virtual
    case realtime
}

/// Everything a run is parameterised by, already validated by the CLI.
package struct EngineConfig: Sendable {
    package var symbols: [Symbol]
    package var iterations: Int
    package var tickMs: Int64
    package var pace: Pace
    package var mode: RunMode
    package var exchange: String
    package var seed: UInt64
    package var limits: RiskLimits
    package var venue: VenueConfig
    package var makerOnly: Bool
    package var postOnlyOffsetBps: Fixed
    package var orderNotionalUSD: Fixed
    /// The run's first instant: MM_FREEZE_UTC_ISO, or the wall clock at start.
    package var startTime: Millis
    /// True when `startTime` came from MM_FREEZE_UTC_ISO.
    package var timeFrozen: Bool
    /// Network runs: a session chosen at start, so client order ids (Bybit orderLinkIds, which
    /// the venue never accepts twice) differ between runs with the same seed.
    package var sessionOverride: UInt32?

    package init(symbols: [Symbol], iterations: Int, tickMs: Int64, pace: Pace, mode: RunMode, exchange: String, seed: UInt64,
                 limits: RiskLimits, venue: VenueConfig, makerOnly: Bool, postOnlyOffsetBps: Fixed, orderNotionalUSD: Fixed,
                 startTime: Millis, timeFrozen: Bool) {
        self.symbols = symbols
        self.iterations = iterations
        self.tickMs = tickMs
        self.pace = pace
        self.mode = mode
        self.exchange = exchange
        self.seed = seed
        self.limits = limits
        self.venue = venue
        self.makerOnly = makerOnly
        self.postOnlyOffsetBps = postOnlyOffsetBps
        self.orderNotionalUSD = orderNotionalUSD
        self.startTime = startTime
        self.timeFrozen = timeFrozen
    }

    /// The session part of every client order id: derived from the seed, so a shadow run is
    /// reproducible (network runs override it).
    package var orderSession: UInt32 {
        if let sessionOverride { return sessionOverride }
        var mix = SplitMix64(state: seed)
        return UInt32(truncatingIfNeeded: mix.next())
    }
}
