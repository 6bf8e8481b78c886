import Testing
@testable import MMBotCore
import MMBotSupport

/// A venue that starts refusing our credentials mid-run (a revoked key) ends the run: the loop
/// stops quoting instead of sending requests that will all be refused.
@Suite struct VenueFatalErrorTests {
    final class RevokingExchange: ExchangeClient {
        let inner: FakeExchangeClient
        let revokeAfterPlacements: Int
        private(set) var placements = 0
        private(set) var refusedCalls = 0
        private(set) var firstRefusalWasCancel = false

        init(inner: FakeExchangeClient, revokeAfterPlacements: Int) {
            self.inner = inner
            self.revokeAfterPlacements = revokeAfterPlacements
        }

        var name: String { "revoking" }
        var revoked: Bool { placements >= revokeAfterPlacements }
        static let refusal = ExchangeError("retCode 10003: API key is invalid", fatal: true)

        func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome {
            if revoked { refusedCalls += 1; throw Self.refusal }
            placements += 1
            return try inner.place(request)
        }
        func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome {
            if revoked {
                if refusedCalls == 0 { firstRefusalWasCancel = true }
                refusedCalls += 1
                throw Self.refusal
            }
            return try inner.cancel(id, symbol: symbol, at: time)
        }
        func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) { try inner.fills(upTo: time, into: &buffer) }
        func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder] { try inner.openOrders(symbols: symbols) }
    }

    @Test func refusedCredentialsEndTheRun() throws {
        let config = TestData.config(iterations: 200)
        let clock = RunClock(now: config.startTime)
        let sink = MemoryLogSink()
        let logger = Logger(threshold: .info, format: .json, sink: sink, clock: clock)
        let market = SyntheticMarket(symbols: config.symbols, seed: config.seed)
        let exchange = RevokingExchange(inner: FakeExchangeClient(venue: SimVenue(config: config.venue, market: market, seed: config.seed,
                                                                                      logger: logger)),
                                        revokeAfterPlacements: 30)
        let stop = StopSignal()
        let loop = ExecutionLoop(config: config, market: market, exchange: exchange, clock: clock, logger: logger,
                                 pacer: VirtualPacer(stop: stop), stop: stop)
        try loop.run()
        #expect(loop.venueHaltReason?.contains("10003") == true)
        #expect(loop.iterationsCompleted < 200, "the run ended early")
        #expect(loop.counters.placed == 30)
        // The first refused call ends quoting; after it only the shutdown's cancels of still-open orders go out.
        #expect(exchange.refusedCalls == 1 + loop.counters.cancelErrors - (exchange.firstRefusalWasCancel ? 1 : 0))
        #expect(loop.openOrders.count == loop.counters.cancelErrors - (exchange.firstRefusalWasCancel ? 1 : 0),
                "orders whose cancel was refused stay open in the report")
        #expect(sink.lines.filter { $0.contains("\"event\":\"venue_refused_credentials\"") }.count == 1)
    }

    @Test func ordinaryErrorsDoNotEndTheRun() throws {
        let (loop, _) = try TestData.run(TestData.config(iterations: 50))
        #expect(loop.venueHaltReason == nil)
        #expect(loop.iterationsCompleted == 50)
    }
}
