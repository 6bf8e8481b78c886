import Synchronization
import Testing
@testable import MMBotSupport

/// The server over a real loopback socket on port 0.
@Suite struct HTTPServerTests {
    func start(_ limits: HTTPServerLimits = HTTPServerLimits()) throws -> HTTPServer {
        var router = HTTPRouter()
        router.get("/hello") { request in .text(200, "hello \(request.query("name") ?? "")") }
        router.post("/echo") { request in HTTPServerResponse(status: 200, headers: [("X-Echo", "1")], body: request.body) }
        let server = try HTTPServer(host: .ipv4("127.0.0.1"), port: 0, limits: limits, router: router)
        server.start()
        return server
    }

    @Test func servesKeepAliveRequestsOnOneConnection() throws {
        let server = try start()
        defer { server.stop() }
        #expect(server.port != 0)
        let client = try HTTPWireClient(port: server.port)
        for i in 0..<3 {
            let r = try client.request("GET", "/hello?name=n\(i)")
            #expect(r.status == 200)
            #expect(r.text == "hello n\(i)\n")
            #expect(r.header("Connection") == "keep-alive")
        }
        let echo = try client.request("POST", "/echo", body: Array(#"{"a":1}"#.utf8))
        #expect(echo.text == #"{"a":1}"#)
        #expect(echo.header("X-Echo") == "1")
        let head = try client.request("HEAD", "/hello")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "7")
        #expect(try client.request("GET", "/missing").status == 404)
        #expect(try client.request("DELETE", "/hello").status == 405)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try start()
        defer { server.stop() }
        let client = try HTTPWireClient(port: server.port)
        #expect(client.send(raw: Array("GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        #expect(try client.readResponse().text == "hello a\n")
        #expect(try client.readResponse().text == "hello b\n")
    }

    @Test func oversizedRequestsGetTheirStatusAndAClosedConnection() throws {
        var limits = HTTPServerLimits()
        limits.maxHeaderBytes = 256
        limits.maxBodyBytes = 16
        let server = try start(limits)
        defer { server.stop() }
        let big = try HTTPWireClient(port: server.port)
        #expect(big.send(raw: Array(("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "y", count: 1000) + "\r\n\r\n").utf8)))
        let r = try big.readResponse()
        #expect(r.status == 431)
        #expect(r.header("Connection") == "close")
        #expect(big.isClosedByPeer(waitMs: 1000))
        let body = try HTTPWireClient(port: server.port)
        #expect(try body.request("POST", "/echo", body: Array(repeating: 65, count: 17)).status == 413)
        let line = try HTTPWireClient(port: server.port)
        #expect(line.send(raw: Array(("GET /" + String(repeating: "a", count: 9000)).utf8)))
        #expect(try line.readResponse().status == 414)
    }

    @Test func malformedRequestIs400AndClosed() throws {
        let server = try start()
        defer { server.stop() }
        let client = try HTTPWireClient(port: server.port)
        #expect(client.send(raw: Array("NOT HTTP AT ALL\r\n\r\n".utf8)))
        #expect(try client.readResponse().status == 400)
        #expect(client.isClosedByPeer(waitMs: 1000))
    }

    @Test func slowClientTimesOutWithoutBlockingOthers() throws {
        var limits = HTTPServerLimits()
        limits.requestTimeoutMs = 400
        limits.idleTimeoutMs = 400
        let server = try start(limits)
        defer { server.stop() }
        let slow = try HTTPWireClient(port: server.port)
        #expect(slow.send(raw: Array("GET /hello HTTP/1.1\r\nHo".utf8)))
        // While the slow one dawdles, another client is served at once.
        let begin = Platform.monotonicNanos()
        #expect(try HTTPWireClient(port: server.port).request("GET", "/hello").status == 200)
        #expect(Platform.monotonicNanos() - begin < 200_000_000)
        // Dripping bytes does not extend the request deadline.
        for _ in 0..<3 {
            Platform.sleepMillis(100)
            _ = slow.send(raw: Array("x".utf8))
        }
        let r = try slow.readResponse()
        #expect(r.status == 408)
        #expect(slow.isClosedByPeer(waitMs: 1000))
        // A silent kept-alive connection is closed after the idle timeout.
        let idle = try HTTPWireClient(port: server.port)
        #expect(try idle.request("GET", "/hello").status == 200)
        #expect(idle.isClosedByPeer(waitMs: 1500))
    }

    @Test func connectionsBeyondTheCapAre503() throws {
        var limits = HTTPServerLimits()
        limits.maxConnections = 2
        let server = try start(limits)
        defer { server.stop() }
        let a = try HTTPWireClient(port: server.port)
        let b = try HTTPWireClient(port: server.port)
        #expect(try a.request("GET", "/hello").status == 200)
        #expect(try b.request("GET", "/hello").status == 200)
        let c = try HTTPWireClient(port: server.port)
        #expect(try c.readResponse().status == 503)
    }

    @Test func aTakenPortIsReportedAsInUse() throws {
        let server = try start()
        defer { server.stop() }
        do {
            _ = try HTTPServer(host: .ipv4("127.0.0.1"), port: server.port, router: HTTPRouter())
            Issue.record("a second bind on the same port succeeded")
        } catch {
            #expect(error.addressInUse)
            #expect(error.description == "cannot listen on 127.0.0.1:\(server.port): the address is already in use (another process has that port)")
        }
    }

    @Test func stopClosesOpenConnections() throws {
        let server = try start()
        let client = try HTTPWireClient(port: server.port)
        #expect(try client.request("GET", "/hello").status == 200)
        server.stop()
        #expect(client.isClosedByPeer(waitMs: 1000))
        #expect(throws: TCPClientSocket.Failure.self) { _ = try HTTPWireClient(port: server.port) }
    }

    @Test func hostLiterals() {
        #expect(Socket.Host("127.0.0.1") == .ipv4("127.0.0.1"))
        #expect(Socket.Host("localhost") == .ipv4("127.0.0.1"))
        #expect(Socket.Host("::1") == .ipv6("::1"))
        #expect(Socket.Host("example.com") == nil)
        #expect(Socket.Host("256.1.1.1") == nil)
        #expect(Socket.Host.ipv6("::1").display(port: 80) == "[::1]:80")
    }
}
