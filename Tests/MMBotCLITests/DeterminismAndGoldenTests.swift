import Foundation
import Testing

@Suite struct DeterminismAndGoldenTests {
    static let args = ["exec-demo", "--shadow", "--exchange", "fake", "--symbols", "BTCUSDT,ETHUSDT", "--iterations", "50",
                       "--max-inv", "10000", "--max-total", "50000", "--edge-threshold", "1.5", "--fill-rate", "0.8", "--latency-ms", "100"]

    @Test func twoRunsGiveIdenticalBytes() throws {
        let a = try BinaryRunner.run(Self.args)
        let b = try BinaryRunner.run(Self.args)
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout == b.stdout)
        #expect(a.stderr == b.stderr)
        #expect(a.stdout.hasSuffix("}\n"))
        let reseeded = try BinaryRunner.run(Self.args + ["--seed", "7"])
        #expect(reseeded.stdout != a.stdout)
    }

    @Test func reportMatchesTheGoldenFile() throws {
        let result = try BinaryRunner.run(Self.args)
        #expect(result.status == 0)
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/scenario1.json")
        if ProcessInfo.processInfo.environment["MMBOT_RECORD_GOLDEN"] == "1" {
            try Data(result.stdout.utf8).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(result.stdout == expected, "report differs from Golden/scenario1.json; if the change is intended, re-record with MMBOT_RECORD_GOLDEN=1 swift test --filter reportMatchesTheGoldenFile and review the diff")
    }

    @Test func outWritesTheSameBytesAsStdout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mmbot-out-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("report.json").path
        let result = try BinaryRunner.run(Self.args + ["--out", path])
        #expect(result.status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == result.stdout)
    }

    @Test func withoutFrozenTimeTheWallClockIsUsed() throws {
        let result = try BinaryRunner.run(["exec-demo", "--shadow", "--iterations", "2"], environment: ["MM_FREEZE_UTC_ISO": nil])
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect((report.at("runtime.time_source") as? String) == "wall_clock")
        let start = report.int("execution.start_time_ms")
        let now = Int(Date().timeIntervalSince1970 * 1000)
        #expect(abs(now - start) < 120_000)
    }
}
