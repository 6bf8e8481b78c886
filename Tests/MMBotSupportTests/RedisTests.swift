import Foundation
import Testing
@testable import MMBotSupport

/// The Redis every Redis test talks to: MMBOT_TEST_REDIS_URL (bash .ci/run starts one). Missing
/// is a failure, never a skip.
enum SupportTestRedis {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "MMBOT_TEST_REDIS_URL is not set: these tests need a real redis-server; run 'bash .ci/run' or start one and export e.g. MMBOT_TEST_REDIS_URL=redis://127.0.0.1:6379"
        }
    }

    /// A client on `database`, emptied first.
    static func client(database: Int, options: RedisClient.Options = RedisClient.Options()) throws -> RedisClient {
        guard let text = ProcessInfo.processInfo.environment["MMBOT_TEST_REDIS_URL"] else { throw Missing() }
        let base = try RedisURL(parsing: text)
        let client = RedisClient(url: RedisURL(host: base.host, port: base.port, database: database, username: base.username,
                                               password: base.password), options: options)
        try client.command(["FLUSHDB"])
        return client
    }
}

@Suite struct RESPTests {
    @Test func encodesCommandsAsArraysOfBulkStrings() {
        #expect(RESPEncoder.encode(["SET", "k", "é"]) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n".utf8))
    }

    @Test func parsesEveryReplyTypeIncrementally() throws {
        let wire = Array("+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n$0\r\n\r\n*-1\r\n".utf8)
        var parser = RESPParser()
        var replies: [RESPValue] = []
        for byte in wire {  // one byte at a time: every split point must work
            parser.feed([byte])
            while let reply = try parser.next() { replies.append(reply) }
        }
        #expect(replies == [.simple("OK"), .error("ERR bad"), .integer(42), .bulk(Array("hello".utf8)), .bulk(nil),
                            .array([.integer(1), .bulk([])]), .array(nil)])
        #expect(parser.pendingBytes == 0)
    }

    @Test func rejectsGarbage() {
        var parser = RESPParser()
        parser.feed(Array("?what\r\n".utf8))
        #expect(throws: RESPParser.ProtocolError.self) { try parser.next() }
        var bad = RESPParser()
        bad.feed(Array("$3\r\nabcd\r\n".utf8))
        #expect(throws: RESPParser.ProtocolError.self) { try bad.next() }
    }
}

@Suite struct RedisURLTests {
    @Test func parsesHostPortDatabaseAndCredentials() throws {
        let url = try RedisURL(parsing: "redis://user:p%40ss@10.0.0.5:6380/3")
        #expect(url == RedisURL(host: "10.0.0.5", port: 6380, database: 3, username: "user", password: "p@ss"))
        #expect(url.description == "redis://user:***@10.0.0.5:6380/3")
        #expect(try RedisURL(parsing: "redis://127.0.0.1") == RedisURL(host: "127.0.0.1"))
        #expect(try RedisURL(parsing: "redis://:secret@localhost/2") == RedisURL(host: "localhost", database: 2, password: "secret"))
        #expect(try RedisURL(parsing: "redis://[::1]:7000/0") == RedisURL(host: "::1", port: 7000))
    }

    @Test(arguments: ["http://x", "rediss://h:6379", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x", "redis://h:p", "redis://a:b%zz@h"])
    func rejectsMalformedURLs(_ text: String) {
        #expect(throws: RedisURL.ParseError.self) { try RedisURL(parsing: text) }
    }
}

@Suite(.serialized) struct RedisClientTests {
    @Test func setGetExpireAndSetsAgainstARealServer() throws {
        let client = try SupportTestRedis.client(database: 1)
        #expect(try client.command(["SET", "orders:x", "{\"a\":1}", "EX", "100"]) == .simple("OK"))
        #expect(try client.command(["GET", "orders:x"]).string == "{\"a\":1}")
        guard case .integer(let ttl) = try client.command(["TTL", "orders:x"]) else { Issue.record("TTL is not an integer"); return }
        #expect((1...100).contains(ttl))
        let replies = try client.pipeline([["SADD", "s", "a", "b"], ["SREM", "s", "a"], ["SMEMBERS", "s"], ["GET", "missing"]])
        #expect(replies == [.integer(2), .integer(1), .array([.bulk(Array("b".utf8))]), .bulk(nil)])
        #expect(client.roundTrips >= 4)
    }

    @Test func errorRepliesAreReturnedInPipelinesAndThrownAlone() throws {
        let client = try SupportTestRedis.client(database: 1)
        let replies = try client.pipeline([["SET", "k", "v"], ["INCR", "k"]])
        guard case .error(let message) = replies[1] else { Issue.record("expected an error reply, got \(replies[1])"); return }
        #expect(message.contains("not an integer"))
        #expect(throws: RedisError.self) { try client.command(["NOSUCHCOMMAND"]) }
    }

    @Test func selectsTheURLsDatabase() throws {
        let one = try SupportTestRedis.client(database: 2)
        let other = try SupportTestRedis.client(database: 3)
        try one.command(["SET", "where", "two"])
        #expect(try other.command(["GET", "where"]) == .bulk(nil))
        #expect(try one.command(["GET", "where"]).string == "two")
    }

    @Test func authenticatesWithUserAndPasswordFromTheURL() throws {
        let admin = try SupportTestRedis.client(database: 4)
        try admin.command(["ACL", "SETUSER", "mmbot-test", "on", ">s3cret", "~*", "+@all"])
        defer { _ = try? admin.command(["ACL", "DELUSER", "mmbot-test"]) }
        let base = admin.url
        let good = RedisClient(url: RedisURL(host: base.host, port: base.port, database: 4, username: "mmbot-test", password: "s3cret"))
        #expect(try good.command(["ACL", "WHOAMI"]).string == "mmbot-test")
        let bad = RedisClient(url: RedisURL(host: base.host, port: base.port, database: 4, username: "mmbot-test", password: "wrong"),
                              options: RedisClient.Options(timeoutMs: 1_000, retryDelaysMs: []))
        do {
            try bad.connect()
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.kind == .login)
            #expect(error.message.contains("AUTH"))
        }
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() throws {
        let client = try SupportTestRedis.client(database: 5)
        var events: [String] = []
        client.onEvent = { event in
            if case .retrying(_, let attempt, _) = event { events.append("retry \(attempt)") }
        }
        guard case .integer(let id) = try client.command(["CLIENT", "ID"]) else { Issue.record("CLIENT ID"); return }
        let killer = try SupportTestRedis.client(database: 5)
        try killer.command(["CLIENT", "KILL", "ID", String(id)])
        try client.command(["SET", "after", "kill"])
        #expect(try killer.command(["GET", "after"]).string == "kill")
        #expect(client.reconnects == 1)
        #expect(events == ["retry 1"])
    }

    @Test func givesUpWithUnreachableWhenNothingListens() throws {
        // A port nobody listens on: bind one, close it, then connect there.
        let client = RedisClient(url: RedisURL(host: "127.0.0.1", port: try closedPort()),
                                 options: RedisClient.Options(timeoutMs: 500, retryDelaysMs: [10, 20]))
        var retries = 0
        client.onEvent = { if case .retrying = $0 { retries += 1 } }
        do {
            try client.command(["PING"])
            Issue.record("PING succeeded against a closed port")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("unreachable"))
        }
        #expect(retries == 2)
    }

    @Test func timesOutOnAServerThatNeverAnswers() throws {
        let listener = try SilentListener()
        let client = RedisClient(url: RedisURL(host: "127.0.0.1", port: listener.port), options: RedisClient.Options(timeoutMs: 300, retryDelaysMs: []))
        let start = Date()
        do {
            try client.command(["PING"])
            Issue.record("PING succeeded against a silent server")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("timed out"))
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.25 && elapsed < 5)
    }
}

/// A loopback TCP listener that accepts connections (the kernel does, through the backlog) and
/// never answers.
final class SilentListener {
    let fd: Int32
    let port: Int
    init() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, length) } }
        guard bound == 0, listen(s, 8) == 0 else {
            close(s)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) } }
        fd = s
        port = Int(UInt16(bigEndian: address.sin_port))
    }
    deinit { close(fd) }
}

func closedPort() throws -> Int {
    let listener = try SilentListener()
    return listener.port
}
