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
        OptionSpec("--obs", default: "off",
                   help: "Run as exec-demo --obs does (exchange tap, snapshot publisher, /metrics on a free loopback port) and scrape it."),
        OptionSpec("--scrape-hz", value: "N", default: "100",
                   help: "With --obs: GET /metrics this many times a second over one kept-alive connection, 1 to 1000."),
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
        let observe: Bool
        let scrapeHz: Int64
        do throws(UsageError) {
            options = try OptionParser.parse(arguments, specs: specs, command: name)
            symbols = try ExecDemoCommand.parseSymbols(options.string("--symbols") ?? "BTCUSDT,ETHUSDT")
            iterations = try options.integer("--iterations", default: 1_000_000, range: 1...1_000_000_000)
            runs = try options.integer("--runs", default: 3, range: 1...100)
            seed = try options.unsigned("--seed", default: 42)
            store = try options.choice("--store", default: .none)
            parent = options.string("--state-dir") ?? "artifacts/bench-state"
            if store != .file && store != .redis && options.isSet("--state-dir") {
                throw UsageError(name, "--state-dir has no effect without --store file or --store redis; add one or drop --state-dir")
            }
            if store != .redis && options.isSet("--redis-url") {
                throw UsageError(name, "--redis-url has no effect without --store redis; add it or drop --redis-url")
            }
            let text = options.string("--redis-url") ?? "redis://127.0.0.1:6379/0"
            do {
                url = try RedisURL(parsing: text)
            } catch {
                throw UsageError(name, "--redis-url: \(error.description)")
            }
            observe = options.flag("--obs", default: false)
            if !observe && options.isSet("--scrape-hz") {
                throw UsageError(name, "--scrape-hz has no effect without --obs; add --obs or drop --scrape-hz")
            }
            scrapeHz = try options.integer("--scrape-hz", default: 100, range: 1...1_000)
        } catch {
            Platform.writeStderr(error.description + "\n")
            return .usage
        }
        var stats = StoreCounters()
        var venueFsyncs = 0
        var seconds: [Double] = []
        var cpuSeconds: [Double] = []
        var placed = 0
        var scrapes: [UInt64] = []
        var scrapeFailures = 0
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
            let tap = observe ? ExchangeTap(symbols: symbols, monotonicNanos: Platform.monotonicNanos, timeEvery: ExchangeTap.inProcessTimeEvery) : nil
            let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop, tap: tap,
                                          durable: setup)
            var server: HTTPServer?
            var scraper: BenchScraper?
            if observe {
                let publisher = SnapshotPublisher(loop: loop, tap: tap, monotonicNanos: { Platform.monotonicNanos() })
                loop.observer = publisher
                let router = ObservabilityEndpoints.router(publisher: publisher, liveEnable: false) {
                    ProcessStats(startTimeSeconds: 0, residentBytes: Platform.residentBytes())
                }
                do {
                    server = try HTTPServer(host: .ipv4("127.0.0.1"), port: 0, router: router)
                } catch {
                    Platform.writeStderr("mmbot bench: --obs: \(error.description)\n")
                    return .failure
                }
                server?.start()
                scraper = BenchScraper(port: server!.port, hz: Int(scrapeHz))
            }
            let begin = Platform.monotonicNanos()
            let cpuBegin = Platform.threadCPUNanos()
            do {
                try loop.run()
            } catch {
                Platform.writeStderr("mmbot bench: \(error.description)\n")
                return .failure
            }
            seconds.append(Double(Platform.monotonicNanos() - begin) / 1e9)
            cpuSeconds.append(Double(Platform.threadCPUNanos() - cpuBegin) / 1e9)
            if let scraper {
                let result = scraper.finish()
                scrapes += result.latencies
                scrapeFailures += result.failures
            }
            server?.stop()
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
        let cpuMedian = cpuSeconds.sorted()[cpuSeconds.count / 2]
        var result: [String: JSONValue] = [
            "symbols": .array(symbols.map { .string($0.name) }),
            "iterations": .int(iterations),
            "runs": .int(runs),
            "orders_placed_per_run": .int(placed),
            "median_seconds": .decimal(Fixed(raw: Int64(median * 1e8))),
            "symbol_iterations_per_second": .int(rate),
            "loop_cpu_median_seconds": .decimal(Fixed(raw: Int64(cpuMedian * 1e8))),
            "symbol_iterations_per_cpu_second": .int(Int64(symbolIterations / cpuMedian)),
            "peak_rss_bytes": .int(Platform.peakResidentBytes()),
            "store": .string(store.rawValue),
            "obs": .bool(observe),
        ]
        if observe {
            let sorted = scrapes.sorted()
            func ms(_ q: Double) -> JSONValue {
                guard !sorted.isEmpty else { return .null }
                let nanos = sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
                return .decimal(Fixed(raw: Int64(nanos) * 100))
            }
            result["scrape_hz"] = .int(scrapeHz)
            result["scrapes"] = .int(sorted.count)
            result["scrape_failures"] = .int(scrapeFailures)
            result["scrape_p50_ms"] = ms(0.5)
            result["scrape_p99_ms"] = ms(0.99)
            result["scrape_max_ms"] = ms(1.0)
        }
        if store != .none {
            let fsyncs = stats.fsyncs + venueFsyncs
            result["records_per_run"] = .int(stats.records)
            result["commits_per_run"] = .int(stats.commits)
            result["fsyncs_per_run"] = .int(fsyncs)
            result["snapshots_per_run"] = .int(stats.snapshots)
            result["journal_bytes_per_run"] = .int(stats.bytes)
            result["mutations_per_second"] = .int(Int64(Double(stats.records) / median))
            result["commits_per_second"] = .int(Int64(Double(stats.commits) / median))
            result["fsyncs_per_second"] = .int(Int64(Double(fsyncs) / median))
        }
        Platform.writeStdout(JSONWriter.string(.object(result), pretty: true) + "\n")
        return .success
    }
}
