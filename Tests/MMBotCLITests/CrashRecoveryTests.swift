import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// The crash test: a real `mmbot` paced in real time, killed with SIGKILL at many different
/// instants, recovered each time (alternating --on-recover cancel and adopt), with the issue's
/// invariants checked after every kill and every recovery, on the file backend and on Redis.
@Suite(.serialized) struct CrashRecoveryTests {
    static let kills = 20
    static let symbols = "BTCUSDT,ETHUSDT,SOLUSDT,XRPUSDT"

    @Test(arguments: [(StateBackendKind.file, 41), (StateBackendKind.redis, 42)])
    func killNineAtManyInstantsLosesNothingAndNeverReusesAnID(_ backend: StateBackendKind, _ database: Int) throws {
        let dir = try scratch("crash-\(backend.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var backendFlags: [String] = []
        var redisURL: RedisURL?
        if backend == .redis {
            let text = try CLITestRedis.url(database: database)
            backendFlags = ["--state-backend", "redis", "--redis-url", text]
            redisURL = try RedisURL(parsing: text)
        }
        let common = ["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--symbols", CrashRecoveryTests.symbols,
                      "--fill-rate", "0.5", "--latency-ms", "40", "--log-level", "info"] + backendFlags
        var rng = SeededRandom(seed: 2_024, stream: "crash-test")
        var delays = Set<Int>()
        var placedIDs: [String] = []
        var recoveriesChecked = 0
        var venueOrdersSeenAtKills = 0
        var startedRuns = 0
        var postStartupKills = 0
        for kill in 0..<CrashRecoveryTests.kills {
            // A different instant each time, never the same twice: every fifth kill lands during
            // start-up (5 to 60 ms after launch), the others 1 to 400 ms after the run took its
            // session, i.e. somewhere in recovery or the paced loop.
            let duringStartup = kill % 5 == 4
            var delay = duringStartup ? 5 + Int(rng.next(below: 55)) : 1 + Int(rng.next(below: 400))
            while delays.contains(delay) { delay += 1 }
            delays.insert(delay)
            var arguments = common + ["--iterations", "1000000", "--pace", "realtime", "--tick-ms", "5"]
            if kill > 0 { arguments += ["--recover", "--on-recover", kill % 2 == 0 ? "cancel" : "adopt"] }
            let running = try MMBotBinary.Running(arguments, environment: ["MM_FREEZE_UTC_ISO": "2025-01-01T00:00:00Z"])
            if !duringStartup {
                let deadline = Date().addingTimeInterval(20)
                while Date() < deadline, (try? SessionRegistry.read(directory: dir))??.sessions.count ?? 0 <= startedRuns {
                    usleep(2_000)
                }
                postStartupKills += 1
            }
            usleep(useconds_t(delay * 1000))
            running.kill9()
            let result = running.wait()
            #expect(result.killed, "run \(kill) ended before the kill: \(result.stderr.suffix(300))")
            let logs = jsonLines(result.stderr)
            placedIDs += logs.filter { ["order_placed", "order_rejected"].contains($0["event"]?.stringValue ?? "") }
                .compactMap { $0["client_order_id"]?.stringValue }
            // After a recovery: the venue and local open orders agreed, and nothing was unknown.
            if let reconciled = logs.first(where: { $0["event"]?.stringValue == "recovery_reconciled" }) {
                recoveriesChecked += 1
                #expect(reconciled["local_open"] == reconciled["venue_open"], "run \(kill): \(reconciled)")
                #expect(reconciled["orphans_at_venue"] == .int(0), "run \(kill): \(reconciled)")
            }
            venueOrdersSeenAtKills += try checkNothingAcknowledgedIsUnknown(dir: dir, backend: backend, redis: redisURL, run: kill)
            startedRuns = (try SessionRegistry.read(directory: dir))?.sessions.count ?? 0
        }
        // The last run recovers and finishes: a valid report, venue and local agree (both empty
        // after its shutdown), the recovery section is complete.
        let final = try MMBotBinary.run(common + ["--iterations", "5", "--recover"])
        #expect(final.status == 0, "stderr: \(final.stderr.suffix(500))")
        let report = try JSONParser.parse(final.stdout)
        let recovery = try #require(report["recovery"])
        #expect(recovery["recovered"] == .bool(true))
        #expect(recovery["orphans_at_venue"] == .int(0))

        #expect(report["orders"]?["open"] == .int(0))
        let venue = try #require(try VenueStateLoader.load(directory: dir))
        #expect(venue.resting.isEmpty)
        placedIDs += jsonLines(final.stderr).filter { $0["event"]?.stringValue == "order_placed" }.compactMap { $0["client_order_id"]?.stringValue }
        // No client order id was ever sent twice, and every run had its own session.
        #expect(Set(placedIDs).count == placedIDs.count, "a client order id was used twice")
        #expect(placedIDs.count > 100)
        let sessions = try #require(try SessionRegistry.read(directory: dir)).sessions
        #expect(Set(sessions).count == sessions.count)
        // A kill during start-up (before sessions.json is written) leaves no session behind.
        #expect(sessions.count > postStartupKills && sessions.count <= CrashRecoveryTests.kills + 1)
        #expect(report["state"]?["recoveries"] == .int(Int64(sessions.count - 1)))
        #expect(recoveriesChecked >= postStartupKills / 2, "too few recoveries got as far as reconciling before the kill")
        #expect(venueOrdersSeenAtKills > 0, "no kill ever left an order resting at the venue: the test proves nothing")
    }

    /// Reads the state the kill left, as the next run will: every order open at the venue must be
    /// known locally. Returns how many venue orders there were.
    private func checkNothingAcknowledgedIsUnknown(dir: String, backend: StateBackendKind, redis: RedisURL?, run: Int) throws -> Int {
        guard let venue = try VenueStateLoader.load(directory: dir) else { return 0 }
        let registry = try SessionRegistry.read(directory: dir)
        let loaded: PersistedState
        switch backend {
        case .file:
            loaded = try FileOrderStore(directory: dir).load()
        case .redis:
            let owner = Platform.hostName() + ":" + (Platform.realPath(dir) ?? dir)
            let store = RedisOrderStore(client: RedisClient(url: try #require(redis)), owner: owner, directory: dir,
                                        symbols: CrashRecoveryTests.symbols.split(separator: ",").map { Symbol(validating: String($0))! },
                                        sessions: Set(registry?.sessions ?? []))
            loaded = try store.load()
        }
        var known = Set(loaded.orders.map(\.id))
        for key in loaded.keys where key.key.kind == .place { known.insert(key.key.order) }
        for order in venue.resting {
            #expect(known.contains(order.request.id), "run \(run): \(order.request.id) rests at the venue but is unknown locally")
        }
        return venue.resting.count
    }

    @Test func redisGoingDownMidRunStopsQuotingCancelsAndSaysWhy() throws {
        let dir = try scratch("redis-down")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["redis-server", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var up = false
        for _ in 0..<100 where !up {
            usleep(20_000)
            up = (try? RedisClient(url: RedisURL(host: "127.0.0.1", port: port), options: .init(timeoutMs: 200, retryDelaysMs: [])).command(["PING"])) != nil
        }
        #expect(up, "redis-server did not start on port \(port) (is it installed?)")
        let running = try MMBotBinary.Running(
            ["exec-demo", "--shadow", "--durable-state", "--state-dir", dir, "--state-backend", "redis", "--redis-url", "redis://127.0.0.1:\(port)/0",
             "--iterations", "100000", "--pace", "realtime", "--tick-ms", "10", "--fill-rate", "0.3", "--latency-ms", "50", "--log-level", "warning"],
            environment: ["MM_FREEZE_UTC_ISO": "2025-01-01T00:00:00Z"])
        usleep(600_000)
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let result = running.wait(timeout: 30)
        #expect(!result.killed)
        #expect(result.status == 1)
        #expect(result.stderr.contains("stopped quoting and canceled every open order because the state store failed"), "stderr: \(result.stderr.suffix(400))")
        #expect(result.stderr.contains("\"event\":\"state_store_unavailable\""))
        let report = try JSONParser.parse(result.stdout)
        #expect(report["state"]?["halted"]?.stringValue?.contains("unreachable") == true)
        #expect(report["orders"]?["open"] == .int(0))
        #expect((report["orders"]?["canceled_by_reason"]?["state_unavailable"]?.intValue ?? 0) > 0)
        // The venue was saved with none of our orders on it.
        #expect(try #require(try VenueStateLoader.load(directory: dir)).resting.isEmpty)
    }
}

func freePort() throws -> Int {
    let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(s) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, length) } }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
