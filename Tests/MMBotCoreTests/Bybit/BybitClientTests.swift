@testable import MMBotCore
import MMBotSupport
import Testing

/// The Bybit client against the simulated venue's v5 API, in-process: real request building,
/// signing and parsing, with failures injected between the two.
@Suite struct BybitClientTests {
    func stateCount(_ facade: BybitSimFacade, _ key: String) -> Int64 { facade.state()[key]?.intValue ?? -1 }

    @Test func placesFillsCancelsAndReadsPositions() throws {
        let clock = TestClock()
        let (facade, _, rest, _) = BybitFixture.make(clock: clock)
        let client = BybitExchangeClient(rest: rest, logger: BybitFixture.logger(), startTime: clock.now)
        let book = try rest.orderbookTop(TestData.btc)
        let bid = book.bestBid - Fixed(10)
        #expect(try client.place(BybitFixture.request(1, price: bid.description)) == .accepted)
        #expect(try client.place(BybitFixture.request(2, price: (bid - Fixed(10)).description)) == .accepted)
        #expect(try rest.orders(symbol: TestData.btc).count == 2)
        clock.advance(200)
        var fills: [Fill] = []
        try client.fills(upTo: clock.now, into: &fills)
        #expect(fills.count == 2)
        #expect(fills.allSatisfy { $0.isMaker && $0.side == .buy && $0.quantity == Fixed("0.01")! })
        var again: [Fill] = []
        try client.fills(upTo: clock.now, into: &again)
        #expect(again.isEmpty, "an execution is delivered once")
        #expect(try client.cancel(ClientOrderID(session: 7, sequence: 1), symbol: TestData.btc, at: clock.now) == .notOpen)
        let position = try #require(try rest.positions(symbol: TestData.btc).first)
        #expect(position.signedSize == Fixed("0.02")!)
        #expect(stateCount(facade, "executions") == 2)
    }

    @Test func cancelOfARestingOrderAndMarketData() throws {
        let clock = TestClock()
        let (_, _, rest, _) = BybitFixture.make(clock: clock, fillRate: "0")
        let client = BybitExchangeClient(rest: rest, logger: BybitFixture.logger(), startTime: clock.now)
        let market = try VenueMarketSource(rest: rest, symbols: [TestData.btc, TestData.eth], logger: BybitFixture.logger())
        #expect(market.snapshot(0) == (try rest.orderbookTop(TestData.btc)))
        #expect(market.snapshot(0).bestBid < market.snapshot(0).bestAsk)
        let request = BybitFixture.request(3, price: (market.snapshot(0).bestBid - Fixed(5)).description)
        #expect(try client.place(request) == .accepted)
        #expect(try client.cancel(request.id, symbol: TestData.btc, at: clock.now) == .canceled(remaining: request.quantity))
        #expect(try client.cancel(request.id, symbol: TestData.btc, at: clock.now) == .notOpen)
        #expect(try rest.orders(symbol: TestData.btc).isEmpty)
        #expect(try rest.orders(symbol: TestData.btc, closed: true).first?.orderStatus == "Cancelled")
    }

    @Test func postOnlyCrossingIsAPostOnlyRejectNotAnError() throws {
        let (facade, _, rest, telemetry) = BybitFixture.make()
        let client = BybitExchangeClient(rest: rest, logger: BybitFixture.logger(), startTime: TestData.start)
        let ask = try rest.orderbookTop(TestData.btc).bestAsk
        #expect(try client.place(BybitFixture.request(4, price: (ask + Fixed(50)).description)) == .rejected(.postOnlyWouldTake))
        #expect(telemetry.snapshot.count(.postOnlyRejects) == 1)
        #expect(telemetry.snapshot.errorsTotal == 0)
        // The venue answered retCode 0 and then canceled it, as Bybit does.
        let order = try #require(try rest.findOrder(symbol: TestData.btc, orderLinkId: BybitFixture.request(4).id.description))
        #expect(order.orderStatus == "Cancelled" && order.rejectReason == "EC_PostOnlyWillTakeLiquidity")
        #expect(stateCount(facade, "post_only_canceled") == 1)
    }

    @Test func aLostCreateAnswerIsQueriedNotResent() throws {
        let (facade, transport, rest, telemetry) = BybitFixture.make(fillRate: "0")
        transport.intercept(after: true) { request, n in
            request.url.hasSuffix("/v5/order/create") && n == 1 ? .failure(.timedOut(url: request.url, seconds: 1)) : nil
        }
        let client = BybitExchangeClient(rest: rest, logger: BybitFixture.logger(), startTime: TestData.start)
        let bid = try rest.orderbookTop(TestData.btc).bestBid - Fixed(10)
        #expect(try client.place(BybitFixture.request(5, price: bid.description)) == .accepted)
        #expect(transport.count("/v5/order/create") == 1, "the order reached the venue, so it was not sent again")
        #expect(telemetry.snapshot.count(.createsResolvedByQuery) == 1)
        #expect(stateCount(facade, "duplicate_link_id_creates") == 0)
        #expect(stateCount(facade, "accepted") == 1)
    }

    @Test func aCreateThatNeverArrivedIsResentWithTheSameOrderLinkId() throws {
        let (facade, transport, rest, telemetry) = BybitFixture.make(fillRate: "0")
        transport.intercept { request, n in
            request.url.hasSuffix("/v5/order/create") && n == 1
                ? .success(HTTPResponse(status: 503, headers: [:], body: Array("unavailable".utf8))) : nil
        }
        let client = BybitExchangeClient(rest: rest, logger: BybitFixture.logger(), startTime: TestData.start)
        let bid = try rest.orderbookTop(TestData.btc).bestBid - Fixed(10)
        #expect(try client.place(BybitFixture.request(6, price: bid.description)) == .accepted)
        let creates = transport.requests.filter { $0.url.hasSuffix("/v5/order/create") }
        #expect(creates.count == 2)
        #expect(creates.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains(#""orderLinkId":"mm-00000007-6""#) })
        #expect(telemetry.snapshot.count(.createResends) == 1)
        #expect(telemetry.snapshot.count(.server) == 1)
        #expect(stateCount(facade, "duplicate_link_id_creates") == 0)
    }

    @Test func clockSkewResyncsAndRetries() throws {
        let (_, transport, rest, telemetry) = BybitFixture.make(venueSkewMs: 30_000)
        #expect(try rest.orders(symbol: TestData.btc).isEmpty)
        #expect(telemetry.snapshot.count(.clockResyncs) == 1)
        #expect(telemetry.snapshot.count(.clockSkew) == 1)
        #expect(rest.clockOffsetMs == 30_000)
        #expect(transport.count("/v5/market/time") == 1)
    }

    @Test func rateLimitWaitsForTheWindowAndExportsTheBudget() throws {
        let clock = TestClock()
        let (facade, _, rest, telemetry) = BybitFixture.make(clock: clock, fillRate: "0", rateLimited: true, rateLimit: 2)
        let bid = try rest.orderbookTop(TestData.btc).bestBid - Fixed(10)
        let client = BybitExchangeClient(rest: rest, logger: BybitFixture.logger(), startTime: clock.now)
        for n in 1...3 { #expect(try client.place(BybitFixture.request(UInt64(10 + n), price: bid.description, postOnly: false)) == .accepted) }
        let t = telemetry.snapshot
        #expect(t.count(.rateLimitWaits) >= 1)
        #expect(t.rateLimitLimit == 2)
        #expect(t.rateLimitRemaining != nil)
        #expect(clock.now > TestData.start, "the client waited (on the injected clock) for the window to reset")
        #expect(stateCount(facade, "accepted") == 3)
    }

    @Test func http403CoolsDownWithoutSending() throws {
        let (_, transport, rest, telemetry) = BybitFixture.make()
        transport.intercept { _, _ in .success(HTTPResponse(status: 403, headers: [:], body: Array("access too frequent".utf8))) }
        #expect(throws: BybitError.self) { try rest.tickers() }
        let sent = transport.requests.count
        let error = #expect(throws: BybitError.self) { try rest.tickers() }
        #expect(error?.kind == .ipRateLimited)
        #expect(transport.requests.count == sent, "nothing is sent during the cool-down")
        #expect(telemetry.snapshot.count(.ipRateLimited) == 2)
    }

    @Test func aWrongSecretIsAnAuthErrorAndIsNotRetried() throws {
        let (facade, transport, _, _) = BybitFixture.make()
        let rest = BybitRESTClient(config: BybitClientConfig(baseURL: "http://venue.test"),
                                   credentials: ExchangeCredentials(apiKey: Secret(BybitFixture.key), apiSecret: Secret("wrong-secret")),
                                   transport: transport, clock: BybitClock(now: { TestData.start }, sleep: { _ in }),
                                   telemetry: VenueTelemetry(), logger: BybitFixture.logger())
        let error = #expect(throws: BybitError.self) { try rest.orders(symbol: TestData.btc) }
        #expect(error?.retCode == 10004 && error?.kind == .auth)
        #expect(!(error?.message.contains("wrong-secret") ?? true))
        #expect(transport.count("/v5/order/realtime") == 1)
        #expect(stateCount(facade, "auth_failures") == 1)
        let unknown = BybitRESTClient(config: BybitClientConfig(baseURL: "http://venue.test"),
                                      credentials: ExchangeCredentials(apiKey: Secret("nobody"), apiSecret: BybitFixture.secret),
                                      transport: transport, clock: BybitClock(now: { TestData.start }, sleep: { _ in }),
                                      telemetry: VenueTelemetry(), logger: BybitFixture.logger())
        #expect((#expect(throws: BybitError.self) { try unknown.orders(symbol: TestData.btc) })?.retCode == 10003)
    }

    @Test func envelopesParseDecimalsFromStringsAndRefuseGarbage() throws {
        let envelope = try BybitEnvelope.parse(Array(#"{"retCode":0,"retMsg":"OK","result":{"price":"0.30000000"},"time":5}"#.utf8), endpoint: "x")
        #expect(try BybitFields(envelope.result, "x").decimal("price") == Fixed("0.3")!)
        #expect((#expect(throws: BybitError.self) { try BybitEnvelope.parse(Array("<html>".utf8), endpoint: "x") })?.kind == .malformed)
        #expect(BybitError.kind(retCode: 10006) == .rateLimited)
        #expect(BybitError.kind(retCode: 10002) == .clockSkew)
        #expect(BybitError.kind(retCode: 10003) == .auth)
        #expect(BybitError.kind(retCode: 110001) == .rejected)
        #expect(BybitExchangeClient.rejectReason(retCode: 110094) == .belowMinNotional)
        #expect(BybitExchangeClient.rejectReason(retCode: 110072) == .duplicateClientID)
        #expect(BybitExchangeClient.rejectReason(retCode: 10001) == nil)
    }
}
