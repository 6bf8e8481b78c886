import Foundation
import Synchronization
import Testing

/// Runs the built `mmbot` binary as an operator would, with an environment built from scratch
/// (nothing inherited but PATH), and captures stdout, stderr and the exit code.
enum SecretsCLIHarness {
    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String

        /// stdout parsed as one JSON object.
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }

        /// The lines of stderr (a final newline does not start another line).
        var stderrLines: [Substring] { Array(stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()) }
    }

    /// The `mmbot` executable next to the test bundle (swift build puts both in one directory).
    static let binary: String = {
        var candidates: [String] = []
        let bundleDirectory = Bundle.main.bundleURL.path
        candidates.append(bundleDirectory + "/mmbot")
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().path + "/mmbot")
        if let executable = Bundle.main.executableURL?.deletingLastPathComponent().path { candidates.append(executable + "/mmbot") }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        candidates.append(root + "/.build/debug/mmbot")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Runs `mmbot arguments...` with `environment` (plus PATH) and `stdin`, in `directory`.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                    directory: String? = nil, timeoutSeconds: Double = 60) throws -> Result {
        try execute(binary, arguments, environment: environment, stdin: stdin, directory: directory, timeoutSeconds: timeoutSeconds)
    }

    static func execute(_ path: String, _ arguments: [String], environment: [String: String], stdin: String? = nil,
                        directory: String? = nil, timeoutSeconds: Double = 60) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("\(path) is not an executable; build first (swift build --build-tests, or bash .ci/run)")
        }
        let captures = NSTemporaryDirectory() + "mmbot-cli-capture-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: captures, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let outPath = captures + "/stdout", errPath = captures + "/stderr", inPath = captures + "/stdin"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil),
              FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        else { throw HarnessError("could not create the capture files in \(captures)") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = environment
        if env["PATH"] == nil { env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw HarnessError("\(path) \(arguments.joined(separator: " ")) ran longer than \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        try outHandle.close(); try errHandle.close(); try inHandle.close()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A fresh directory that serves as HOME for one test.
    static func makeHome() throws -> String {
        let path = NSTemporaryDirectory() + "mmbot-cli-home-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// The moto server `.ci/run` starts (`MMBOT_TEST_MOTO_URL`), and boto3 as the independent
/// client that checks what mmbot wrote. A missing moto is a failure, never a skip.
enum SecretsMoto {
    static func url(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        guard let url = ProcessInfo.processInfo.environment["MMBOT_TEST_MOTO_URL"], !url.isEmpty else {
            Issue.record("MMBOT_TEST_MOTO_URL is not set: these tests need a moto Secrets Manager server; run them with 'bash .ci/run', which installs and starts it", sourceLocation: sourceLocation)
            throw SecretsCLIHarness.HarnessError("no moto server")
        }
        return url
    }

    /// The AWS variables for mmbot and boto3 against moto in `region` (each test uses its own
    /// region, so tests running in parallel never see each other's secrets).
    static func environment(region: String, home: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: String] {
        [
            "HOME": home, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region, "AWS_ENDPOINT_URL": try url(sourceLocation: sourceLocation),
        ]
    }

    /// The real interpreter behind `python3` on PATH (resolved once with the test's own
    /// environment, since version-manager shims need variables the scrubbed one lacks).
    static func pythonExecutable() throws -> String {
        if let cached = pythonPath.withLock({ $0 }) { return cached }
        let result = try SecretsCLIHarness.execute("/usr/bin/env", ["python3", "-c", "import sys, boto3; print(sys.executable)"],
                                                   environment: ProcessInfo.processInfo.environment)
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !path.isEmpty else {
            throw SecretsCLIHarness.HarnessError("python3 with boto3 is missing (\(result.stderr.suffix(300))); run 'bash .ci/run', which installs moto[server] and boto3")
        }
        pythonPath.withLock { $0 = path }
        return path
    }

    private static let pythonPath = Mutex<String?>(nil)

    /// Runs a Python snippet with boto3 imported and `sm` a Secrets Manager client for the
    /// environment's region and endpoint; returns its stdout (trimmed).
    static func boto3(_ script: String, environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let prelude = """
        import os, sys, boto3
        sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])

        """
        let result = try SecretsCLIHarness.execute(try pythonExecutable(), ["-c", prelude + script], environment: environment)
        guard result.status == 0 else {
            Issue.record("boto3 script failed (\(result.status)): \(result.stderr.suffix(600))", sourceLocation: sourceLocation)
            throw SecretsCLIHarness.HarnessError("boto3 failed")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
