import Foundation
import Testing

/// The runbook's launch scenarios and freeze test, run through the real binary.
@Suite struct ExecDemoScenarioTests {
    static let common = ["exec-demo", "--shadow", "--exchange", "fake", "--mode", "shadow", "--no-network"]

    @Test func scenario1NormalRunFillsMostOrdersWithoutFreezing() throws {
        let result = try BinaryRunner.run(Self.common + [
            "--symbols", "BTCUSDT,ETHUSDT", "--iterations", "50", "--max-inv", "10000", "--max-total", "50000",
            "--edge-threshold", "1.5", "--fill-rate", "0.8", "--latency-ms", "100",
        ])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        let placed = report.int("orders.placed")
        let filled = report.int("orders.filled")
        #expect(report.bool("risk.frozen") == false)
        #expect(report.int("risk.freeze_events") == 0)
        #expect(Double(filled) >= 0.7 * Double(placed) && Double(filled) <= 0.9 * Double(placed))
        #expect(Double(report.int("orders.risk_blocks")) < 0.2 * Double(placed))
        #expect(placed == filled + report.int("orders.canceled") + report.int("orders.open"))
        #expect(report.int("execution.iterations") == 50)
        #expect(report.int("execution.duration_ms") == 50_000)
        #expect(report.int("execution.start_time_ms") == 1_735_689_600_000)
        #expect((report.at("runtime.utc") as? String) == "2025-01-01T00:00:00Z")
        #expect((report.at("execution.symbols") as? [String]) == ["BTCUSDT", "ETHUSDT"])
    }

    @Test func scenario2HighEdgeThresholdFreezesAndCancels() throws {
        let result = try BinaryRunner.run(Self.common + [
            "--symbols", "BTCUSDT", "--iterations", "30", "--max-inv", "10000", "--max-total", "50000",
            "--edge-threshold", "8.0", "--fill-rate", "0.9", "--latency-ms", "100",
        ])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect(report.bool("risk.frozen") == true)
        #expect(report.int("risk.freeze_events") >= 1)
        #expect(report.int("orders.canceled") > 0)
        #expect(report.int("orders.canceled_by_reason.freeze") > 0)
        #expect((report.at("risk.last_freeze_reason") as? String) == "Edge below threshold")
        #expect((report.at("risk.last_freeze_symbol") as? String) == "BTCUSDT")
        #expect(report.int("orders.open") == 0)
        #expect(result.stderr.contains("\"event\":\"freeze_triggered\""))
        #expect(result.stderr.contains("\"event\":\"cancel_all_done\""))
    }

    @Test func scenario3TightLimitsBlockManyOrdersWithoutFreezing() throws {
        let result = try BinaryRunner.run(Self.common + [
            "--symbols", "BTCUSDT,ETHUSDT", "--iterations", "40", "--max-inv", "5000", "--max-total", "8000",
            "--edge-threshold", "1.0", "--fill-rate", "0.95", "--latency-ms", "50",
        ])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect(report.int("orders.risk_blocks") > 10)
        #expect(report.int("risk.blocks_total") == report.int("orders.risk_blocks"))
        #expect(report.bool("risk.frozen") == false)
        #expect(result.stderr.contains("\"event\":\"risk_check_blocked\""))
    }

    @Test func freezeTestFromTheRunbook() throws {
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--exchange", "fake", "--no-network", "--symbols", "BTCUSDT",
                                           "--iterations", "20", "--edge-threshold", "10.0"])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect(report.int("risk.freeze_events") >= 1)
        #expect(report.int("orders.canceled") > 0)
    }

    @Test func everyLogLineIsOneJSONObjectWithTheRunbookFields() throws {
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "10"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count > 20)
        var events = Set<String>()
        for line in lines {
            let object = try BinaryRunner.json(String(line))
            for field in ["ts_utc", "lvl", "name", "component", "event"] { #expect(object[field] != nil, "\(field) in \(line)") }
            events.insert(object["event"] as? String ?? "")
        }
        for event in ["order_placed", "order_placed_scheduled_fill", "fill_generated", "order_filled", "order_canceled", "cancel_all_done"] {
            #expect(events.contains(event), "missing \(event)")
        }
    }

    @Test func textLogsAndQuietLevels() throws {
        let text = try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "3", "--log-format", "text"])
        #expect(text.status == 0)
        #expect(text.stderr.hasPrefix("2025-01-01T00:00:00.000000Z INFO mm.execution execution_loop run_started"))
        let quiet = try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "3", "--log-level", "off"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        #expect(quiet.stdout == text.stdout)
    }

    @Test func dryRunPlansButNeverFills() throws {
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--mode", "dryrun", "--iterations", "20"])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect((report.at("execution.mode") as? String) == "dryrun")
        #expect(report.int("orders.placed") > 0)
        #expect(report.int("orders.fills") == 0)
        #expect(report.int("orders.filled") == 0)
    }

    @Test func noMakerOnlyWithANegativeOffsetTakesLiquidity() throws {
        let maker = try BinaryRunner.json(try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "20", "--post-only-offset-bps", "-5"]).stdout)
        #expect(maker.int("orders.rejected_by_reason.post_only_would_take") > 0)
        #expect(maker.int("orders.taker_fills") == 0)
        let taker = try BinaryRunner.json(try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "20", "--post-only-offset-bps", "-5",
                                                                "--no-maker-only"]).stdout)
        #expect(taker.int("orders.taker_fills") > 0)
        #expect(taker.int("orders.rejected") == 0)
    }
}
