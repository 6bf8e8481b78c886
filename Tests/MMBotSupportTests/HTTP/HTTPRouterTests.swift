import Testing
@testable import MMBotSupport

@Suite struct HTTPRouterTests {
    func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/health") { _ in .json(200, #"{"status":"ok"}"#) }
        router.post("/v5/order/create") { request in
            HTTPServerResponse(status: 200, headers: [("X-Bapi-Limit-Status", "9"), ("Content-Type", "application/json")],
                               body: request.body)
        }
        router.get("/v5/order/create") { request in .text(200, "symbol=\(request.query("symbol") ?? "-")") }
        return router
    }

    @Test func routesByMethodAndPathWithQueryAndCustomHeaders() {
        let router = makeRouter()
        let post = router.respond(to: HTTPServerRequest(method: "POST", path: "/v5/order/create", body: Array("{}".utf8)))
        #expect(post.status == 200)
        #expect(post.header("x-bapi-limit-status") == "9")
        #expect(post.body == Array("{}".utf8))
        let get = router.respond(to: HTTPServerRequest(method: "GET", path: "/v5/order/create", rawQuery: "symbol=BTCUSDT"))
        #expect(String(decoding: get.body, as: UTF8.self) == "symbol=BTCUSDT\n")
    }

    @Test func headUsesGetAndTheServerDropsTheBody() {
        let router = makeRouter()
        let response = router.respond(to: HTTPServerRequest(method: "HEAD", path: "/health"))
        #expect(response.status == 200)
        let wire = String(decoding: response.serialized(headRequest: true, keepAlive: true), as: UTF8.self)
        #expect(wire == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() {
        let router = makeRouter()
        #expect(router.respond(to: HTTPServerRequest(method: "GET", path: "/nope")).status == 404)
        let wrong = router.respond(to: HTTPServerRequest(method: "DELETE", path: "/health"))
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD")
        #expect(router.respond(to: HTTPServerRequest(method: "PUT", path: "/v5/order/create")).header("Allow") == "GET, HEAD, POST")
    }

    @Test func fallbackAnswersUnknownPaths() {
        var router = makeRouter()
        router.fallback = { _ in .json(404, #"{"retCode":10001}"#) }
        let response = router.respond(to: HTTPServerRequest(method: "GET", path: "/v5/unknown"))
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"retCode\":10001}\n")
    }

    @Test func serializationSetsLengthAndConnectionOnce() {
        let response = HTTPServerResponse(status: 503, headers: [("Content-Length", "999"), ("Connection", "x"), ("A", "b")], body: [1, 2])
        let wire = response.serialized(headRequest: false, keepAlive: false)
        #expect(Array(wire.suffix(2)) == [1, 2])
        #expect(String(decoding: wire.dropLast(2), as: UTF8.self)
                == "HTTP/1.1 503 Service Unavailable\r\nA: b\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
    }
}
