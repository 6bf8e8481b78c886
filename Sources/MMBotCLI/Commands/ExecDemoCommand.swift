import MMBotCore
import MMBotSupport

/// `mmbot exec-demo`: one shadow (or dry-run) execution run; the report goes to stdout.
package enum ExecDemoCommand {
    package static let name = "mmbot exec-demo"

    package static let specs: [OptionSpec] = [
        OptionSpec("--shadow", help: "Required acknowledgement: runs the engine's rehearsal loop (the simulated venue unless --network/--live; with --live and MM_LIVE_ENABLE=1 real orders are sent)."),
        OptionSpec("--exchange", value: "NAME", default: "fake; bybit with --network or --live",
                   help: "Venue client: fake (the simulated venue, called directly) or bybit (the Bybit v5 REST client; without --network it talks to the simulated venue's v5 API in-process)."),
        OptionSpec("--mode", value: "MODE", default: "shadow",
                   help: "shadow sends orders to the simulated venue; dryrun plans, checks and logs them but sends none."),
        OptionSpec("--symbols", value: "LIST", default: "BTCUSDT,ETHUSDT",
                   help: "Comma-separated symbols; upper-cased and de-duplicated, 2-32 letters/digits each."),
        OptionSpec("--iterations", value: "N", default: "50", help: "Iterations (ticks of virtual time) to run, 1 to 1000000000."),
        OptionSpec("--max-inv", value: "USD", default: "10000",
                   help: "Per-symbol limit: |position + same-side open + new qty| x price, in USD, > 0."),
        OptionSpec("--max-total", value: "USD", default: "50000",
                   help: "Portfolio limit: sum of worst-case |inventory| x mark over symbols, in USD, > 0."),
        OptionSpec("--edge-threshold", value: "BPS", default: "1.5", help: "Freeze when a symbol's edge falls below this many bps, 0 to 10000."),
        OptionSpec("--resume-edge-bps", value: "BPS", default: "none (a freeze is latched)",
                   help: "Unfreeze once every symbol's edge is at or above this; must be >= --edge-threshold."),
        OptionSpec("--fill-rate", value: "RATE", default: "0.8", help: "Chance an accepted order fills, 0 to 1."),
        OptionSpec("--reject-rate", value: "RATE", default: "0", help: "Chance the venue refuses an order at placement, 0 to 1."),
        OptionSpec("--latency-ms", value: "MS", default: "100", help: "Virtual ms from placement to the earliest fill, 0 to 3600000."),
        OptionSpec("--maker-only", default: "on", negation: "--no-maker-only",
                   help: "Send quotes post-only (refused if they would cross); --no-maker-only sends plain limits that may take."),
        OptionSpec("--post-only-offset-bps", value: "BPS", default: "1",
                   help: "Quote this many bps away from the touch, -100 to 1000 (negative prices through it)."),
        OptionSpec("--order-notional-usd", value: "USD", default: "4000",
                   help: "Size of each quote in USD; qty = notional / price rounded down to the step."),
        OptionSpec("--seed", value: "N", default: "42", help: "Seed for the market, edge and venue streams, 0 to 2^64-1."),
        OptionSpec("--tick-ms", value: "MS", default: "1000", help: "Virtual ms per iteration, 1 to 86400000."),
        OptionSpec("--pace", value: "PACE", default: "virtual",
                   help: "virtual runs as fast as possible; realtime sleeps so virtual time follows the wall clock."),
        OptionSpec("--log-level", value: "LEVEL", default: "info", help: "debug, info, warning, error or off (logs go to stderr)."),
        OptionSpec("--log-format", value: "FORMAT", default: "json", help: "json (one object per line) or text."),
        OptionSpec("--out", value: "FILE", help: "Also write the report to FILE (atomically; its directory must exist)."),
        OptionSpec("--durable-state", default: "off",
                   help: "Record every order mutation durably (journal or Redis) before the venue is told; snapshots in --state-dir."),
        OptionSpec("--state-dir", value: "DIR", default: "artifacts/state",
                   help: "Directory for the journal, snapshots, the lock and the simulated venue's state (created if missing)."),
        OptionSpec("--recover", default: "off",
                   help: "Load the state in --state-dir and reconcile its open orders with the venue before quoting."),
        OptionSpec("--state-backend", value: "NAME", default: "file",
                   help: "file (journal.jsonl in --state-dir) or redis (a shared Redis at --redis-url; disk snapshots still written)."),
        OptionSpec("--redis-url", value: "URL", default: "redis://127.0.0.1:6379/0",
                   help: "Redis for --state-backend redis: redis://[[user]:password@]host[:port][/db]."),
        OptionSpec("--on-recover", value: "ACTION", default: "cancel",
                   help: "With --recover: cancel the recovered open orders before quoting, or adopt them and keep managing them."),
    ] + venueSpecs + observabilitySpecs

    package static let usage = "mmbot exec-demo --shadow [options]"
    package static let summary = """
    Runs the market-making engine against a seeded synthetic market and an in-process simulated
    venue in virtual time (or, with --exchange bybit, through the Bybit v5 client: in-process by
    default, over the network with --network --testnet or --live), then prints one JSON report on stdout. Same flags and the same
    MM_FREEZE_UTC_ISO give byte-identical reports. SIGINT/SIGTERM cancel open orders and print
    the report.
    """
    package static let footer = """
    ENVIRONMENT:
      MM_FREEZE_UTC_ISO  Start instant for the run clock and runtime.utc (e.g. 2025-01-01T00:00:00Z);
                         unset: the wall clock at start. Network runs (--network, --live) use the system clock.
      MM_LIVE_ENABLE     must be exactly "1" for --live (or --network without --testnet): the second consent;
                         exported as the mm_live_enable gauge.
      BYBIT_BASE_URL     Default for --api-base-url in network modes.
      SECRETS_BACKEND, BYBIT_API_KEY, BYBIT_API_SECRET, MMBOT_SECRETS_FILE, AWS_*
                         Where --exchange bybit loads its credentials (see 'mmbot secrets --help').

    EXIT CODES: 0 run completed (also after SIGINT/SIGTERM), 1 runtime failure (e.g. the --obs port is in use,
    Bybit credentials missing, venue unreachable, a state directory that is locked, corrupt or missing for
    --recover, a state store lost mid-run), 2 bad input, 3 live mode refused (MM_LIVE_ENABLE is not 1).
    """

    /// Everything `run` needs, parsed and validated.
    package struct Options: Sendable {
        package var engine: EngineConfig
        package var logLevel: LogLevel
        package var logFormat: LogFormat
        package var outPath: String?
        package var runtimeUTC: String
        /// `--obs` and its settings; nil without `--obs`.
        package var observability: ObservabilityOptions?
        /// MM_LIVE_ENABLE == "1", for the mm_live_enable gauge.
        package var liveEnable: Bool
        /// `--exchange bybit`: the venue, network mode and filter settings; nil for fake.
        package var venue: VenueOptions?
        /// Set when live mode was asked for without MM_LIVE_ENABLE=1: the run is refused (exit 3).
        package var liveRefusal: LiveModeRefused?
        /// Set with --durable-state.
        package var durable: DurableOptions?
    }

    /// Parses and validates; every problem is a `UsageError` naming the flag, the value and
    /// what is accepted.
    package static func parse(_ arguments: [String], environment: [String: String], wallClock: () -> Millis) throws(UsageError) -> Options {
        let o = try OptionParser.parse(arguments, specs: specs, command: name)
        guard o.flag("--shadow", default: false) else {
            throw UsageError(name, "refusing to run without --shadow: exec-demo only runs shadow rehearsals (add --shadow)")
        }
        let venue = try parseVenue(o, exchangeText: o.string("--exchange"), environment: environment)
        let mode: RunMode = try o.choice("--mode", default: .shadow)
        if mode == .dryrun {
            for flag in ["--fill-rate", "--reject-rate", "--latency-ms"] where o.isSet(flag) {
                throw UsageError(name, "\(flag) has no effect with --mode dryrun, where no order reaches a venue; drop it or use --mode shadow")
            }
        }
        if let venue, venue.network != .off {
            for flag in ["--fill-rate", "--reject-rate", "--latency-ms"] where o.isSet(flag) {
                throw UsageError(name, "\(flag) shapes the simulated venue and has no effect with --network/--live, where the venue decides fills; drop it")
            }
            if o.isSet("--tick-ms"), o.string("--pace")?.lowercased() != "realtime" {
                throw UsageError(name, "--tick-ms has no effect on a network run in virtual pace (iterations follow the venue's answers and the system clock); add --pace realtime or drop it")
            }
        }
        let symbols = try parseSymbols(o.string("--symbols") ?? "BTCUSDT,ETHUSDT")
        let iterations = try o.integer("--iterations", default: 50, range: 1...1_000_000_000)
        let bigUSD = Fixed(1_000_000_000)
        let maxInv = try o.decimal("--max-inv", default: Fixed(10_000), range: .zero...bigUSD, lowerExclusive: true)!
        let maxTotal = try o.decimal("--max-total", default: Fixed(50_000), range: .zero...bigUSD, lowerExclusive: true)!
        let threshold = try o.decimal("--edge-threshold", default: Fixed(units: 15, decimals: 1), range: .zero...Fixed(10_000))!
        let resume = try o.decimal("--resume-edge-bps", default: nil, range: .zero...Fixed(10_000))
        if let resume, resume < threshold {
            throw UsageError(name, "--resume-edge-bps must be at least --edge-threshold (\(threshold)), got '\(resume)'")
        }
        let fillRate = try o.decimal("--fill-rate", default: Fixed(units: 8, decimals: 1), range: .zero...Fixed.one)!
        let rejectRate = try o.decimal("--reject-rate", default: .zero, range: .zero...Fixed.one)!
        let latency = try o.integer("--latency-ms", default: 100, range: 0...3_600_000)
        let offset = try o.decimal("--post-only-offset-bps", default: Fixed.one, range: Fixed(-100)...Fixed(1_000))!
        let notional = try o.decimal("--order-notional-usd", default: Fixed(4_000), range: .zero...bigUSD, lowerExclusive: true)!
        let seed = try o.unsigned("--seed", default: 42)
        let tick = try o.integer("--tick-ms", default: 1_000, range: 1...86_400_000)
        let pace: Pace = try o.choice("--pace", default: .virtual)
        let levelText = o.string("--log-level") ?? "info"
        guard let level = LogLevel(name: levelText) else {
            throw UsageError(name, "--log-level must be one of debug|info|warning|error|off, got '\(levelText)'")
        }
        let format: LogFormat = try o.choice("--log-format", default: .json)
        let observability = try parseObservability(o)
        let out = o.string("--out")
        if let out {
            guard !out.isEmpty else { throw UsageError(name, "--out needs a file path, got ''") }
            let directory = out.contains("/") ? String(out[..<out.lastIndex(of: "/")!]) : "."
            guard Platform.isDirectory(directory.isEmpty ? "/" : directory) else {
                throw UsageError(name, "--out directory '\(directory)' does not exist; create it first or choose another path")
            }
            guard !Platform.isDirectory(out) else { throw UsageError(name, "--out '\(out)' is a directory; give a file path") }
        }

        let start: Millis
        let frozen: Bool
        let utc: String
        if let text = environment["MM_FREEZE_UTC_ISO"] {
            do {
                start = try UTCTime.parse(text)
            } catch {
                throw UsageError(name, "MM_FREEZE_UTC_ISO: \(error.description)")
            }
            frozen = true
            utc = text
        } else {
            start = wallClock()
            frozen = false
            utc = UTCTime.iso(start)
        }

        let durable = try parseDurable(o, mode: mode, exchangeIsFake: venue == nil)

        var config = EngineConfig(
            symbols: symbols, iterations: Int(iterations), tickMs: tick, pace: pace, mode: mode, exchange: venue == nil ? "fake" : "bybit", seed: seed,
            limits: RiskLimits(maxInventoryUSD: maxInv, maxTotalUSD: maxTotal, edgeThresholdBps: threshold, resumeEdgeBps: resume),
            venue: VenueConfig(fillRate: fillRate, rejectRate: rejectRate, latencyMs: latency),
            makerOnly: o.flag("--maker-only", default: true), postOnlyOffsetBps: offset, orderNotionalUSD: notional,
            startTime: start, timeFrozen: frozen)
        var runtimeUTC = utc
        if let venue, venue.network != .off {
            // Network runs keep the system clock (requests are signed with it) and a fresh
            // session, so their orderLinkIds never repeat an earlier run's.
            let now = wallClock()
            config.startTime = now
            config.timeFrozen = false
            config.sessionOverride = UInt32(truncatingIfNeeded: UInt64(bitPattern: now) &* 0x9E37_79B9_7F4A_7C15 >> 32)
            runtimeUTC = UTCTime.iso(now)
        }
        return Options(engine: config, logLevel: level, logFormat: format, outPath: out, runtimeUTC: runtimeUTC,
                       observability: observability, liveEnable: KillSwitch.isArmed(environment: environment), venue: venue,
                       liveRefusal: KillSwitch.refusal(mode: venue?.network ?? .off, environment: environment), durable: durable)
    }

    /// The durable-state flags: each one that would do nothing in this combination is refused.
    static func parseDurable(_ o: ParsedOptions, mode: RunMode, exchangeIsFake: Bool) throws(UsageError) -> DurableOptions? {
        let enabled = o.flag("--durable-state", default: false)
        let recover = o.flag("--recover", default: false)
        guard enabled else {
            if recover {
                throw UsageError(name, "--recover needs --durable-state: without it there is no state to recover (add --durable-state)")
            }
            for flag in ["--state-dir", "--state-backend", "--redis-url", "--on-recover"] where o.isSet(flag) {
                throw UsageError(name, "\(flag) has no effect without --durable-state; add --durable-state or drop it")
            }
            return nil
        }
        guard mode == .shadow else {
            throw UsageError(name, "--durable-state needs --mode shadow: dryrun orders never reach a venue, so there is nothing to recover")
        }
        guard exchangeIsFake else {
            throw UsageError(name, "--durable-state works with --exchange fake only in this version: a Bybit venue needs each intent "
                + "committed before its request leaves, which is not wired yet (docs/state.md); drop one of the two")
        }
        let directory = o.string("--state-dir") ?? "artifacts/state"
        guard !directory.isEmpty else { throw UsageError(name, "--state-dir needs a directory path, got ''") }
        if Platform.fileExists(directory) && !Platform.isDirectory(directory) {
            throw UsageError(name, "--state-dir '\(directory)' exists and is not a directory; give a directory path")
        }
        let backend: StateBackendKind = try o.choice("--state-backend", default: .file)
        let urlText = o.string("--redis-url") ?? "redis://127.0.0.1:6379/0"
        if backend == .file && o.isSet("--redis-url") {
            throw UsageError(name, "--redis-url has no effect with --state-backend file; add --state-backend redis or drop it")
        }
        let url: RedisURL
        do {
            url = try RedisURL(parsing: urlText)
        } catch {
            throw UsageError(name, "--redis-url: \(error.description)")
        }
        if !recover && o.isSet("--on-recover") {
            throw UsageError(name, "--on-recover has no effect without --recover; add --recover or drop it")
        }
        let action: RecoverAction = try o.choice("--on-recover", default: .cancel)
        return DurableOptions(directory: directory, backend: backend, redisURL: url, recover: recover, onRecover: action)
    }

    /// Splits, trims, upper-cases, de-duplicates (first occurrence wins) and validates.
    package static func parseSymbols(_ text: String) throws(UsageError) -> [Symbol] {
        var symbols: [Symbol] = []
        var seen: Set<Symbol> = []
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.contains(where: { !$0.isEmpty }) else {
            throw UsageError(name, "--symbols needs at least one symbol, e.g. BTCUSDT,ETHUSDT; got '\(text)'")
        }
        for part in parts {
            guard let symbol = Symbol(validating: part) else {
                throw UsageError(name, "--symbols: '\(part)' is not a symbol (2-32 letters or digits, e.g. BTCUSDT) in '\(text)'")
            }
            if seen.insert(symbol).inserted { symbols.append(symbol) }
        }
        guard symbols.count <= 1_000 else { throw UsageError(name, "--symbols accepts at most 1000 symbols, got \(symbols.count)") }
        return symbols
    }

    /// Runs and prints the report. Returns the exit code.
    package static func run(_ options: Options, processStart: Double = Platform.processStartSeconds()) -> ExitCode {
        if let refusal = options.liveRefusal {
            Platform.writeStderr("mmbot exec-demo: \(refusal.description)\n")
            return .liveRefused
        }
        let stop = StopSignal()
        let trap = SignalTrap(stop: stop)
        defer { trap.cancel() }
        let sink = StderrLogSink()
        let clock = RunClock(now: options.engine.startTime)
        let logger = Logger(threshold: options.logLevel, format: options.logFormat, sink: sink, clock: clock)
        var engine = options.engine
        var setup: DurableSetup?
        if let durable = options.durable {
            do {
                let opened = try DurableRun.open(durable, config: engine, clock: clock, logger: logger)
                engine.startTime = opened.startTime
                setup = opened
            } catch {
                sink.flush()
                Platform.writeStderr("mmbot exec-demo: \(error.description)\n")
                return .failure
            }
        }
        defer { setup?.close() }
        let pacer: any Pacer = engine.pace == .realtime
            ? RealtimePacer(stop: stop, tickMs: engine.tickMs, onTick: { sink.flush() })
            : VirtualPacer(stop: stop)
        // Timing every placement costs ~9 % of the in-process loop, so in-process runs sample one in
        // ExchangeTap.inProcessTimeEvery; a network venue's round trip dwarfs the clock reads, so time them all.
        let timeEvery = (options.venue?.network ?? .off) == .off ? ExchangeTap.inProcessTimeEvery : 1
        let tap = options.observability.map { _ in
            ExchangeTap(symbols: options.engine.symbols, monotonicNanos: Platform.monotonicNanos, timeEvery: timeEvery)
        }
        let loop: ExecutionLoop
        var bybit: BybitRun?
        if let venue = options.venue {
            switch makeBybitRun(options, venue: venue, clock: clock, logger: logger, pacer: pacer, stop: stop, tap: tap) {
            case .success(let run):
                bybit = run
                loop = run.loop
            case .failure(let error):
                sink.flush()
                Platform.writeStderr("mmbot exec-demo: \(error.message)\n")
                return .failure
            }
        } else {
            loop = ShadowRun.makeLoop(config: engine, clock: clock, logger: logger, pacer: pacer, stop: stop, tap: tap, durable: setup)
        }
        var observability: ObservabilityRuntime?
        if let obs = options.observability, let tap {
            let announce = Logger(threshold: .debug, format: options.logFormat, sink: sink, clock: clock)
            switch ObservabilityRuntime.start(obs, loop: loop, tap: tap, telemetry: bybit?.telemetry, liveEnable: options.liveEnable,
                                              processStart: processStart,
                                              announce: announce) {
            case .success(let runtime):
                observability = runtime
                sink.flush()
            case .failure(let error):
                Platform.writeStderr("mmbot exec-demo: --obs: \(error.description); choose another --obs-port, or 0 for any free port\n")
                return .failure
            }
        }
        logger.log(.info, name: "mm.execution", component: "execution_loop", event: "run_started", [
            ("symbols", .array(options.engine.symbols.map { .string($0.name) })), ("iterations", .int(options.engine.iterations)),
            ("mode", .string(options.engine.mode.rawValue)), ("seed", .int(Int64(bitPattern: options.engine.seed))),
        ])
        do {
            try loop.run()
        } catch {
            logger.log(.error, name: "mm.execution", component: "execution_loop", event: "run_failed", [("error", .string(error.description))])
            sink.flush()
            observability?.server.stop()
            Platform.writeStderr("mmbot exec-demo: \(error.description)\n")
            return .failure
        }
        bybit?.sweep()
        let venueSections = bybit.map {
            RunReport.Venue(networkMode: $0.options.network, warmupFilters: $0.options.warmupFilters && $0.warmupComplete,
                            bybit: $0.bybitSection, filters: $0.filtersSection)
        }
        let report = RunReport.render(RunReport.build(loop: loop, runtime: RunReport.Runtime(utc: options.runtimeUTC), venue: venueSections))
        logger.log(.info, name: "mm.execution", component: "execution_loop", event: "run_finished", [
            ("iterations", .int(loop.iterationsCompleted)), ("placed", .int(loop.counters.placed)),
            ("frozen", .bool(loop.risk.isFrozen)),
        ])
        sink.flush()
        Platform.writeStdout(report)
        var code = ExitCode.success
        if let path = options.outPath {
            do {
                try Platform.writeFileDurably(path, report)
            } catch {
                Platform.writeStderr("mmbot exec-demo: the report was printed but --out failed: \(error.description)\n")
                code = .failure
            }
        }
        observability?.lingerAndStop(stop: stop, logger: logger, flush: { sink.flush() })
        if code == .success, let reason = loop.venueHaltReason {
            let open = loop.openOrders.count
            let leftover = open == 0 ? "no order of ours is open" : "\(open) order(s) could not be canceled and may still rest at the venue (orders.open_orders lists them): cancel them from the exchange"
            Platform.writeStderr("mmbot exec-demo: stopped quoting and ended the run because the venue refused the API credentials (\(reason)); \(leftover); check the key, secret and permissions for --api-env\n")
            return .failure
        }
        if code == .success, let reason = loop.durableState?.haltReason {
            Platform.writeStderr("mmbot exec-demo: stopped quoting and canceled every open order because the state store failed: \(reason)\n")
            return .failure
        }
        return code
    }
}
