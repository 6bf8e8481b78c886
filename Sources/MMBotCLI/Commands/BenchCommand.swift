import MMBotCore
import MMBotSupport

/// `mmbot bench`: times the shadow loop in-process with logging off and prints one JSON object
/// with symbol-iterations per second and peak RSS. docs/performance.md quotes its figures.
/// `--store` adds durable state (docs/state.md, "Performance"): records (mutations), commits and
/// fsyncs per second beside the loop's own rate.
package enum BenchCommand {
    package static let name = "mmbot bench"
    package static let specs: [OptionSpec] = [
        OptionSpec("--symbols", value: "LIST", default: "BTCUSDT,ETHUSDT", help: "Comma-separated symbols to quote."),
        OptionSpec("--iterations", value: "N", default: "1000000", help: "Iterations per run, 1 to 1000000000."),
        OptionSpec("--runs", value: "N", default: "3", help: "Timed runs; the median is reported, 1 to 100."),
        OptionSpec("--seed", value: "N", default: "42", help: "Seed for the run."),
        OptionSpec("--store", value: "NAME", default: "none",
                   help: "Durable state to record into: none, memory (no I/O), file (journal + fsync) or redis."),
        OptionSpec("--state-dir", value: "DIR", default: "artifacts/bench-state",
                   help: "Scratch parent directory for --store file|redis; each run uses a fresh subdirectory, removed after."),
        OptionSpec("--redis-url", value: "URL", default: "redis://127.0.0.1:6379/0", help: "Redis for --store redis (use a scratch database)."),
    ]

    package enum Store: String, CaseIterable, Sendable {
        case none, memory, file, redis
    }

    package static func run(_ arguments: [String]) -> ExitCode {
        let options: ParsedOptions
        let symbols: [Symbol]
        let iterations: Int64
        let runs: Int64
        let seed: UInt64
        let store: Store
        let parent: String
        let url: RedisURL
        do throws(UsageError) {
            options = try OptionParser.parse(arguments, specs: specs, command: name)
            symbols = try ExecDemoCommand.parseSymbols(options.string("--symbols") ?? "BTCUSDT,ETHUSDT")
            iterations = try options.integer("--iterations", default: 1_000_000, range: 1...1_000_000_000)
            runs = try options.integer("--runs", default: 3, range: 1...100)
            seed = try options.unsigned("--seed", default: 42)
            store = try options.choice("--store", default: .none)
            parent = options.string("--state-dir") ?? "artifacts/bench-state"
            let text = options.string("--redis-url") ?? "redis://127.0.0.1:6379/0"
            do {
                url = try RedisURL(parsing: text)
            } catch {
                throw UsageError(name, "--redis-url: \(error.description)")
            }
        } catch {
            Platform.writeStderr(error.description + "\n")
            return .usage
        }
        var stats = StoreCounters()
        var venueFsyncs = 0
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
            let directory = parent + "/run-\(Platform.processID())-\(seconds.count)"
            let setup: DurableSetup?
            do {
                switch store {
                case .none: setup = nil
                case .memory: setup = try DurableSetup.inMemory(store: InMemoryOrderStore(), config: config, clock: clock, logger: logger)
                case .file, .redis:
                    let durable = DurableOptions(directory: directory, backend: store == .file ? .file : .redis, redisURL: url,
                                                 recover: false, onRecover: .cancel)
                    setup = try DurableRun.open(durable, config: config, clock: clock, logger: logger)
                }
            } catch {
                Platform.writeStderr("mmbot bench: \(error.description)\n")
                return .failure
            }
            let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop, durable: setup)
            let begin = Platform.monotonicNanos()
            do {
                try loop.run()
            } catch {
                Platform.writeStderr("mmbot bench: \(error.description)\n")
                return .failure
            }
            seconds.append(Double(Platform.monotonicNanos() - begin) / 1e9)
            placed = loop.counters.placed
            if let setup {
                if let reason = setup.state.haltReason {
                    Platform.writeStderr("mmbot bench: the state store failed: \(reason)\n")
                    return .failure
                }
                stats = setup.state.store.counters
                venueFsyncs = store == .file || store == .redis ? 3 * stats.snapshots : 0
                setup.close()
                if store == .file || store == .redis { try? Platform.removeDirectory(directory) }
            }
        }
        let median = seconds.sorted()[seconds.count / 2]
        let symbolIterations = Double(iterations) * Double(symbols.count)
        let rate = Int64(symbolIterations / median)
        var result: JSONValue = [
            "symbols": .array(symbols.map { .string($0.name) }),
            "iterations": .int(iterations),
            "runs": .int(runs),
            "orders_placed_per_run": .int(placed),
            "median_seconds": .decimal(Fixed(raw: Int64(median * 1e8))),
            "symbol_iterations_per_second": .int(rate),
            "peak_rss_bytes": .int(Platform.peakResidentBytes()),
            "store": .string(store.rawValue),
        ]
        if store != .none, case .object(var members) = result {
            let fsyncs = stats.fsyncs + venueFsyncs
            members["records_per_run"] = .int(stats.records)
            members["commits_per_run"] = .int(stats.commits)
            members["fsyncs_per_run"] = .int(fsyncs)
            members["snapshots_per_run"] = .int(stats.snapshots)
            members["journal_bytes_per_run"] = .int(stats.bytes)
            members["mutations_per_second"] = .int(Int64(Double(stats.records) / median))
            members["commits_per_second"] = .int(Int64(Double(stats.commits) / median))
            members["fsyncs_per_second"] = .int(Int64(Double(fsyncs) / median))
            result = .object(members)
        }
        Platform.writeStdout(JSONWriter.string(result, pretty: true) + "\n")
        return .success
    }
}
