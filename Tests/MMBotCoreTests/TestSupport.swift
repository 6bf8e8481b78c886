@testable import MMBotCore
import MMBotSupport

/// Small builders shared by the core suites.
enum TestData {
    static let btc = Symbol(validating: "BTCUSDT")!
    static let eth = Symbol(validating: "ETHUSDT")!
    static let start: Millis = 1_735_689_600_000

    static func config(symbols: [Symbol] = [btc, eth], iterations: Int = 50, fillRate: String = "0.8", rejectRate: String = "0",
                       latencyMs: Int64 = 100, maxInv: Int = 10_000, maxTotal: Int = 50_000, threshold: String = "1.5",
                       resume: String? = nil, makerOnly: Bool = true, offset: String = "1", notional: Int = 4_000,
                       mode: RunMode = .shadow, seed: UInt64 = 42, tickMs: Int64 = 1_000) -> EngineConfig {
        EngineConfig(
            symbols: symbols, iterations: iterations, tickMs: tickMs, pace: .virtual, mode: mode, exchange: "fake", seed: seed,
            limits: RiskLimits(maxInventoryUSD: Fixed(maxInv), maxTotalUSD: Fixed(maxTotal), edgeThresholdBps: Fixed(threshold)!,
                               resumeEdgeBps: resume.map { Fixed($0)! }),
            venue: VenueConfig(fillRate: Fixed(fillRate)!, rejectRate: Fixed(rejectRate)!, latencyMs: latencyMs),
            makerOnly: makerOnly, postOnlyOffsetBps: Fixed(offset)!, orderNotionalUSD: Fixed(notional), startTime: start, timeFrozen: true)
    }

    /// Runs a whole shadow run in memory and returns the loop and its log lines.
    static func run(_ config: EngineConfig, level: LogLevel = .off) throws -> (ExecutionLoop, [String]) {
        let clock = RunClock(now: config.startTime)
        let sink = MemoryLogSink()
        let logger = Logger(threshold: level, format: .json, sink: sink, clock: clock)
        let stop = StopSignal()
        let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop)
        try loop.run()
        return (loop, sink.lines)
    }

    static func venue(fillRate: String = "1", rejectRate: String = "0", latencyMs: Int64 = 100, partial: String = "0",
                      symbols: [Symbol] = [btc]) -> (SimVenue, SyntheticMarket) {
        let market = SyntheticMarket(symbols: symbols, seed: 42)
        let clock = RunClock(now: start)
        let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: clock)
        let venue = SimVenue(config: VenueConfig(fillRate: Fixed(fillRate)!, rejectRate: Fixed(rejectRate)!, latencyMs: latencyMs,
                                                 partialFillRate: Fixed(partial)!),
                             market: market, seed: 42, logger: logger)
        return (venue, market)
    }
}
