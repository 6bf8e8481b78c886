import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// Shared wiring for the durable-state tests: configs, scratch directories, the test Redis.
enum StateFixture {
    static let start: Millis = 1_735_689_600_000

    static func config(iterations: Int = 40, symbols: [String] = ["BTCUSDT", "ETHUSDT"], edgeThreshold: String = "1.5") -> EngineConfig {
        EngineConfig(
            symbols: symbols.map { Symbol(validating: $0)! }, iterations: iterations, tickMs: 1000, pace: .virtual, mode: .shadow,
            exchange: "fake", seed: 42,
            limits: RiskLimits(maxInventoryUSD: Fixed(10_000), maxTotalUSD: Fixed(50_000), edgeThresholdBps: Fixed(edgeThreshold)!,
                               resumeEdgeBps: nil),
            venue: VenueConfig(fillRate: Fixed("0.5")!, rejectRate: .zero, latencyMs: 1500),
            makerOnly: true, postOnlyOffsetBps: .one, orderNotionalUSD: Fixed(4_000), startTime: start, timeFrozen: true)
    }

    static func directory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "mmbot-state-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Platform.makeDirectories(path)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    struct RedisMissing: Error, CustomStringConvertible {
        var description: String {
            "MMBOT_TEST_REDIS_URL is not set: these tests need a real redis-server; run 'bash .ci/run' or start one and export e.g. MMBOT_TEST_REDIS_URL=redis://127.0.0.1:6379"
        }
    }

    /// The test Redis on `database`, emptied first.
    static func redisURL(database: Int) throws -> RedisURL {
        guard let text = ProcessInfo.processInfo.environment["MMBOT_TEST_REDIS_URL"] else { throw RedisMissing() }
        let base = try RedisURL(parsing: text)
        let url = RedisURL(host: base.host, port: base.port, database: database, username: base.username, password: base.password)
        try RedisClient(url: url).command(["FLUSHDB"])
        return url
    }

    static func options(_ directory: String, backend: StateBackendKind = .file, redis: RedisURL? = nil, recover: Bool = false,
                        action: RecoverAction = .cancel) -> DurableOptions {
        DurableOptions(directory: directory, backend: backend, redisURL: redis ?? RedisURL(host: "127.0.0.1"), recover: recover, onRecover: action)
    }
}

/// A pacer that runs a closure before chosen iterations and can stop the run there (a crash
/// stand-in: the loop is simply abandoned without its shutdown).
final class HookPacer: Pacer {
    var hook: (Int) -> Bool = { _ in false }
    func waitForIteration(_ index: Int) -> Bool { hook(index) }
}

/// One durable loop over a state directory (or the in-memory store), with its logs kept.
struct DurableHarness {
    let loop: ExecutionLoop
    let setup: DurableSetup
    let sink: MemoryLogSink
    let pacer: HookPacer

    static func open(_ options: DurableOptions, config: EngineConfig) throws -> DurableHarness {
        let sink = MemoryLogSink()
        let clock = RunClock(now: config.startTime)
        let logger = Logger(threshold: .info, format: .json, sink: sink, clock: clock)
        let setup = try DurableRun.open(options, config: config, clock: clock, logger: logger)
        var engine = config
        engine.startTime = setup.startTime
        let pacer = HookPacer()
        let loop = ShadowRun.makeLoop(config: engine, clock: clock, logger: logger, pacer: pacer, stop: StopSignal(), durable: setup)
        return DurableHarness(loop: loop, setup: setup, sink: sink, pacer: pacer)
    }

    func events(_ name: String) -> [JSONValue] {
        sink.lines.compactMap { try? JSONParser.parse($0) }.filter { $0["event"]?.stringValue == name }
    }
}
