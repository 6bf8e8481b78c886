import Testing
@testable import MMBotCore
import MMBotSupport

@Suite struct RiskMonitorTests {
    func monitor(maxInv: Int = 5_000, maxTotal: Int = 8_000, threshold: String = "8", resume: String? = nil) -> RiskMonitor {
        RiskMonitor(limits: RiskLimits(maxInventoryUSD: Fixed(maxInv), maxTotalUSD: Fixed(maxTotal), edgeThresholdBps: Fixed(threshold)!,
                                       resumeEdgeBps: resume.map { Fixed($0)! }))
    }

    @Test func perSymbolLimitCountsPositionSameSideOpenAndNewQuantity() {
        let risk = monitor()
        let price = Fixed(50_000)
        // position 0.05 + open buy 0.02 + new 0.03 = 0.1 BTC × 50000 = 5000 ≤ 5000: allowed.
        let exposure = Exposure(position: Fixed("0.05")!, openBuy: Fixed("0.02")!, openSell: .zero)
        #expect(risk.check(side: .buy, price: price, quantity: Fixed("0.03")!, mark: price, exposure: exposure, otherSymbolsUSD: .zero) == nil)
        // One more step over the limit: blocked as max_inv.
        #expect(risk.check(side: .buy, price: price, quantity: Fixed("0.031")!, mark: price, exposure: exposure, otherSymbolsUSD: .zero) == .maxInventory)
        // Selling reduces the same position: allowed.
        #expect(risk.check(side: .sell, price: price, quantity: Fixed("0.03")!, mark: price, exposure: exposure, otherSymbolsUSD: .zero) == nil)
    }

    @Test func portfolioLimitSumsWorstCaseAcrossSymbols() {
        let risk = monitor(maxInv: 100_000)
        let price = Fixed(50_000)
        let flat = Exposure()
        // This symbol's worst case with the new 0.08 BTC order is 4000; others already 4000.
        #expect(risk.check(side: .buy, price: price, quantity: Fixed("0.08")!, mark: price, exposure: flat, otherSymbolsUSD: Fixed(4_000)) == nil)
        #expect(risk.check(side: .buy, price: price, quantity: Fixed("0.08")!, mark: price, exposure: flat, otherSymbolsUSD: Fixed("4000.01")!) == .maxTotal)
    }

    @Test func worstCaseIsTheWorseSide() {
        let e = Exposure(position: Fixed("0.1")!, openBuy: Fixed("0.05")!, openSell: Fixed("0.3")!)
        #expect(e.worstCaseQuantity == Fixed("0.2")!)  // max(|0.15|, |-0.2|)
        #expect(e.worstCaseNotional(mark: Fixed(1_000)) == Fixed(200))
    }

    @Test func freezeLatchesAndRepeatedTriggersDoNothingNew() {
        let risk = monitor()
        #expect(risk.onEdge(symbol: TestData.btc, edgeBps: Fixed(9), iteration: 0, time: 0) == .none)
        guard case .froze(let record) = risk.onEdge(symbol: TestData.btc, edgeBps: Fixed("7.9")!, iteration: 1, time: 1000) else {
            Issue.record("expected a freeze")
            return
        }
        #expect(record.symbol == TestData.btc && record.iteration == 1 && record.thresholdBps == Fixed(8))
        #expect(risk.onEdge(symbol: TestData.eth, edgeBps: Fixed(1), iteration: 2, time: 2000) == .repeatedTrigger)
        #expect(risk.isFrozen && risk.freezeEvents == 1 && risk.freezeTriggers == 2)
        #expect(!risk.maybeResume(edges: [Fixed(100)]))  // latched: no resume level
        #expect(risk.isFrozen)
        #expect(risk.lastFreeze?.symbol == TestData.btc)
    }

    @Test func resumeNeedsEveryEdgeAtOrAboveTheLevel() {
        let risk = monitor(threshold: "8", resume: "8.5")
        _ = risk.onEdge(symbol: TestData.btc, edgeBps: Fixed(7), iteration: 0, time: 0)
        #expect(!risk.maybeResume(edges: [Fixed("8.5")!, Fixed("8.49")!]))
        #expect(risk.maybeResume(edges: [Fixed("8.5")!, Fixed(9)]))
        #expect(!risk.isFrozen && risk.unfreezeEvents == 1)
        if case .froze = risk.onEdge(symbol: TestData.btc, edgeBps: Fixed(7), iteration: 5, time: 5) {} else {
            Issue.record("a second freeze should count as a new event")
        }
        #expect(risk.freezeEvents == 2)
    }
}
