import Foundation
import Testing

/// The dual-consent kill switch and the Bybit modes through the real binary: every unarmed live
/// start is refused with exit 3 before a single request; contradictions are usage errors.
@Suite(.serialized) struct KillSwitchTests {
    static let refusal = "Attempted to enable live mode without dual consent"

    func execDemo(_ flags: [String], _ env: [String: String?]) throws -> BinaryRunner.Result {
        var defaults: [String] = []
        if !flags.contains("--symbols") { defaults += ["--symbols", "BTCUSDT"] }
        if !flags.contains("--iterations") { defaults += ["--iterations", "3"] }
        return try BinaryRunner.run(["exec-demo", "--shadow"] + defaults + flags,
                             environment: ExchangeSimHarness.credentials.merging(env) { _, new in new })
    }

    @Test func theMatrix() throws {
        let sim = try ExchangeSimHarness(["--rate-limit-per-s", "1000"])
        defer { sim.stop() }
        let url = ["--api-base-url", sim.url]
        // (flags, MM_LIVE_ENABLE, expected exit code)
        let unarmed: [String?] = [nil, "", "0", "true", "yes", " 1", "1 ", "01", "TRUE"]
        var cases: [([String], String?, Int32)] = []
        for value in unarmed {
            cases.append((["--network"] + url, value, 3))
            cases.append((["--live"] + url, value, 3))
            cases.append((["--live", "--network"] + url, value, 3))
            cases.append((["--network", "--testnet"] + url, value, 0))
            cases.append((["--exchange", "bybit", "--no-network"], value, 0))
        }
        for (flags, value, code) in cases {
            let result = try execDemo(flags, ["MM_LIVE_ENABLE": value])
            #expect(result.status == code, "\(flags) MM_LIVE_ENABLE=\(value ?? "<unset>"): \(result.stderr.suffix(500))")
            if code == 3 {
                #expect(result.stderr.contains(Self.refusal))
                #expect(result.stderr.contains("export MM_LIVE_ENABLE=1"))
                #expect(result.stdout.isEmpty, "a refused run prints no report")
            }
        }
        let before = try sim.state()["requests"] as? Int ?? -1
        for flags in [["--live"] + url, ["--network"] + url] {
            _ = try execDemo(flags, ["MM_LIVE_ENABLE": "0"])
        }
        #expect(try sim.state()["requests"] as? Int == before, "a refused live start sends no request")
        // Armed: both consents given, pointed at the simulator.
        let armed = try execDemo(["--live"] + url, ["MM_LIVE_ENABLE": "1"])
        #expect(armed.status == 0, "\(armed.stderr.suffix(500))")
        let report = try BinaryRunner.json(armed.stdout)
        #expect(report.at("execution.network_mode") as? String == "live")
        #expect(try sim.state()["requests"] as? Int ?? 0 > before)
    }

    @Test func contradictionsAreUsageErrors() throws {
        let cases: [([String], String)] = [
            (["--live", "--testnet"], "--live and --testnet contradict each other"),
            (["--live", "--no-network"], "--live contradicts --no-network"),
            (["--testnet"], "--testnet selects the venue for --network"),
            (["--exchange", "fake", "--network", "--testnet"], "--exchange fake is the in-process simulated venue"),
            (["--exchange", "kraken"], "--exchange must be fake"),
            (["--exchange", "bybit", "--api-base-url", "http://127.0.0.1:1"], "--api-base-url has no effect without --network"),
            (["--network", "--testnet", "--api-base-url", "ftp://x"], "--api-base-url must be an http:// or https:// URL"),
            (["--network", "--testnet", "--api-base-url", "http://127.0.0.1:9/v5"], "no path"),
            (["--warmup-filters"], "--warmup-filters applies to --exchange bybit only"),
            (["--exchange", "bybit", "--filters-ttl-s", "0"], "--filters-ttl-s must be a whole number from 1 to 86400"),
            (["--exchange", "bybit", "--api-env", "live"], "--api-env must be one of dev|shadow|soak|prod"),
            (["--network", "--testnet", "--fill-rate", "0.5"], "--fill-rate shapes the simulated venue and has no effect with --network/--live"),
            (["--network", "--testnet", "--reject-rate", "1"], "--reject-rate shapes the simulated venue"),
            (["--network", "--testnet", "--tick-ms", "200"], "--tick-ms has no effect on a network run in virtual pace"),
        ]
        for (flags, message) in cases {
            let result = try execDemo(flags, ["MM_LIVE_ENABLE": "1"])
            #expect(result.status == 2, "\(flags): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(flags): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        let badURL = try execDemo(["--network", "--testnet"], ["BYBIT_BASE_URL": "not a url"])
        #expect(badURL.status == 2 && badURL.stderr.contains("BYBIT_BASE_URL must be an http://"))
    }

    @Test func bybitDryRunNeedsCredentialsAndIsReproducible() throws {
        let missing = try execDemo(["--exchange", "bybit", "--no-network"], ["BYBIT_API_KEY": nil, "BYBIT_API_SECRET": nil, "SECRETS_BACKEND": nil])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("BYBIT_API_KEY") && missing.stdout.isEmpty)
        let a = try execDemo(["--exchange", "bybit", "--no-network", "--iterations", "40", "--symbols", "BTCUSDT,ETHUSDT"], [:])
        let b = try execDemo(["--exchange", "bybit", "--no-network", "--iterations", "40", "--symbols", "BTCUSDT,ETHUSDT"], [:])
        #expect(a.status == 0 && a.stdout == b.stdout, "the in-process Bybit run is byte-identical run to run")
        #expect(!a.stdout.contains(ExchangeSimHarness.secret) && !a.stderr.contains(ExchangeSimHarness.secret))
        #expect(!a.stdout.contains(ExchangeSimHarness.key) && !a.stderr.contains(ExchangeSimHarness.key))
        let report = try BinaryRunner.json(a.stdout)
        #expect(report.int("bybit.requests") > 100)
        #expect(report.at("bybit.base_url") as? String == "in-process")
        #expect(report.bool("execution.warmup_filters") == false)
        let warm = try execDemo(["--exchange", "bybit", "--warmup-filters"], [:])
        #expect(try BinaryRunner.json(warm.stdout).bool("execution.warmup_filters") == true)
        // The same engine through the v5 client gives the same trading as the direct fake venue.
        let fake = try BinaryRunner.json(try execDemo(["--iterations", "40", "--symbols", "BTCUSDT,ETHUSDT"], [:]).stdout)
        for key in ["orders.placed", "orders.filled", "orders.canceled", "orders.fills"] { #expect(report.int(key) == fake.int(key), "\(key)") }
    }

    @Test func aVenueThatIsDownFailsTheStartInOneSentence() throws {
        let result = try execDemo(["--network", "--testnet", "--api-base-url", "http://127.0.0.1:1", "--http-timeout-ms", "500"], [:])
        #expect(result.status == 1)
        #expect(result.stderr.contains("could not start against http://127.0.0.1:1"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
