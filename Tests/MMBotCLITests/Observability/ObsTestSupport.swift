import Foundation
import Synchronization
import Testing
import MMBotSupport

/// Where the package lives and where `swift build` put the `mmbot` binary.
enum ObsPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var mmbot: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mmbot").path
    }

    /// A tool from PATH; a missing one fails the test with what to install (never a skip).
    static func tool(_ name: String, package: String) throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ObsFailure("\(name) is not installed: install the Debian package '\(package)' (bash .ci/run does)")
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mmbot-obs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct ObsFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process whose stdout and stderr are collected as they arrive.
final class ObsProcess: @unchecked Sendable {
    let process = Process()
    private final class Bytes: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }
    private let out = Bytes()
    private let err = Bytes()
    private let readers = DispatchGroup()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ObsFailure("\(executable) does not exist: run 'swift build --build-tests' first")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MM_LIVE_ENABLE")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        drain(stdout.fileHandleForReading, into: out)
        drain(stderr.fileHandleForReading, into: err)
    }

    private func drain(_ handle: FileHandle, into store: Bytes) {
        readers.enter()
        Thread { [readers] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                store.bytes.withLock { $0.append(contentsOf: data) }
            }
            readers.leave()
        }.start()
    }

    var stdout: String { out.bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    var stderr: String { err.bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass.
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }

    /// The port from the obs_server_listening log line.
    func obsPort(seconds: Double = 20) throws -> Int {
        var port: Int?
        _ = wait(seconds: seconds) {
            for line in stderrLines where line.contains("obs_server_listening") {
                port = (try? JSONParser.parse(line))?["port"]?.intValue.map(Int.init)
            }
            return port != nil || !process.isRunning
        }
        guard let port else { throw ObsFailure("no obs_server_listening line on stderr: \(stderr)") }
        return port
    }

    /// The report, once the whole document is on stdout.
    func report(seconds: Double = 60) throws -> JSONValue {
        var report: JSONValue?
        _ = wait(seconds: seconds) {
            let text = stdout
            if text.hasSuffix("}\n") { report = try? JSONParser.parse(text) }
            return report != nil || !process.isRunning
        }
        guard let report else { throw ObsFailure("no report on stdout; stderr: \(stderr)") }
        return report
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit and the end of both streams; the exit code, or nil on timeout.
    @discardableResult
    func waitExit(seconds: Double = 60) -> Int32? {
        guard wait(seconds: seconds, until: { !process.isRunning }) else {
            process.terminate()
            return nil
        }
        _ = readers.wait(timeout: .now() + 5)
        return process.terminationStatus
    }

    /// Runs to completion.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: URL? = nil, seconds: Double = 60) throws -> (code: Int32?, stdout: String, stderr: String) {
        let p = try ObsProcess(executable, arguments, environment: environment, directory: directory)
        let code = p.waitExit(seconds: seconds)
        return (code, p.stdout, p.stderr)
    }
}

/// `curl` as the runbook runs it: the status and the body.
enum Curl {
    static func get(_ url: String, method: String = "GET", form: [(String, String)] = []) throws -> (status: Int, body: String) {
        let curl = try ObsPaths.tool("curl", package: "curl")
        var args = ["-s", "-S", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}"]
        if method == "HEAD" { args.append("-I") } else if method != "GET" { args += ["-X", method] }
        if !form.isEmpty { args.append("-G") }
        for (k, v) in form { args += ["--data-urlencode", "\(k)=\(v)"] }
        let result = try ObsProcess.run(curl, args + [url], seconds: 15)
        guard result.code == 0, let newline = result.stdout.lastIndex(of: "\n"), let status = Int(result.stdout[result.stdout.index(after: newline)...]) else {
            throw ObsFailure("curl \(url) failed: \(result.stderr)")
        }
        return (status, String(result.stdout[..<newline]))
    }
}

/// A scrape parsed into metric name → label name → values seen.
struct Scrape {
    var samples: [String: String] = [:]
    var labels: [String: [String: Set<String>]] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = String(line[..<space])
            samples[series] = String(line[line.index(after: space)...])
            var name = series
            var pairs: [String: Set<String>] = [:]
            if let brace = series.firstIndex(of: "{") {
                name = String(series[..<brace])
                let body = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                for pair in body.split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    pairs[String(kv[0]), default: []].insert(String(kv[1].dropFirst().dropLast()))
                }
            }
            var known = labels[name] ?? [:]
            for (k, v) in pairs { known[k, default: []].formUnion(v) }
            labels[name] = known
        }
    }

    func value(_ series: String) -> Double? { samples[series].flatMap(Double.init) }
}

/// Reserves a free loopback port for a server that cannot be told to pick one.
func freeLoopbackPort() throws -> Int {
    let bound = try Socket.listen(host: .ipv4("127.0.0.1"), port: 0)
    Socket.close(bound.fd)
    return Int(bound.port)
}

let frozenUTC = ["MM_FREEZE_UTC_ISO": "2025-01-01T00:00:00Z"]
