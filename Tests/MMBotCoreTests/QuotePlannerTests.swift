import Testing
@testable import MMBotCore
import MMBotSupport

@Suite struct QuotePlannerTests {
    let btcRules = InstrumentCatalog.entry(for: TestData.btc).rules
    let market = MarketSnapshot(bestBid: Fixed("50000.3")!, bestAsk: Fixed("50000.5")!)

    @Test func bidRoundsDownAndAskRoundsUpAwayFromTheTouch() {
        let planner = QuotePlanner(offsetBps: Fixed("1")!, notionalUSD: Fixed(4_000))
        let bid = planner.plan(.buy, market: market, rules: btcRules)
        let ask = planner.plan(.sell, market: market, rules: btcRules)
        // 50000.3 × (1 − 0.0001) = 49995.29997 → down to the 0.1 tick: 49995.2
        #expect(bid.price == Fixed("49995.2")!)
        // 50000.5 × (1 + 0.0001) = 50005.50005 → up to the tick: 50005.6
        #expect(ask.price == Fixed("50005.6")!)
        #expect(bid.price.isMultiple(of: btcRules.tickSize) && ask.price.isMultiple(of: btcRules.tickSize))
    }

    @Test func quantityIsNotionalOverPriceRoundedDownToTheStep() {
        let planner = QuotePlanner(offsetBps: .zero, notionalUSD: Fixed(4_000))
        let bid = planner.plan(.buy, market: market, rules: btcRules)
        // 4000 / 50000.3 = 0.07999952 → 0.079
        #expect(bid.quantity == Fixed("0.079")!)
        #expect(bid.blocked == nil)
        #expect(bid.price == Fixed("50000.3")!)
    }

    @Test func tooSmallQuotesAreBlockedWithTheirReason() {
        let tiny = QuotePlanner(offsetBps: .zero, notionalUSD: Fixed(40))
        #expect(tiny.plan(.buy, market: market, rules: btcRules).blocked == .minQty)  // 0.0008 → 0
        let custom = InstrumentRules(tickSize: Fixed("0.01")!, qtyStep: Fixed("0.01")!, minQty: Fixed("0.01")!, minNotional: Fixed(50))
        let small = QuotePlanner(offsetBps: .zero, notionalUSD: Fixed(30))
        let quote = small.plan(.sell, market: MarketSnapshot(bestBid: Fixed(100), bestAsk: Fixed("100.01")!), rules: custom)
        #expect(quote.quantity == Fixed("0.29")!)
        #expect(quote.blocked == .minNotional)
    }

    @Test func fractionalOffsetsBeyondHundredthsUseTheExactPath() {
        // 50000.3 × 1.005 bp = 5.02501... → 49995.27498... → down to the tick: 49995.2
        let planner = QuotePlanner(offsetBps: Fixed("1.005")!, notionalUSD: Fixed(4_000))
        #expect(planner.plan(.buy, market: market, rules: btcRules).price == Fixed("49995.2")!)
        // 50000.5 × 1.005 bp = 5.0250... → 50005.525... → up to the tick: 50005.6
        #expect(planner.plan(.sell, market: market, rules: btcRules).price == Fixed("50005.6")!)
        // 2.55 bp is a whole number of hundredths: 50000.3 × 2.55 bp = 12.750... → 49987.549... → 49987.5
        let hundredths = QuotePlanner(offsetBps: Fixed("2.55")!, notionalUSD: Fixed(4_000))
        #expect(hundredths.plan(.buy, market: market, rules: btcRules).price == Fixed("49987.5")!)
    }

    @Test func negativeOffsetPricesThroughTheTouch() {
        let planner = QuotePlanner(offsetBps: Fixed(-10), notionalUSD: Fixed(4_000))
        #expect(planner.plan(.buy, market: market, rules: btcRules).price > market.bestAsk)
        #expect(planner.plan(.sell, market: market, rules: btcRules).price < market.bestBid)
    }
}
