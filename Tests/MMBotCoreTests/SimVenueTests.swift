import Testing
@testable import MMBotCore
import MMBotSupport

@Suite struct SimVenueTests {
    func request(_ seq: UInt64, _ side: Side, price: String, qty: String = "0.01", postOnly: Bool = true, at time: Millis = TestData.start) -> OrderRequest {
        OrderRequest(id: ClientOrderID(session: 7, sequence: seq), symbol: TestData.btc, side: side, price: Fixed(price)!,
                     quantity: Fixed(qty)!, postOnly: postOnly, time: time)
    }

    func restingBid(_ market: SyntheticMarket) -> String { (market.snapshot(0).bestBid - Fixed(10)).description }

    @Test func fillsComeNoEarlierThanTheLatency() {
        let (venue, market) = TestData.venue(fillRate: "1", latencyMs: 250)
        #expect(venue.place(request(1, .buy, price: restingBid(market))) == .accepted)
        var fills: [Fill] = []
        venue.advance(to: TestData.start + 249, into: &fills)
        #expect(fills.isEmpty)
        venue.advance(to: TestData.start + 250, into: &fills)
        #expect(fills.count == 1)
        #expect(fills[0].quantity == Fixed("0.01")!)
        #expect(fills[0].isMaker)
        #expect(fills[0].time == TestData.start + 250)
        #expect(venue.openOrders.isEmpty)
    }

    @Test func zeroFillRateNeverFillsAndFullRejectRateRefusesAll() {
        let (venue, market) = TestData.venue(fillRate: "0")
        #expect(venue.place(request(1, .buy, price: restingBid(market))) == .accepted)
        var fills: [Fill] = []
        venue.advance(to: TestData.start + 1_000_000, into: &fills)
        #expect(fills.isEmpty)
        #expect(venue.openOrders.count == 1)
        let (rejecting, m2) = TestData.venue(rejectRate: "1")
        for seq in 1...20 {
            #expect(rejecting.place(request(UInt64(seq), .buy, price: restingBid(m2))) == .rejected(.venueRejected))
        }
    }

    @Test func fillRateIsHonouredOverManyOrders() {
        let (venue, market) = TestData.venue(fillRate: "0.8")
        for seq in 1...5_000 { _ = venue.place(request(UInt64(seq), .buy, price: restingBid(market))) }
        var fills: [Fill] = []
        venue.advance(to: TestData.start + 1_000, into: &fills)
        #expect(abs(fills.count - 4_000) < 150)
    }

    @Test func partialFillsAddUpToTheOrder() {
        let (venue, market) = TestData.venue(fillRate: "1", latencyMs: 100, partial: "1")
        #expect(venue.place(request(1, .sell, price: (market.snapshot(0).bestAsk + Fixed(10)).description, qty: "0.100")) == .accepted)
        var fills: [Fill] = []
        venue.advance(to: TestData.start + 100, into: &fills)
        #expect(fills.count == 1)
        #expect(fills[0].quantity >= Fixed("0.02")! && fills[0].quantity <= Fixed("0.08")!)
        venue.advance(to: TestData.start + 200, into: &fills)
        #expect(fills.count == 2)
        #expect(fills[0].quantity + fills[1].quantity == Fixed("0.1")!)
    }

    @Test func cancelBeforeTheFillRemovesIt() {
        let (venue, market) = TestData.venue(fillRate: "1", latencyMs: 100, partial: "1")
        _ = venue.place(request(1, .buy, price: restingBid(market), qty: "0.100"))
        var fills: [Fill] = []
        venue.advance(to: TestData.start + 150, into: &fills)
        #expect(fills.count == 1)
        guard case .canceled(let remaining) = venue.cancel(ClientOrderID(session: 7, sequence: 1)) else {
            Issue.record("expected a cancel")
            return
        }
        #expect(remaining + fills[0].quantity == Fixed("0.1")!)
        venue.advance(to: TestData.start + 10_000, into: &fills)
        #expect(fills.count == 1)
        #expect(venue.cancel(ClientOrderID(session: 7, sequence: 1)) == .notOpen)
    }

    @Test func postOnlyThatWouldCrossIsRejectedAndPlainLimitTakes() {
        let (venue, market) = TestData.venue(fillRate: "0")
        let through = (market.snapshot(0).bestAsk + Fixed(1)).description
        #expect(venue.place(request(1, .buy, price: through, postOnly: true)) == .rejected(.postOnlyWouldTake))
        #expect(venue.place(request(2, .buy, price: through, postOnly: false)) == .accepted)
        var fills: [Fill] = []
        venue.advance(to: TestData.start + 100, into: &fills)
        #expect(fills.count == 1)
        #expect(!fills[0].isMaker)
        #expect(fills[0].price == market.snapshot(0).bestAsk)
    }

    @Test func rulesAreEnforcedLikeBybit() {
        let (venue, market) = TestData.venue()
        let bid = restingBid(market)
        let offTick = (Fixed(bid)! + Fixed("0.05")!).description
        #expect(venue.place(request(1, .buy, price: offTick)) == .rejected(.invalidPrice))
        #expect(venue.place(request(2, .buy, price: bid, qty: "0.0005")) == .rejected(.invalidQuantity))
        #expect(venue.place(request(3, .buy, price: "100", qty: "0.001")) == .rejected(.belowMinNotional))
        #expect(venue.place(request(4, .buy, price: bid)) == .accepted)
        #expect(venue.place(request(4, .buy, price: bid)) == .rejected(.duplicateClientID))
        let other = OrderRequest(id: ClientOrderID(session: 7, sequence: 9), symbol: TestData.eth, side: .buy, price: Fixed(1),
                                 quantity: Fixed(1), postOnly: true, time: TestData.start)
        #expect(venue.place(other) == .rejected(.unknownSymbol))
    }
}
