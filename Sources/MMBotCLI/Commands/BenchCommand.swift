import MMBotCore
import MMBotSupport

/// `mmbot bench`: times the shadow loop in-process with logging off and prints one JSON object
/// with symbol-iterations per second and peak RSS. docs/performance.md quotes its figures.
package enum BenchCommand {
    package static let name = "mmbot bench"
    package static let specs: [OptionSpec] = [
        OptionSpec("--symbols", value: "LIST", default: "BTCUSDT,ETHUSDT", help: "Comma-separated symbols to quote."),
        OptionSpec("--iterations", value: "N", default: "1000000", help: "Iterations per run, 1 to 1000000000."),
        OptionSpec("--runs", value: "N", default: "3", help: "Timed runs; the median is reported, 1 to 100."),
        OptionSpec("--seed", value: "N", default: "42", help: "Seed for the run."),
    ]

    package static func run(_ arguments: [String]) -> ExitCode {
        let options: ParsedOptions
        let symbols: [Symbol]
        let iterations: Int64
        let runs: Int64
        let seed: UInt64
        do {
            options = try OptionParser.parse(arguments, specs: specs, command: name)
            symbols = try ExecDemoCommand.parseSymbols(options.string("--symbols") ?? "BTCUSDT,ETHUSDT")
            iterations = try options.integer("--iterations", default: 1_000_000, range: 1...1_000_000_000)
            runs = try options.integer("--runs", default: 3, range: 1...100)
            seed = try options.unsigned("--seed", default: 42)
        } catch {
            Platform.writeStderr(error.description + "\n")
            return .usage
        }
        var seconds: [Double] = []
        var placed = 0
        for _ in 0..<runs {
            let config = EngineConfig(
                symbols: symbols, iterations: Int(iterations), tickMs: 1000, pace: .virtual, mode: .shadow, exchange: "fake", seed: seed,
                limits: RiskLimits(maxInventoryUSD: Fixed(10_000), maxTotalUSD: Fixed(50_000), edgeThresholdBps: Fixed(units: 15, decimals: 1),
                                   resumeEdgeBps: nil),
                venue: VenueConfig(fillRate: Fixed(units: 8, decimals: 1), rejectRate: .zero, latencyMs: 100),
                makerOnly: true, postOnlyOffsetBps: .one, orderNotionalUSD: Fixed(4_000), startTime: 1_735_689_600_000, timeFrozen: true)
            let clock = RunClock(now: config.startTime)
            let stop = StopSignal()
            let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: clock)
            let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop)
            let begin = Platform.monotonicNanos()
            do {
                try loop.run()
            } catch {
                Platform.writeStderr("mmbot bench: \(error.description)\n")
                return .failure
            }
            seconds.append(Double(Platform.monotonicNanos() - begin) / 1e9)
            placed = loop.counters.placed
        }
        let median = seconds.sorted()[seconds.count / 2]
        let symbolIterations = Double(iterations) * Double(symbols.count)
        let rate = Int64(symbolIterations / median)
        let result: JSONValue = [
            "symbols": .array(symbols.map { .string($0.name) }),
            "iterations": .int(iterations),
            "runs": .int(runs),
            "orders_placed_per_run": .int(placed),
            "median_seconds": .decimal(Fixed(raw: Int64(median * 1e8))),
            "symbol_iterations_per_second": .int(rate),
            "peak_rss_bytes": .int(Platform.peakResidentBytes()),
        ]
        Platform.writeStdout(JSONWriter.string(result, pretty: true) + "\n")
        return .success
    }
}
