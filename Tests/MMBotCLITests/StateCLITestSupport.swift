import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// Runs the built `mmbot` binary as a user would.
enum MMBotBinary {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "the mmbot binary is not at \(path); build it first (swift build --build-tests builds it)" }
    }

    static func path() throws -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        // swift test runs .build/<config>/<Package>PackageTests.xctest (a file on Linux).
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        let candidate = directory.appendingPathComponent("mmbot").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else { throw Missing(path: candidate) }
        return candidate
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let killed: Bool
    }

    /// Starts mmbot; the caller waits or kills.
    final class Running: @unchecked Sendable {
        let process = Process()
        let out = Pipe()
        let err = Pipe()
        private var outData = Data()
        private var errData = Data()
        private let group = DispatchGroup()

        init(_ arguments: [String], environment: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: try MMBotBinary.path())
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            process.environment = env
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            for (pipe, isOut) in [(out, true), (err, false)] {
                group.enter()
                DispatchQueue.global().async { [self] in
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    if isOut { outData = data } else { errData = data }
                    group.leave()
                }
            }
        }

        func kill9() { kill(process.processIdentifier, SIGKILL) }

        func wait(timeout: TimeInterval = 60) -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(2_000) }
            if process.isRunning { kill9() }
            process.waitUntilExit()
            group.wait()
            return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self), killed: process.terminationReason == .uncaughtSignal)
        }
    }

    static func run(_ arguments: [String], environment: [String: String] = ["MM_FREEZE_UTC_ISO": "2025-01-01T00:00:00Z"]) throws -> Result {
        try Running(arguments, environment: environment).wait()
    }
}

enum CLITestRedis {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "MMBOT_TEST_REDIS_URL is not set: these tests need a real redis-server; run 'bash .ci/run' or start one and export e.g. MMBOT_TEST_REDIS_URL=redis://127.0.0.1:6379"
        }
    }

    /// The test Redis on `database` as URL text, emptied first.
    static func url(database: Int) throws -> String {
        guard let text = ProcessInfo.processInfo.environment["MMBOT_TEST_REDIS_URL"] else { throw Missing() }
        let base = try RedisURL(parsing: text)
        let url = RedisURL(host: base.host, port: base.port, database: database, username: base.username, password: base.password)
        try RedisClient(url: url).command(["FLUSHDB"])
        var text2 = "redis://"
        if let password = base.password { text2 += (base.username ?? "") + ":" + password + "@" }
        return text2 + "\(base.host):\(base.port)/\(database)"
    }
}

func scratch(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "mmbot-cli-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func jsonLines(_ text: String) -> [JSONValue] {
    text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
}
