import Testing
@testable import MMBotCore
import MMBotSupport

@Suite struct ExecutionLoopTests {
    static func invariantHolds(_ loop: ExecutionLoop) -> Bool {
        loop.counters.placed == loop.counters.filled + loop.counters.canceled + loop.openOrders.count
    }

    @Test(arguments: [UInt64(1), 2, 3, 42, 99])
    func placedEqualsFilledPlusCanceledPlusOpen(seed: UInt64) throws {
        let (loop, _) = try TestData.run(TestData.config(iterations: 200, fillRate: "0.7", rejectRate: "0.1", latencyMs: 600, seed: seed))
        #expect(Self.invariantHolds(loop))
        #expect(loop.openOrders.isEmpty)  // shutdown canceled everything
        #expect(loop.counters.canceledByReason[.shutdown] + loop.counters.canceledByReason[.requote] == loop.counters.canceled)
        #expect(loop.counters.rejected > 0 && loop.counters.partialFills > 0)
        // With a latency over half a tick, a two-part fill straddles a requote: partially filled, then canceled.
        #expect(loop.counters.fills > loop.counters.filled)
    }

    @Test func positionsEqualTheSumOfFills() throws {
        let (loop, _) = try TestData.run(TestData.config(iterations: 300))
        for state in loop.symbols {
            #expect(state.position == state.counters.boughtQty - state.counters.soldQty)
        }
    }

    @Test func frozenRunCancelsEverythingOnceAndPlacesNothingAfter() throws {
        let (loop, lines) = try TestData.run(TestData.config(symbols: [TestData.btc], iterations: 30, fillRate: "0.9", threshold: "8"),
                                             level: .info)
        #expect(loop.risk.isFrozen)
        #expect(loop.risk.freezeEvents == 1)
        #expect(loop.risk.freezeTriggers > 1)  // repeated triggers while frozen
        #expect(loop.counters.canceledByReason[.freeze] > 0)
        #expect(loop.counters.canceledByReason[.shutdown] == 0)  // nothing left to cancel
        let freezeIteration = loop.risk.lastFreeze!.iteration
        #expect(loop.counters.iterationsFrozen == 30 - freezeIteration - 1)
        let cancelAllLines = lines.filter { $0.contains("\"event\":\"cancel_all_done\"") }
        #expect(cancelAllLines.count == 2)  // the freeze and the shutdown
        #expect(cancelAllLines.last!.contains("\"canceled\":0"))
        #expect(Self.invariantHolds(loop))
    }

    @Test func cancelAllIsIdempotent() throws {
        let config = TestData.config(iterations: 3, fillRate: "0")
        let clock = RunClock(now: config.startTime)
        let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: clock)
        let stop = StopSignal()
        stop.request(signal: 15)  // stops before the first iteration...
        let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop)
        try loop.run()
        #expect(loop.iterationsCompleted == 0 && loop.stopSignalNumber == 15)
        // ...so drive a fresh loop by hand instead.
        let (running, _) = try TestData.run(TestData.config(iterations: 1, fillRate: "0"))
        #expect(running.counters.canceledByReason[.shutdown] == 4)
        #expect(try running.cancelAll(reason: .shutdown) == 0)
        #expect(running.counters.canceledByReason[.shutdown] == 4)
    }

    @Test func resumeUnfreezesWhenEdgeRecovers() throws {
        let frozenForever = try TestData.run(TestData.config(symbols: [TestData.btc], iterations: 400, threshold: "6")).0
        let resuming = try TestData.run(TestData.config(symbols: [TestData.btc], iterations: 400, threshold: "6", resume: "6")).0
        #expect(frozenForever.risk.freezeEvents == 1 && frozenForever.risk.isFrozen)
        #expect(resuming.risk.unfreezeEvents >= 1)
        #expect(resuming.risk.freezeEvents == resuming.risk.unfreezeEvents + (resuming.risk.isFrozen ? 1 : 0))
        #expect(resuming.counters.placed > frozenForever.counters.placed)
    }

    @Test func riskBlocksAreCountedByReason() throws {
        let (loop, _) = try TestData.run(TestData.config(iterations: 40, fillRate: "0.95", latencyMs: 50, maxInv: 5_000, maxTotal: 8_000, threshold: "1"))
        #expect(loop.counters.riskBlocks > 10)
        #expect(loop.counters.riskBlocks == loop.counters.blockedByReason[.maxInventory] + loop.counters.blockedByReason[.maxTotal])
        #expect(!loop.risk.isFrozen)
    }

    @Test func dryRunSendsNothingAndNeverFills() throws {
        let (loop, _) = try TestData.run(TestData.config(mode: .dryrun))
        #expect(loop.counters.placed > 0 && loop.counters.fills == 0)
        #expect(loop.symbols.allSatisfy { $0.position == .zero })
        #expect(Self.invariantHolds(loop))
    }

    @Test func sameConfigSameReport() throws {
        let a = RunReport.render(RunReport.build(loop: try TestData.run(TestData.config()).0, runtime: .init(utc: "x")))
        let b = RunReport.render(RunReport.build(loop: try TestData.run(TestData.config()).0, runtime: .init(utc: "x")))
        let c = RunReport.render(RunReport.build(loop: try TestData.run(TestData.config(seed: 43)).0, runtime: .init(utc: "x")))
        #expect(a == b)
        #expect(a != c)
    }
}

@Suite struct EdgeModelTests {
    @Test func trendFallsFromTenToTwo() {
        #expect(EdgeModel.trend(iteration: 0, iterations: 50) == Fixed(10))
        #expect(EdgeModel.trend(iteration: 49, iterations: 50) == Fixed(2))
        #expect(EdgeModel.trend(iteration: 0, iterations: 1) == Fixed(10))
        #expect(EdgeModel.trend(iteration: 86_399, iterations: 86_400) == Fixed(2))
    }

    @Test(arguments: [1, 20, 50, 1_000, 20_000])
    func edgeStaysWithinTheDocumentedBand(iterations: Int) {
        let symbols = [TestData.btc, TestData.eth, Symbol(validating: "SOLUSDT")!]
        var model = EdgeModel(symbols: symbols, iterations: iterations, seed: 42)
        for i in 0..<iterations {
            for s in symbols.indices {
                let edge = model.next(symbol: s, iteration: i)
                #expect(edge >= Fixed("1.6")! && edge <= Fixed("10.4")!)
                #expect(edge.isMultiple(of: Fixed("0.01")!))
            }
        }
    }
}
