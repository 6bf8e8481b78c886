import MMBotSupport
@testable import MMBotCore

/// A shadow run wired as exec-demo wires it with --obs: a tap on the exchange client and a
/// snapshot publisher observing the loop.
struct ObservedRun {
    let loop: ExecutionLoop
    let tap: ExchangeTap
    let publisher: SnapshotPublisher

    init(iterations: Int = 60, edgeThreshold: String = "1.5", pace: Pace = .virtual, symbols: [String] = ["BTCUSDT", "ETHUSDT"],
         timeEvery: Int = 1) {
        let config = EngineConfig(
            symbols: symbols.map { Symbol(validating: $0)! }, iterations: iterations, tickMs: 1000, pace: pace, mode: .shadow,
            exchange: "fake", seed: 42,
            limits: RiskLimits(maxInventoryUSD: Fixed(10_000), maxTotalUSD: Fixed(50_000), edgeThresholdBps: Fixed(edgeThreshold)!, resumeEdgeBps: nil),
            venue: VenueConfig(fillRate: Fixed("0.8")!, rejectRate: Fixed("0.05")!, latencyMs: 100),
            makerOnly: true, postOnlyOffsetBps: .one, orderNotionalUSD: Fixed(4_000), startTime: 1_735_689_600_000, timeFrozen: true)
        let clock = RunClock(now: config.startTime)
        let stop = StopSignal()
        let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: clock)
        tap = ExchangeTap(symbols: config.symbols, monotonicNanos: Platform.monotonicNanos, timeEvery: timeEvery)
        loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop, tap: tap)
        publisher = SnapshotPublisher(loop: loop, tap: tap, monotonicNanos: { Platform.monotonicNanos() })
        loop.observer = publisher
    }

    static let process = ProcessStats(startTimeSeconds: 1_735_689_600.5, residentBytes: 12_345_678)

    func metrics(liveEnable: Bool = false) -> String {
        PrometheusText.render(MetricsCatalogue.registry(snapshot: publisher.snapshot(), liveEnable: liveEnable, process: Self.process))
    }
}

/// `name{labels} value` lines of a scrape, keyed by everything before the value.
func sampleValues(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        out[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return out
}
