#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Testing

/// A Bybit run that holds real-looking credentials end to end: signed in-process requests,
/// debug logs, the report (stdout and --out) and a live /metrics, /ready and /health scrape.
/// The full key and secret must appear in none of them.
@Suite(.serialized) struct CredentialLeakRunTests {
    static let key = "CANARYKEY-5a4b3c2d1e0f9988"
    static let secret = "CANARYSECRET-7766554433221100aa"

    /// A loopback port that was free a moment ago.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func bybitRunWithObservabilityLeaksNoCredential() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mmbot-leak-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Self.freePort()
        let (process, out, err) = try BinaryRunner.start([
            "exec-demo", "--shadow", "--exchange", "bybit", "--symbols", "BTCUSDT,ETHUSDT", "--iterations", "20",
            "--log-level", "debug", "--out", dir.appendingPathComponent("report.json").path,
            "--obs", "--obs-port", String(port), "--obs-linger-s", "30",
        ], environment: ["SECRETS_BACKEND": "memory", "BYBIT_API_KEY": Self.key, "BYBIT_API_SECRET": Self.secret, "HOME": dir.path])

        // Drain both pipes from the start: debug logs would otherwise fill the pipe and stall the run.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }

        // Wait for the report file (the run is over and the server lingers), then scrape.
        let reportPath = dir.appendingPathComponent("report.json").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: reportPath), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(FileManager.default.fileExists(atPath: reportPath), "the run did not finish within 60 s")
        var scrapes: [(String, String)] = []
        for path in ["/metrics", "/ready", "/health"] {
            let body = try String(contentsOf: URL(string: "http://127.0.0.1:\(port)\(path)")!, encoding: .utf8)
            scrapes.append(("GET \(path)", body))
        }
        #expect(scrapes[0].1.contains("mm_orders_placed_total{symbol=\"BTCUSDT\"}"))
        kill(process.processIdentifier, SIGTERM)
        group.wait()
        process.waitUntilExit()
        let result = BinaryRunner.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                         stderr: String(decoding: errData, as: UTF8.self))
        #expect(result.status == 0, "\(result.stderr.suffix(500))")

        var texts: [(String, String)] = [("stdout", result.stdout), ("stderr", result.stderr)] + scrapes
        for path in Self.files(under: dir.path) {
            texts.append((path, (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""))
        }
        #expect(result.stderr.contains("\"event\":\"obs_server_listening\""))
        #expect(texts.count >= 6, "streams, scrapes and the report file were all checked")
        for (place, text) in texts {
            for canary in [Self.key, Self.secret] {
                #expect(!text.contains(canary), "the credential \(canary.prefix(12))… leaked into \(place)")
            }
        }
        // The run really used them: the report names the Bybit venue and orders went through it.
        let report = try BinaryRunner.json(result.stdout)
        #expect((report.at("execution.exchange") as? String) == "bybit")
        #expect(report.int("orders.placed") > 0)
    }

    static func files(under directory: String) -> [String] {
        guard let names = FileManager.default.enumerator(atPath: directory) else { return [] }
        return names.compactMap { name -> String? in
            let path = directory + "/" + (name as! String)
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue ? path : nil
        }
    }
}
