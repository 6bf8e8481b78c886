import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every `bash` block in the README, the runbook and docs/ runs as written: the blocks of one file
/// run in order in one shell (as an operator would type them), in a scratch directory with a
/// `reports/` folder and the built `mmbot` on PATH. A plain fenced block right after a bash block
/// is that block's expected stdout. A block preceded by `<!-- docs-test: skip (reason) -->` is
/// not run (building the package, or running the test suite itself).
@Suite(.serialized) struct DocsCommandsTests {
    struct Block {
        let line: Int
        let code: String
        let expected: String?
    }

    /// The longest one document's blocks may take together.
    static let timeoutSeconds: Double = 300

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func documents() -> [String] {
        var files = ["README.md", "RUNBOOK_SHADOW.md"]
        let docs = root.appendingPathComponent("docs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        files += names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return files
    }

    static func blocks(in text: String) -> (run: [Block], skipped: Int) {
        let lines = text.components(separatedBy: "\n")
        var result: [Block] = []
        var skipped = 0
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.trimmingCharacters(in: .whitespaces) == "```bash" else { index += 1; continue }
            let skip = index > 0 && lines[index - 1].hasPrefix("<!-- docs-test: skip")
            var code: [String] = []
            var end = index + 1
            while end < lines.count, lines[end].trimmingCharacters(in: .whitespaces) != "```" { code.append(lines[end]); end += 1 }
            // An expected-output block: the next fence (after blank or prose lines starting with "Expected"/"On stderr") is plain.
            var expected: String?
            var probe = end + 1
            while probe < lines.count, lines[probe].trimmingCharacters(in: .whitespaces).isEmpty || lines[probe].hasPrefix("Expected")
                    || lines[probe].hasPrefix("On stderr") {
                probe += 1
            }
            if probe < lines.count, lines[probe].trimmingCharacters(in: .whitespaces) == "```" {
                var out: [String] = []
                var close = probe + 1
                while close < lines.count, lines[close].trimmingCharacters(in: .whitespaces) != "```" { out.append(lines[close]); close += 1 }
                expected = out.joined(separator: "\n")
            }
            if skip { skipped += 1 } else { result.append(Block(line: index + 1, code: code.joined(separator: "\n"), expected: expected)) }
            index = end + 1
        }
        return (result, skipped)
    }

    /// Kills the process group whose id the script wrote at its start.
    static func killGroup(recordedIn file: URL) {
        guard let text = try? String(contentsOf: file, encoding: .utf8), let group = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              group > 1 else { return }
        kill(-group, SIGKILL)
    }

    @Test(arguments: documents())
    func everyCommandRunsAsWritten(_ document: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
        let (blocks, _) = Self.blocks(in: text)
        if blocks.isEmpty { return }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mmbot-docs-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("artifacts"), withIntermediateDirectories: true)
        // Commands that read the repository's own assets (alert rules, the dashboard) find them as
        // they would from the repository root.
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("obs"), withDestinationURL: Self.root.appendingPathComponent("obs"))
        defer { try? FileManager.default.removeItem(at: scratch) }
        let pgidFile = scratch.appendingPathComponent("pgid")
        var script = "set -euo pipefail\nps -o pgid= -p $$ | tr -d ' ' > \(pgidFile.path)\n"
        for (n, block) in blocks.enumerated() {
            script += "echo '--- \(document):\(block.line)' >&2\n{\n\(block.code)\n} > \(scratch.path)/block-\(n).out\n"
        }
        // bash runs in its own session (setsid), so the watchdog and the clean-up below can kill
        // the whole process group, including anything a block left in the background. stderr
        // goes to a file, not a pipe, so a leftover child holding it open cannot hang the test.
        let stderrFile = scratch.appendingPathComponent("stderr.log")
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: stderrFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--wait", "/bin/bash", "-c", script]
        process.currentDirectoryURL = scratch
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = BinaryRunner.binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env.removeValue(forKey: "MM_FREEZE_UTC_ISO")
        // The runbook's durable-state section talks to the Redis at $REDIS_URL: the test Redis, database 0.
        if let redis = env["MMBOT_TEST_REDIS_URL"] { env["REDIS_URL"] = redis + "/0" }
        process.environment = env
        process.standardError = errHandle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timedOut = Mutex(false)
        let watchdog = DispatchWorkItem {
            timedOut.withLock { $0 = true }
            Self.killGroup(recordedIn: pgidFile)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.timeoutSeconds, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        Self.killGroup(recordedIn: pgidFile)  // anything a block left running in the background
        try errHandle.close()
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        #expect(!timedOut.withLock { $0 }, "\(document): the command blocks did not finish within \(Int(Self.timeoutSeconds)) s")
        let lastBlock = stderr.components(separatedBy: "\n").last { $0.hasPrefix("--- ") } ?? "(none)"
        #expect(process.terminationStatus == 0, "a command block failed; last block started: \(lastBlock)\n\(stderr.suffix(2000))")
        guard process.terminationStatus == 0 else { return }
        for (n, block) in blocks.enumerated() {
            guard let expected = block.expected else { continue }
            let output = try String(contentsOf: scratch.appendingPathComponent("block-\(n).out"), encoding: .utf8)
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == expected.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(document):\(block.line) printed something other than the documented output")
        }
    }

    @Test func theRunbookAndReadmeHaveRunnableBlocks() throws {
        for document in ["README.md", "RUNBOOK_SHADOW.md"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
            let (run, skipped) = Self.blocks(in: text)
            #expect(run.count >= 1, "\(document)")
            // README: build, build, test run. Runbook: build, real AWS, real testnet, real mainnet.
            #expect(skipped <= 4, "\(document) skips more blocks than those that need a build, the test run itself or a real exchange/cloud account")
        }
    }
}
