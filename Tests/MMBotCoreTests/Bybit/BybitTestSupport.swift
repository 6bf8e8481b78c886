@testable import MMBotCore
import MMBotSupport
import Synchronization

/// A settable clock shared by a client and the in-process venue in tests.
final class TestClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64 = TestData.start) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}

/// Records every request and can replace answers, between a client and the in-process venue.
final class ScriptedTransport: HTTPSending, Sendable {
    typealias Rule = @Sendable (HTTPRequest, Int) -> Result<HTTPResponse, HTTPClientError>?
    private let inner: InProcessTransport
    private let state = Mutex<(requests: [HTTPRequest], rule: Rule?)>(([], nil))

    init(_ inner: InProcessTransport) { self.inner = inner }

    /// `rule(request, n)` (n = that path's 1-based request count) may answer instead of the
    /// venue (`.success`), fail the request (`.failure`) or let it through (nil). With `after`
    /// the venue handles the request first and the rule's answer replaces the venue's.
    func intercept(after: Bool = false, _ rule: @escaping Rule) {
        state.withLock { $0.rule = { request, n in rule(request, n) } }
        afterVenue.withLock { $0 = after }
    }
    private let afterVenue = Mutex(false)

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    func count(_ path: String) -> Int { requests.filter { $0.url.contains(path + "?") || $0.url.hasSuffix(path) }.count }

    func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        let (rule, n) = state.withLock { s -> (Rule?, Int) in
            s.requests.append(request)
            let path = InProcessTransport.target(of: request.url).map { String($0.split(separator: "?")[0]) } ?? ""
            return (s.rule, s.requests.filter { (InProcessTransport.target(of: $0.url) ?? "").hasPrefix(path) }.count)
        }
        let after = afterVenue.withLock { $0 }
        if after {
            let real = try inner.send(request)
            if let override = rule?(request, n) { return try override.get() }
            return real
        }
        if let override = rule?(request, n) { return try override.get() }
        return try inner.send(request)
    }
}

enum BybitFixture {
    static let key = "test-key-1234"
    static let secret = Secret("test-secret-123")
    static let credentials = ExchangeCredentials(apiKey: Secret(key), apiSecret: secret)

    static func logger() -> Logger {
        Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: RunClock(now: TestData.start))
    }

    /// A venue, and a client talking to it in-process, both on `clock`.
    static func make(clock: TestClock = TestClock(), venueSkewMs: Int64 = 0, fillRate: String = "1", rateLimited: Bool = false,
                     rateLimit: Int? = nil, symbols: [Symbol] = [TestData.btc, TestData.eth])
        -> (BybitSimFacade, ScriptedTransport, BybitRESTClient, VenueTelemetry) {
        let config = BybitSimConfig(symbols: symbols, seed: 42,
                                    venue: VenueConfig(fillRate: Fixed(fillRate)!, rejectRate: .zero, latencyMs: 100, partialFillRate: .zero),
                                    tickMs: 1_000, keys: [key: secret], rateLimitPerSecond: rateLimit, rateLimited: rateLimited)
        let facade = BybitSimFacade(config: config, logger: logger(), now: { clock.now + venueSkewMs }, sleep: { _ in })
        let transport = ScriptedTransport(InProcessTransport(router: facade.router))
        let telemetry = VenueTelemetry()
        let rest = BybitRESTClient(config: BybitClientConfig(baseURL: "http://venue.test"), credentials: credentials, transport: transport,
                                   clock: BybitClock(now: { clock.now }, sleep: { clock.advance($0) }), telemetry: telemetry, logger: logger())
        return (facade, transport, rest, telemetry)
    }

    static func request(_ sequence: UInt64, side: Side = .buy, price: String = "49000", qty: String = "0.01", postOnly: Bool = true,
                        symbol: Symbol = TestData.btc) -> OrderRequest {
        OrderRequest(id: ClientOrderID(session: 7, sequence: sequence), symbol: symbol, side: side, price: Fixed(price)!,
                     quantity: Fixed(qty)!, postOnly: postOnly, time: TestData.start)
    }

    static func envelope(_ code: Int64, _ message: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers,
                     body: Array(#"{"retCode":\#(code),"retMsg":"\#(message)","result":{},"retExtInfo":{},"time":1}"#.utf8))
    }
}
