import Foundation
import MMBotCore
import MMBotSupport

/// `mmbot exchange-sim`: a Bybit v5-compatible HTTP API over the simulated venue, for rehearsals
/// (`exec-demo --network --testnet --api-base-url http://127.0.0.1:P`) and the official SDK's
/// conformance tests. Runs until SIGINT/SIGTERM (or --duration-s), then prints its final state.
package enum ExchangeSimCommand {
    package static let name = "mmbot exchange-sim"

    package static let specs: [OptionSpec] = [
        OptionSpec("--port", value: "PORT", default: "9100", help: "Port to listen on, 0 to 65535; 0 picks a free one (named in the exchange_sim_listening line)."),
        OptionSpec("--host", value: "HOST", default: "127.0.0.1", help: "Address to listen on: an IPv4/IPv6 address or localhost (loopback by default)."),
        OptionSpec("--symbols", value: "LIST", default: "BTCUSDT,ETHUSDT,SOLUSDT", help: "Symbols the venue lists (category linear)."),
        OptionSpec("--seed", value: "N", default: "42", help: "Seed for the market, the fill model and the faults, 0 to 2^64-1."),
        OptionSpec("--fill-rate", value: "RATE", default: "0.8", help: "Chance a resting order fills, 0 to 1."),
        OptionSpec("--reject-rate", value: "RATE", default: "0", help: "Chance an order is refused with 110007 (insufficient balance), 0 to 1."),
        OptionSpec("--partial-fill-rate", value: "RATE", default: "0.2", help: "Chance a fill comes in two parts, 0 to 1."),
        OptionSpec("--latency-ms", value: "MS", default: "100", help: "Wall-clock ms from placement to the earliest fill, 0 to 3600000."),
        OptionSpec("--tick-ms", value: "MS", default: "1000", help: "Wall-clock ms per step of the synthetic market, 1 to 86400000."),
        OptionSpec("--rate-limit-per-s", value: "N", default: "Bybit's: 10 for create/cancel/cancel-all, 50 for reads",
                   help: "Requests per second per API key and endpoint, 1 to 100000; past it: retCode 10006."),
        OptionSpec("--fault-5xx-rate", value: "RATE", default: "0", help: "Chance a v5 request is answered HTTP 503 without being carried out, 0 to 1."),
        OptionSpec("--fault-timeout-rate", value: "RATE", default: "0",
                   help: "Chance a v5 request is carried out but answered only after --fault-timeout-ms, 0 to 1."),
        OptionSpec("--fault-timeout-ms", value: "MS", default: "3000", help: "How long a held answer waits, 1 to 600000."),
        OptionSpec("--fault-drop-ack-rate", value: "RATE", default: "0",
                   help: "Chance an order create/cancel is carried out and its connection closed without an answer, 0 to 1."),
        OptionSpec("--duration-s", value: "SECONDS", default: "0 (until SIGINT/SIGTERM)", help: "Stop after this many seconds, 0 to 86400."),
        OptionSpec("--log-level", value: "LEVEL", default: "info", help: "debug, info, warning, error or off (logs go to stderr)."),
        OptionSpec("--log-format", value: "FORMAT", default: "json", help: "json (one object per line) or text."),
    ]

    package static let usage = "mmbot exchange-sim [--port P] [--host 127.0.0.1] [options]"
    package static let summary = """
    Serves a Bybit v5-compatible REST API (category linear) backed by the same simulated venue as
    exec-demo's fake exchange: market time, instruments-info, tickers, orderbook (public); order
    create, cancel, cancel-all, realtime, execution list, position list (signed). It checks
    X-BAPI-* signatures and receive windows (retCodes 10003, 10004, 10002), limits each key per
    endpoint with X-Bapi-Limit headers and 10006, and injects faults on request. GET /sim/state
    (not Bybit) shows open orders, positions and counts. On SIGINT/SIGTERM (or after --duration-s)
    it prints that state as one JSON document on stdout.
    """
    package static let footer = """
    ENVIRONMENT:
      BYBIT_API_KEY, BYBIT_API_SECRET   The one API key the venue accepts, and its secret (required).

    EXIT CODES: 0 stopped cleanly, 1 could not listen (e.g. the port is in use), 2 bad input.
    """

    package struct Options: Sendable {
        var host: Socket.Host
        var hostText: String
        var port: UInt16
        var config: BybitSimConfig
        var durationSeconds: Int64
        var logLevel: LogLevel
        var logFormat: LogFormat
    }

    package static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Options {
        let o = try OptionParser.parse(arguments, specs: specs, command: name)
        let hostText = o.string("--host") ?? "127.0.0.1"
        guard let host = Socket.Host(hostText) else {
            throw UsageError(name, "--host must be an IP address (e.g. 127.0.0.1, ::1) or localhost, got '\(hostText)'")
        }
        let port = try o.integer("--port", default: 9100, range: 0...65_535)
        let symbols: [Symbol]
        do { symbols = try ExecDemoCommand.parseSymbols(o.string("--symbols") ?? "BTCUSDT,ETHUSDT,SOLUSDT") } catch {
            throw UsageError(name, error.message)
        }
        let rate = { (flag: String, value: Fixed) throws(UsageError) -> Fixed in try o.decimal(flag, default: value, range: .zero...Fixed.one)! }
        let fill = try rate("--fill-rate", Fixed(units: 8, decimals: 1))
        let reject = try rate("--reject-rate", .zero)
        let partial = try rate("--partial-fill-rate", VenueConfig.defaultPartialFillRate)
        let latency = try o.integer("--latency-ms", default: 100, range: 0...3_600_000)
        let tick = try o.integer("--tick-ms", default: 1_000, range: 1...86_400_000)
        let limit = o.isSet("--rate-limit-per-s") ? Int(try o.integer("--rate-limit-per-s", default: 10, range: 1...100_000)) : nil
        let faults = BybitSimFaults(serverErrorRate: try rate("--fault-5xx-rate", .zero), timeoutRate: try rate("--fault-timeout-rate", .zero),
                                    dropAckRate: try rate("--fault-drop-ack-rate", .zero),
                                    timeoutDelayMs: try o.integer("--fault-timeout-ms", default: 3_000, range: 1...600_000))
        if o.isSet("--fault-timeout-ms"), faults.timeoutRate.isZero {
            throw UsageError(name, "--fault-timeout-ms has no effect without --fault-timeout-rate above 0; add the rate or drop it")
        }
        let duration = try o.integer("--duration-s", default: 0, range: 0...86_400)
        let levelText = o.string("--log-level") ?? "info"
        guard let level = LogLevel(name: levelText) else {
            throw UsageError(name, "--log-level must be one of debug|info|warning|error|off, got '\(levelText)'")
        }
        let format: LogFormat = try o.choice("--log-format", default: .json)
        guard let key = environment["BYBIT_API_KEY"], !key.isEmpty, let secret = environment["BYBIT_API_SECRET"], !secret.isEmpty else {
            throw UsageError(name, "BYBIT_API_KEY and BYBIT_API_SECRET must be set: they are the one API key the venue accepts and its secret (export both, as for exec-demo's memory backend)")
        }
        let config = BybitSimConfig(symbols: symbols, seed: try o.unsigned("--seed", default: 42),
                                    venue: VenueConfig(fillRate: fill, rejectRate: reject, latencyMs: latency, partialFillRate: partial),
                                    tickMs: tick, keys: [key: Secret(secret)], rateLimitPerSecond: limit, faults: faults)
        return Options(host: host, hostText: hostText, port: UInt16(port), config: config, durationSeconds: duration, logLevel: level,
                       logFormat: format)
    }

    package static func run(_ options: Options) -> ExitCode {
        let stop = StopSignal()
        let trap = SignalTrap(stop: stop)
        defer { trap.cancel() }
        let sink = StderrLogSink()
        let clock = RunClock(now: Platform.wallClockMillis())
        let logger = Logger(threshold: options.logLevel, format: options.logFormat, sink: sink, clock: clock)
        let facade = BybitSimFacade(config: options.config, logger: logger, now: { Platform.wallClockMillis() })
        let server: HTTPServer
        do {
            server = try HTTPServer(host: options.host, port: options.port, router: facade.router)
        } catch {
            Platform.writeStderr("\(name): could not listen on \(options.host.display(port: options.port)): \(error.description); choose another --port, or 0 for any free port\n")
            return .failure
        }
        server.start()
        let announce = Logger(threshold: .debug, format: options.logFormat, sink: sink, clock: clock)
        let faults = options.config.faults
        announce.log(.info, name: "mm.sim", component: "exchange_sim", event: "exchange_sim_listening", [
            ("url", .string("http://\(server.address)")), ("port", .int(Int(server.port))), ("host", .string(options.hostText)),
            ("symbols", .array(options.config.symbols.map { .string($0.name) })), ("seed", .int(Int64(bitPattern: options.config.seed))),
            ("fault_5xx_rate", .decimal(faults.serverErrorRate)), ("fault_timeout_rate", .decimal(faults.timeoutRate)),
            ("fault_drop_ack_rate", .decimal(faults.dropAckRate)),
        ])
        if case .ipv4(let address) = options.host, !address.hasPrefix("127.") {
            announce.log(.warning, name: "mm.sim", component: "exchange_sim", event: "exchange_sim_not_loopback", [("host", .string(options.hostText))])
        }
        sink.flush()
        if options.durationSeconds > 0 {
            stop.wait(milliseconds: options.durationSeconds * 1000)
        } else {
            while !stop.wait(milliseconds: 60_000) {}
        }
        server.stop()
        clock.now = Platform.wallClockMillis()
        announce.log(.info, name: "mm.sim", component: "exchange_sim", event: "exchange_sim_stopped", [
            ("signal", stop.signalNumber == 0 ? .null : .int(Int(stop.signalNumber))),
        ])
        sink.flush()
        Platform.writeStdout(JSONWriter.string(facade.state(), pretty: true) + "\n")
        return .success
    }
}
