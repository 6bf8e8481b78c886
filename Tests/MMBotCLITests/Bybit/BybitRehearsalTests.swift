import Foundation
import Testing

/// exec-demo over the network against `mmbot exchange-sim`, as the runbook's rehearsal runs it:
/// the report must agree with the venue's own state, with and without injected faults.
@Suite struct BybitRehearsalTests {
    static let venueFlags = ["--tick-ms", "20", "--latency-ms", "10", "--rate-limit-per-s", "1000"]

    func run(_ sim: ExchangeSimHarness, iterations: Int, extra: [String] = []) throws -> (BinaryRunner.Result, [String: Any]) {
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--network", "--testnet", "--api-base-url", sim.url,
                                           "--symbols", "BTCUSDT,ETHUSDT", "--iterations", String(iterations), "--log-level", "warning"] + extra,
                                          environment: ExchangeSimHarness.credentials)
        return (result, try BinaryRunner.json(result.stdout))
    }

    func expectAgreement(_ report: [String: Any], _ state: [String: Any]) {
        let venuePositions = state["positions"] as? [String: Any] ?? [:]
        for symbol in ["BTCUSDT", "ETHUSDT"] {
            let ours = (report.at("positions.by_symbol.\(symbol)") as? NSNumber)?.decimalValue
            let theirs = (venuePositions[symbol] as? NSNumber)?.decimalValue
            #expect(ours != nil && ours == theirs, "\(symbol) position: report \(String(describing: ours)), venue \(String(describing: theirs))")
        }
        #expect(report.int("orders.fills") == state["executions"] as? Int, "every venue execution is a fill in the report")
        #expect(report.int("orders.open") == 0)
        #expect((state["open_orders"] as? [Any])?.isEmpty == true, "no order is left open at the venue")
        #expect(state["duplicate_link_id_creates"] as? Int == 0, "no orderLinkId was ever sent twice")
        #expect(report.int("bybit.venue_open_orders_after_shutdown") == 0)
        #expect(report.int("orders.placed") == report.int("orders.filled") + report.int("orders.canceled") + report.int("orders.open"))
    }

    @Test func aCleanNetworkRehearsalAgreesWithTheVenue() throws {
        let sim = try ExchangeSimHarness(Self.venueFlags)
        defer { sim.stop() }
        let (result, report) = try run(sim, iterations: 200)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let state = try sim.state()
        expectAgreement(report, state)
        #expect(report.int("orders.placed") > 100)
        #expect(report.int("orders.fills") > 50)
        #expect(report.at("execution.network_mode") as? String == "testnet")
        #expect(report.bool("execution.warmup_filters") == true, "warm-up is on by default for --network --testnet")
        #expect(report.at("filters.by_symbol.BTCUSDT.warmup_source") as? String == "fetched")
        #expect(report.int("bybit.errors_total") - report.int("bybit.errors.rejected") == 0)
        #expect(report.int("bybit.rate_limit_limit") == 1000)
        #expect(report.int("bybit.requests") == state["requests"] as? Int)
    }

    @Test func wrongCredentialsStopTheRunBeforeAnyOrder() throws {
        let sim = try ExchangeSimHarness(Self.venueFlags)
        defer { sim.stop() }
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--network", "--testnet", "--api-base-url", sim.url,
                                           "--symbols", "BTCUSDT", "--iterations", "20", "--log-level", "off"],
                                          environment: ["BYBIT_API_KEY": ExchangeSimHarness.key, "BYBIT_API_SECRET": "not-the-right-secret-0001"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "no report for a run that could not start")
        #expect(result.stderr.contains("refused the API credentials"), "\(result.stderr)")
        #expect(result.stderr.contains("10004"), "the retCode is named: \(result.stderr)")
        #expect(!result.stderr.contains("not-the-right-secret-0001"))
        let state = try sim.state()
        #expect(state["create_requests"] as? Int == 0, "no order reached the venue")
        #expect((state["auth_failures"] as? Int ?? 0) >= 1, "the signed check was refused")
    }

    @Test func faultsNeverDuplicateAnOrderNorLeaveOneOpen() throws {
        let sim = try ExchangeSimHarness(Self.venueFlags + ["--fault-5xx-rate", "0.05", "--fault-timeout-rate", "0.02", "--fault-timeout-ms", "400",
                                                            "--fault-drop-ack-rate", "0.02", "--seed", "7"])
        defer { sim.stop() }
        let (result, report) = try run(sim, iterations: 200, extra: ["--http-timeout-ms", "200"])
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let state = try sim.state()
        let faults = state["faults"] as? [String: Int] ?? [:]
        #expect((faults["server_error"] ?? 0) > 0 && (faults["timeout"] ?? 0) > 0 && (faults["drop_ack"] ?? 0) > 0, "\(faults)")
        expectAgreement(report, state)
        #expect(report.int("bybit.errors.server") >= faults["server_error"] ?? 0, "every 503 is counted")
        // A held answer and a dropped connection both end as "no answer in time" (URLSession on
        // Linux waits out a connection closed without a reply): each is counted.
        #expect(report.int("bybit.errors.timeout") + report.int("bybit.errors.connection") >= (faults["timeout"] ?? 0) + (faults["drop_ack"] ?? 0))
        #expect(report.int("bybit.creates_resolved_by_query") > 0, "lost create answers were resolved by querying the orderLinkId")
        #expect(report.int("bybit.retries") > 0)
    }
}
