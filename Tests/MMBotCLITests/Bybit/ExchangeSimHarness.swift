import Foundation
import Synchronization
import Testing

/// A running `mmbot exchange-sim` on 127.0.0.1 with a kernel-chosen port, started from the built
/// binary as an operator would, and stopped with SIGTERM.
final class ExchangeSimHarness: @unchecked Sendable {
    static let key = "sim-test-key-0001"
    static let secret = "sim-test-secret-0001"
    static let credentials: [String: String?] = ["BYBIT_API_KEY": key, "BYBIT_API_SECRET": secret]

    let process: Process
    let port: Int
    private let out: Pipe
    private let stderrText = TextBox()

    var url: String { "http://127.0.0.1:\(port)" }
    var stderr: String { stderrText.value.withLock { $0 } }

    init(_ arguments: [String] = []) throws {
        process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = ["exchange-sim", "--port", "0", "--log-level", "warning"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["BYBIT_API_KEY"] = Self.key
        env["BYBIT_API_SECRET"] = Self.secret
        process.environment = env
        out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = stderrText
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { text.value.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        var found: Int?
        for _ in 0..<200 {
            if let match = stderrText.value.withLock({ $0 }).firstMatch(of: /"port":(\d+)/) { found = Int(match.1); break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else {
            process.terminate()
            throw HarnessError(message: "exchange-sim did not announce its port: \(stderrText.value.withLock { $0 })")
        }
        port = found
    }

    /// GET /sim/state as a dictionary.
    func state() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(string: url + "/sim/state")!)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// SIGTERM, then the final state it prints on stdout.
    @discardableResult
    func stop() -> (status: Int32, stdout: String) {
        if process.isRunning { process.terminate() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    deinit { if process.isRunning { process.terminate() } }

    final class TextBox: Sendable { let value = Mutex("") }

    struct HarnessError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Tests/pybit/<name>.
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pybit").appendingPathComponent(name).path
    }

    /// Runs `python3 args` with `stdin`; returns status, stdout, stderr.
    static func python(_ args: [String], stdin: String = "", environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let result = BinaryRunner.finish(process, output, error)
        return (result.status, result.stdout, result.stderr)
    }
}
