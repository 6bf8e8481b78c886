import Foundation
import Testing

/// Bad input never runs and never prints a report: exit 2 and one line naming what was wrong.
@Suite struct BadInputTests {
    static let cases: [([String], [String: String?], String)] = [
        (["exec-demo"], [:], "--shadow"),
        (["exec-demo", "--shadow", "--bogus"], [:], "unknown option '--bogus'"),
        (["exec-demo", "--shadow", "--iterations"], [:], "--iterations needs a value"),
        (["exec-demo", "--shadow", "--iterations", "0"], [:], "--iterations must be a whole number from 1"),
        (["exec-demo", "--shadow", "--iterations", "ten"], [:], "got 'ten'"),
        (["exec-demo", "--shadow", "--fill-rate", "1.5"], [:], "--fill-rate must be a decimal from 0 to 1"),
        (["exec-demo", "--shadow", "--reject-rate", "-0.1"], [:], "--reject-rate must be a decimal from 0 to 1"),
        (["exec-demo", "--shadow", "--max-inv", "0"], [:], "--max-inv must be a decimal greater than 0"),
        (["exec-demo", "--shadow", "--max-total", "-5"], [:], "--max-total must be a decimal greater than 0"),
        (["exec-demo", "--shadow", "--tick-ms", "0"], [:], "--tick-ms must be a whole number from 1"),
        (["exec-demo", "--shadow", "--symbols", ""], [:], "--symbols needs at least one symbol"),
        (["exec-demo", "--shadow", "--symbols", ",,"], [:], "--symbols needs at least one symbol"),
        (["exec-demo", "--shadow", "--symbols", "BTC-USDT"], [:], "'BTC-USDT' is not a symbol"),
        (["exec-demo", "--shadow", "--exchange", "binance"], [:], "--exchange must be fake"),
        (["exec-demo", "--shadow", "--mode", "live"], [:], "--mode must be one of shadow|dryrun"),
        (["exec-demo", "--shadow", "--pace", "fast"], [:], "--pace must be one of virtual|realtime"),
        (["exec-demo", "--shadow", "--log-level", "loud"], [:], "--log-level must be one of"),
        (["exec-demo", "--shadow", "--log-format", "xml"], [:], "--log-format must be one of json|text"),
        (["exec-demo", "--shadow", "--resume-edge-bps", "1"], [:], "--resume-edge-bps must be at least --edge-threshold"),
        (["exec-demo", "--shadow", "--seed", "-1"], [:], "--seed must be a whole number"),
        (["exec-demo", "--shadow", "--mode", "dryrun", "--fill-rate", "0.5"], [:], "--fill-rate has no effect with --mode dryrun"),
        (["exec-demo", "--shadow", "--out", "/nonexistent-dir/r.json"], [:], "--out directory '/nonexistent-dir' does not exist"),
        (["exec-demo", "--shadow", "--iterations", "5", "--iterations", "6"], [:], "--iterations given more than once"),
        (["exec-demo", "--shadow=yes"], [:], "--shadow takes no value"),
        (["exec-demo", "--shadow"], ["MM_FREEZE_UTC_ISO": "2025-13-01"], "MM_FREEZE_UTC_ISO: '2025-13-01' is not an ISO 8601 UTC instant"),
        (["bench", "--state-dir", "/tmp/x"], [:], "--state-dir has no effect without --store file or --store redis"),
        (["bench", "--store", "file", "--redis-url", "redis://127.0.0.1:6379/0"], [:], "--redis-url has no effect without --store redis"),
        (["exchange-sim", "--port", "0", "--fault-timeout-ms", "5"], [:], "--fault-timeout-ms has no effect without --fault-timeout-rate"),
        (["frobnicate"], [:], "unknown command 'frobnicate'"),
        ([], [:], "missing command"),
    ]

    @Test(arguments: 0..<cases.count)
    func exitsTwoWithOneClearLine(_ index: Int) throws {
        let (arguments, environment, expected) = Self.cases[index]
        let result = try BinaryRunner.run(arguments, environment: environment)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.stdout.isEmpty, "no report for bad input: \(arguments)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test func helpListsEveryFlagWithItsDefault() throws {
        let result = try BinaryRunner.run(["exec-demo", "--help"])
        #expect(result.status == 0)
        for flag in ["--shadow", "--exchange", "--mode", "--no-network", "--symbols", "--iterations", "--max-inv", "--max-total",
                     "--edge-threshold", "--fill-rate", "--reject-rate", "--latency-ms", "--maker-only/--no-maker-only",
                     "--post-only-offset-bps", "--order-notional-usd", "--seed", "--tick-ms", "--pace", "--resume-edge-bps",
                     "--log-level", "--log-format", "--out"] {
            #expect(result.stdout.contains(flag), "\(flag)")
        }
        #expect(result.stdout.components(separatedBy: "(default:").count - 1 >= 19)
        let root = try BinaryRunner.run(["--help"])
        #expect(root.status == 0 && root.stdout.contains("exec-demo"))
        let version = try BinaryRunner.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("mmbot "))
    }

    @Test func symbolsAreUpperCasedAndDeduplicated() throws {
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "2", "--symbols", " btcusdt, ETHUSDT ,BTCUSDT,solusdt"])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect((report.at("execution.symbols") as? [String]) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
    }
}
