#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Testing
@testable import MMBotSupport

/// The URLSession client against real loopback sockets: a one-shot server that records what
/// arrived and answers with fixed bytes, a listener that never answers, and a closed port.
@Suite struct HTTPClientTests {
    @Test func sendsExactBytesAndReadsTheResponse() throws {
        let server = try HTTPClientTestListener()
        let body = #"{"SecretId":"mm-bot/dev/bybit/api_key","x":"é"}"#
        let reply = "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-Amzn-RequestId: abc\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
        let received = server.serveOnce(reply: reply)
        let client = HTTPClient(timeoutSeconds: 5)
        let response = try client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/path?q=1",
                                                   headers: [("X-Amz-Target", "secretsmanager.GetSecretValue"), ("Content-Type", "application/x-amz-json-1.1")],
                                                   body: Array(body.utf8)))
        #expect(response.status == 201)
        #expect(response.body == Array("hello".utf8))
        #expect(response.header("x-amzn-requestid") == "abc")
        #expect(response.header("Content-Type") == "text/plain")
        let request = try #require(received.wait())
        #expect(request.hasPrefix("POST /path?q=1 HTTP/1.1\r\n"))
        let lower = request.lowercased()
        #expect(lower.contains("\r\nx-amz-target: secretsmanager.getsecretvalue\r\n"))
        #expect(lower.contains("\r\ncontent-type: application/x-amz-json-1.1\r\n"))
        #expect(lower.contains("\r\nhost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.hasSuffix("\r\n\r\n" + body))
    }

    @Test func getSendsNoBody() throws {
        let server = try HTTPClientTestListener()
        let received = server.serveOnce(reply: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let response = try HTTPClient(timeoutSeconds: 5).send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/v5/market/time"))
        #expect(response.status == 404)
        #expect(response.body.isEmpty)
        let request = try #require(received.wait())
        #expect(request.hasPrefix("GET /v5/market/time HTTP/1.1\r\n"))
        #expect(request.hasSuffix("\r\n\r\n"))
        #expect(!request.lowercased().contains("content-length: 1"))
    }

    @Test func connectionRefused() throws {
        let port = try HTTPClientTestListener.closedPort()
        let url = "http://127.0.0.1:\(port)/"
        #expect(throws: HTTPClientError.connectionRefused(url: url)) {
            try HTTPClient(timeoutSeconds: 5).send(HTTPRequest(method: "GET", url: url))
        }
    }

    @Test func timeoutWhenThePeerNeverAnswers() throws {
        let silent = try HTTPClientTestListener()  // listens, never accepts or answers
        let url = "http://127.0.0.1:\(silent.port)/"
        let started = Date()
        #expect(throws: HTTPClientError.timedOut(url: url, seconds: 1)) {
            try HTTPClient(timeoutSeconds: 1).send(HTTPRequest(method: "POST", url: url, body: Array("{}".utf8)))
        }
        #expect(Date().timeIntervalSince(started) < 4.5)
        _ = silent
    }

    @Test func invalidURLs() {
        for url in ["ftp://127.0.0.1/", "no scheme", "http://"] {
            #expect(throws: HTTPClientError.invalidURL(url)) { try HTTPClient(timeoutSeconds: 1).send(HTTPRequest(method: "GET", url: url)) }
        }
    }

    @Test func errorSentences() {
        #expect(HTTPClientError.timedOut(url: "http://h/", seconds: 1.5).description == "http://h/ did not answer within 1.5 s")
        #expect(HTTPClientError.connectionRefused(url: "http://h/").description.hasPrefix("could not connect to http://h/: connection refused"))
    }
}

/// A loopback TCP listener on a free port. `serveOnce` accepts one connection on its own thread,
/// reads one request (headers and Content-Length body), writes `reply` and closes.
final class HTTPClientTestListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard socketFD >= 0, bound == 0, listen(socketFD, 8) == 0 else {
            close(socketFD)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        fd = socketFD
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    /// A port nothing listens on: bound, read back, closed.
    static func closedPort() throws -> Int {
        let listener = try HTTPClientTestListener()
        return listener.port
    }

    final class Received: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var text: String?
        func finish(_ value: String?) { text = value; done.signal() }
        func wait() -> String? { done.wait(timeout: .now() + 10) == .success ? text : nil }
    }

    func serveOnce(reply: String) -> Received {
        let received = Received()
        let listenFD = fd
        Thread.detachNewThread {
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { received.finish(nil); return }
            defer { close(client) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                if let end = HTTPClientTestListener.requestEnd(bytes) , end <= bytes.count { break }
                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                bytes.append(contentsOf: buffer[0..<n])
            }
            var out = Array(reply.utf8)
            _ = out.withUnsafeMutableBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            received.finish(String(decoding: bytes, as: UTF8.self))
        }
        return received
    }

    /// The byte count of a complete request in `bytes`, once its headers have arrived.
    private static func requestEnd(_ bytes: [UInt8]) -> Int? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let index = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else {
            return nil
        }
        let head = String(decoding: bytes[0..<index], as: UTF8.self).lowercased()
        var length = 0
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return index + 4 + length
    }
}
