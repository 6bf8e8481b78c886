import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `mmbot` binary as a user would: arguments, environment, stdout, stderr, exit code.
struct BinaryRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `mmbot` that `swift build` put next to this test bundle.
    static let binary: URL = {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        for directory in candidates {
            let url = directory.appendingPathComponent("mmbot")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/mmbot")
    }()

    static let frozenUTC = "2025-01-01T00:00:00Z"

    /// Starts `mmbot` with `arguments`; MM_FREEZE_UTC_ISO is set unless `environment` overrides it
    /// (a nil value removes a variable).
    static func start(_ arguments: [String], environment: [String: String?] = [:], stdin: String? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["MM_FREEZE_UTC_ISO"] = frozenUTC
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return (process, out, err)
    }

    static func run(_ arguments: [String], environment: [String: String?] = [:], stdin: String? = nil) throws -> Result {
        let (process, out, err) = try start(arguments, environment: environment, stdin: stdin)
        return finish(process, out, err)
    }

    static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> Result {
        // Read both pipes concurrently so a chatty stderr cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Parses a report with Foundation, for reading fields in assertions.
    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}

extension Dictionary where Key == String, Value == Any {
    /// `report["orders.placed"]`-style access for assertions.
    func at(_ path: String) -> Any? {
        var current: Any? = self
        for part in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(part)]
        }
        return current
    }

    func int(_ path: String) -> Int { (at(path) as? NSNumber)?.intValue ?? Int.min }
    func bool(_ path: String) -> Bool? { (at(path) as? NSNumber)?.boolValue }
}
