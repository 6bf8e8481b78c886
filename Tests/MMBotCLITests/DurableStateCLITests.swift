import Foundation
import Testing
@testable import MMBotCLI
@testable import MMBotCore
@testable import MMBotSupport

@Suite struct DurableStateFlagTests {
    @Test func helpListsEveryStateFlagWithItsDefault() throws {
        let result = try MMBotBinary.run(["exec-demo", "--help"])
        #expect(result.status == 0)
        for (flag, defaultText) in [("--durable-state", "off"), ("--state-dir DIR", "artifacts/state"), ("--recover", "off"),
                                    ("--state-backend NAME", "file"), ("--redis-url URL", "redis://127.0.0.1:6379/0"),
                                    ("--on-recover ACTION", "cancel")] {
            let line = result.stdout.split(separator: "\n").first { $0.contains(flag) }
            #expect(line != nil, "\(flag) missing from --help")
            let text = result.stdout[result.stdout.range(of: flag)!.lowerBound...].prefix(400)
            #expect(text.contains("(default: \(defaultText))"), "\(flag) has no default \(defaultText) in --help")
        }
    }

    @Test(arguments: [
        (["--recover"], "--recover needs --durable-state"),
        (["--state-dir", "/tmp/x"], "--state-dir has no effect without --durable-state"),
        (["--durable-state", "--state-backend", "etcd"], "--state-backend must be one of file|redis, got 'etcd'"),
        (["--durable-state", "--state-backend", "redis", "--redis-url", "http://h"], "--redis-url: 'http://h' is not a Redis URL"),
        (["--durable-state", "--redis-url", "redis://h"], "--redis-url has no effect with --state-backend file"),
        (["--durable-state", "--on-recover", "adopt"], "--on-recover has no effect without --recover"),
        (["--durable-state", "--recover", "--on-recover", "keep"], "--on-recover must be one of cancel|adopt, got 'keep'"),
        (["--durable-state", "--mode", "dryrun"], "--durable-state needs --mode shadow"),
        (["--durable-state", "--state-dir", ""], "--state-dir needs a directory path"),
        (["--durable-state", "--exchange", "bybit"], "--durable-state works with --exchange fake only"),
    ])
    func badStateFlagsExitTwoWithOneLine(_ extra: [String], _ message: String) throws {
        let result = try MMBotBinary.run(["exec-demo", "--shadow"] + extra)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func recoverWithoutStateExitsOneAndSuggestsAFreshStart() throws {
        let dir = try scratch("nostate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--recover"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("run without --recover for a fresh start"))
    }

    @Test func corruptionBeforeTheTailExitsOneNamingFileAndLineAndChangesNothing() throws {
        let dir = try scratch("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--iterations", "30",
                                         "--pace", "realtime", "--tick-ms", "1", "--log-level", "off"])
        #expect(first.status == 0)
        // A journal with a damaged second line (of three).
        let line = #"{"key":"place:mm-000000ab-1","lsn":1,"op":"cancel_all","ts_ms":1}"#
        let journal = line + "\n" + "{\"key\":\"place:mm-0\n" + line.replacingOccurrences(of: "\"lsn\":1", with: "\"lsn\":3") + "\n"
        try journal.write(toFile: dir + "/journal.jsonl", atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "lock" }.sorted().map {
            try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))
        }
        let result = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--recover"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("journal.jsonl line 2"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        let after = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "lock" }.sorted().map {
            try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))
        }
        #expect(after == before)
    }

    @Test func aSecondProcessOnTheSameStateDirIsRefused() throws {
        let dir = try scratch("lock")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try MMBotBinary.Running(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--iterations", "100000",
                                             "--pace", "realtime", "--tick-ms", "20", "--log-level", "info"],
                                            environment: ["MM_FREEZE_UTC_ISO": "2025-01-01T00:00:00Z"])
        defer { first.kill9(); _ = first.wait() }
        var holderStarted = false
        for _ in 0..<200 where !holderStarted {
            usleep(20_000)
            holderStarted = FileManager.default.fileExists(atPath: dir + "/sessions.json")
        }
        #expect(holderStarted)
        let second = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--recover"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("in use by another mmbot process (pid \(first.process.processIdentifier))"), "stderr: \(second.stderr)")
    }

    @Test func aFreezeWritesTheSnapshotFilesAndARecoverRunReportsRecovery() throws {
        let dir = try scratch("freeze")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--edge-threshold", "10",
                                       "--iterations", "20", "--log-level", "off"])
        #expect(run.status == 0)
        let report = try JSONParser.parse(run.stdout)
        #expect(report["risk"]?["frozen"] == .bool(true))
        #expect(report["state"]?["backend"] == .string("file"))
        #expect((report["state"]?["snapshots_written"]?.intValue ?? 0) >= 3)
        #expect(FileManager.default.fileExists(atPath: dir + "/orders.jsonl"))
        let stamp = try String(contentsOfFile: dir + "/last_snapshot_ts.txt", encoding: .utf8)
        #expect(stamp.hasPrefix("2025-01-01T00:00:"))
        for line in try String(contentsOfFile: dir + "/orders.jsonl", encoding: .utf8).split(separator: "\n") {
            let order = try JSONParser.parse(String(line))
            for field in ["client_order_id", "symbol", "side", "state", "qty", "price", "filled_qty", "created_ms", "updated_ms"] {
                #expect(order[field] != nil, "orders.jsonl line lacks \(field)")
            }
        }
        let again = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--recover", "--iterations", "5",
                                         "--log-level", "off"])
        #expect(again.status == 0)
        let recovery = try #require(try JSONParser.parse(again.stdout)["recovery"])
        #expect(recovery["recovered"] == .bool(true))
        #expect(recovery["action"] == .string("cancel"))
        #expect(recovery["open_orders_count"] == .int(0))
        #expect(recovery["snapshot_ts"]?.stringValue == stamp.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try JSONParser.parse(again.stdout)["state"]?["recoveries"] == .int(1))
    }

    @Test func redisKeysAreVisibleWithRedisCLI() throws {
        let url = try CLITestRedis.url(database: 40)
        let dir = try scratch("rediscli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try MMBotBinary.run(["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--state-backend", "redis",
                                       "--redis-url", url, "--iterations", "10", "--log-level", "off"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        for (pattern, minimum) in [("orders:*", 10), ("idem:*", 10)] {
            let cli = Process()
            cli.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            cli.arguments = ["redis-cli", "-u", url, "--scan", "--pattern", pattern]
            let pipe = Pipe()
            cli.standardOutput = pipe
            try cli.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            cli.waitUntilExit()
            #expect(cli.terminationStatus == 0, "redis-cli is missing or failed")
            let keys = text.split(separator: "\n")
            #expect(keys.count >= minimum, "\(pattern): \(keys.count) keys")
            #expect(keys.allSatisfy { $0.hasPrefix(pattern.dropLast()) })
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/orders.jsonl"))
    }
}
