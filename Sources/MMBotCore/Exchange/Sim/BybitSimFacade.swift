import Foundation
import MMBotSupport
import Synchronization

/// A Bybit v5-compatible HTTP API over the simulated venue: the same engine as the fake
/// exchange, reached through real request signing and envelopes. `mmbot exchange-sim` serves
/// `router` on a socket; `--exchange bybit --no-network` calls it through an
/// `InProcessTransport`.
///
/// Private endpoints check X-BAPI-* headers as Bybit does: an unknown key answers 10003, a bad
/// signature 10004, a timestamp outside `[now - recvWindow, now + 1000)` 10002. Each key has a
/// rolling one-second limit per endpoint, reported in X-Bapi-Limit headers, past which it answers
/// 10006. Faults (5xx, held answers, dropped acks) are drawn per request from a seeded stream.
/// `GET /sim/state` (not a Bybit endpoint) shows the venue's state for rehearsals and tests.
package final class BybitSimFacade: Sendable {
    /// Touched only under `shared`'s lock. The book's logger is used only there too: it is the
    /// server's own (exchange-sim) or belongs to the single thread that calls in (in-process).
    private struct Shared: @unchecked Sendable {
        var book: BybitSimBook
        var windows: [String: [Int64]] = [:]
        var faultRandom: SeededRandom
        var requests = 0
        var authFailures = 0
        var rateLimited = 0
        var faults: [String: Int] = ["server_error": 0, "timeout": 0, "drop_ack": 0]
    }

    private enum Fault { case none, serverError, timeout, dropAck }

    package let config: BybitSimConfig
    private let shared: Mutex<Shared>
    private let now: @Sendable () -> Millis
    private let sleep: @Sendable (Int64) -> Void
    private static let publicPaths: Set<String> = ["/v5/market/time", "/v5/market/instruments-info", "/v5/market/tickers", "/v5/market/orderbook"]
    private static let privatePaths: Set<String> = ["/v5/order/create", "/v5/order/cancel", "/v5/order/cancel-all", "/v5/order/realtime",
                                                    "/v5/execution/list", "/v5/position/list"]

    package init(config: BybitSimConfig, logger: Logger, now: @escaping @Sendable () -> Millis,
                 sleep: @escaping @Sendable (Int64) -> Void = { Thread.sleep(forTimeInterval: Double($0) / 1000) }) {
        self.config = config
        self.now = now
        self.sleep = sleep
        let book = BybitSimBook(config: config, start: now(), logger: logger)
        shared = Mutex(Shared(book: book, faultRandom: SeededRandom(seed: config.seed, stream: "faults")))
    }

    /// Every route: the v5 endpoints, and `GET /sim/state`.
    package var router: HTTPRouter {
        var router = HTTPRouter()
        for path in BybitSimFacade.publicPaths { router.get(path) { self.respond(to: $0) } }
        for path in ["/v5/order/realtime", "/v5/execution/list", "/v5/position/list"] { router.get(path) { self.respond(to: $0) } }
        for path in ["/v5/order/create", "/v5/order/cancel", "/v5/order/cancel-all"] { router.post(path) { self.respond(to: $0) } }
        router.get("/sim/state") { _ in .json(200, JSONWriter.string(self.state())) }
        router.fallback = { request in
            .json(404, JSONWriter.string(["retCode": 10017, "retMsg": .string("route not found: \(request.method) \(request.path)"),
                                          "result": [:], "retExtInfo": [:], "time": .int(self.now())]))
        }
        return router
    }

    /// Answers one v5 request (public or private), with faults and limits applied.
    package func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        let fault = drawFault(for: request.path)
        if fault == .serverError { return .text(503, "upstream service unavailable (mmbot exchange-sim injected fault)") }
        let response = answer(request)
        switch fault {
        case .timeout:
            sleep(config.faults.timeoutDelayMs)
            return response
        case .dropAck:
            return .dropConnection
        case .none, .serverError:
            return response
        }
    }

    private func drawFault(for path: String) -> Fault {
        guard config.faults.any, path.hasPrefix("/v5/") else { return .none }
        return shared.withLock { s -> Fault in
            let f = config.faults
            let mutating = path == "/v5/order/create" || path == "/v5/order/cancel"
            let fault: Fault
            if s.faultRandom.chance(f.serverErrorRate) {
                fault = .serverError
            } else if s.faultRandom.chance(f.timeoutRate) {
                fault = .timeout
            } else if mutating && s.faultRandom.chance(f.dropAckRate) {
                fault = .dropAck
            } else {
                fault = .none
            }
            switch fault {
            case .serverError: s.faults["server_error", default: 0] += 1
            case .timeout: s.faults["timeout", default: 0] += 1
            case .dropAck: s.faults["drop_ack", default: 0] += 1
            case .none: break
            }
            return fault
        }
    }

    private func answer(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let time = now()
        let isPrivate = BybitSimFacade.privatePaths.contains(request.path)
        let parameters: [String: String]
        switch parse(request) {
        case .success(let p): parameters = p
        case .failure(let failure): return envelope(10001, failure.message, [:], time: time)
        }
        if isPrivate {
            if let (code, message) = authenticate(request, at: time) {
                shared.withLock { $0.authFailures += 1; $0.requests += 1 }
                return envelope(code, message, [:], time: time)
            }
        }
        return shared.withLock { s -> HTTPServerResponse in
            s.requests += 1
            var headers: [(name: String, value: String)] = []
            if isPrivate, config.rateLimited, let key = request.header("X-BAPI-API-KEY") {
                let limit = config.limit(for: request.path)
                let windowKey = key + " " + request.path
                var window = (s.windows[windowKey] ?? []).filter { $0 > time - 1_000 }
                if window.count >= limit {
                    s.rateLimited += 1
                    s.windows[windowKey] = window
                    let reset = (window.first ?? time) + 1_000
                    return envelope(10006, "Too many visits!", [:], time: time,
                                    headers: [("X-Bapi-Limit", String(limit)), ("X-Bapi-Limit-Status", "0"), ("X-Bapi-Limit-Reset-Timestamp", String(reset))])
                }
                window.append(time)
                s.windows[windowKey] = window
                headers = [("X-Bapi-Limit", String(limit)), ("X-Bapi-Limit-Status", String(limit - window.count)),
                           ("X-Bapi-Limit-Reset-Timestamp", String(time))]
            }
            if let category = parameters["category"], category != "linear" {
                return envelope(10001, "params error: mmbot exchange-sim lists category linear only, got \(category)", [:], time: time, headers: headers)
            }
            if request.path != "/v5/market/time" && parameters["category"] == nil {
                return envelope(10001, "params error: category is required", [:], time: time, headers: headers)
            }
            s.book.catchUp(to: time)
            let (code, message, result) = BybitSimAPI.handle(request.path, parameters, book: s.book, now: time)
            return envelope(code, message, result, time: time, headers: headers)
        }
    }

    /// Query items (GET) or the JSON body's members (POST) as strings.
    private func parse(_ request: HTTPServerRequest) -> Result<[String: String], ParseFailure> {
        var out: [String: String] = [:]
        if request.method == "POST" {
            guard !request.body.isEmpty else { return .success(out) }
            guard case .object(let members)? = try? JSONParser.parse(bytes: request.body) else {
                return .failure(ParseFailure("params error: the body must be a JSON object"))
            }
            for (key, value) in members {
                switch value {
                case .string(let text): out[key] = text
                case .int(let n): out[key] = String(n)
                case .decimal(let d): out[key] = d.description
                case .bool(let b): out[key] = b ? "true" : "false"
                default: continue
                }
            }
        } else {
            for (name, value) in request.queryItems where out[name] == nil { out[name] = value }
        }
        return .success(out)
    }

    private struct ParseFailure: Error { let message: String; init(_ m: String) { message = m } }

    /// Nil when the request is signed by a known key within the receive window.
    private func authenticate(_ request: HTTPServerRequest, at time: Millis) -> (Int64, String)? {
        guard let key = request.header("X-BAPI-API-KEY"), !key.isEmpty, let secret = config.keys[key] else {
            return (10003, "API key is invalid.")
        }
        guard let stampText = request.header("X-BAPI-TIMESTAMP"), let stamp = Int64(stampText) else {
            return (10002, "invalid request, please check your timestamp and recv_window param (X-BAPI-TIMESTAMP missing)")
        }
        let window = request.header("X-BAPI-RECV-WINDOW").flatMap { Int64($0) } ?? 5_000
        guard time - window <= stamp, stamp < time + 1_000 else {
            return (10002, "invalid request, please check your server timestamp or recv_window param. req_timestamp[\(stamp)],server_timestamp[\(time)],recv_window[\(window)]")
        }
        let payload = request.method == "POST" ? String(decoding: request.body, as: UTF8.self) : request.rawQuery
        let expected = BybitSigner.signature(secret: secret, timestamp: stamp, apiKey: key, recvWindow: window, payload: payload)
        guard let sign = request.header("X-BAPI-SIGN"), BybitSigner.matches(sign.lowercased(), expected) else {
            return (10004, "error sign! the signature of timestamp + api key + recv window + payload does not match")
        }
        return nil
    }

    private func envelope(_ code: Int64, _ message: String, _ result: JSONValue, time: Millis,
                          headers: [(name: String, value: String)] = []) -> HTTPServerResponse {
        let body: JSONValue = ["retCode": .int(code), "retMsg": .string(message), "result": result, "retExtInfo": [:], "time": .int(time)]
        return HTTPServerResponse(status: 200, contentType: "application/json", body: JSONWriter.string(body), headers: headers)
    }

    /// `GET /sim/state`: open orders, positions, and the counts rehearsals check.
    package func state() -> JSONValue {
        shared.withLock { s -> JSONValue in
            s.book.catchUp(to: now())
            let book = s.book
            var positions: [String: JSONValue] = [:]
            for symbol in book.config.symbols { positions[symbol.name] = .decimal(book.positions[symbol]?.size ?? .zero) }
            var executionsBySymbol: [String: JSONValue] = [:]
            for symbol in book.config.symbols {
                executionsBySymbol[symbol.name] = .int(book.executions.filter { $0.symbol == symbol }.count)
            }
            let open: [JSONValue] = book.openOrders.map {
                ["orderLinkId": .string($0.orderLinkId), "symbol": .string($0.symbol.name), "side": .string($0.side.venueName),
                 "price": .decimal($0.price), "qty": .decimal($0.qty), "cumExecQty": .decimal($0.cumExecQty)]
            }
            var faults: [String: JSONValue] = [:]
            for (k, v) in s.faults { faults[k] = .int(v) }
            let stats = book.stats
            return [
                "open_orders": .array(open), "positions": .object(positions), "executions": .int(book.executions.count),
                "executions_by_symbol": .object(executionsBySymbol), "orders": .int(book.orders.count),
                "create_requests": .int(stats.createRequests), "duplicate_link_id_creates": .int(stats.duplicateLinkIdCreates),
                "accepted": .int(stats.accepted), "post_only_canceled": .int(stats.postOnlyCanceled), "rejected": .int(stats.rejected),
                "cancels": .int(stats.cancels), "requests": .int(s.requests), "auth_failures": .int(s.authFailures),
                "rate_limited": .int(s.rateLimited), "faults": .object(faults),
            ]
        }
    }
}
