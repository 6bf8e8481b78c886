import Testing
import MMBotSupport
@testable import MMBotCore

@Suite struct SnapshotPublisherTests {
    @Test func finalSnapshotAgreesWithTheLoopCounters() throws {
        let run = ObservedRun(iterations: 120)
        try run.loop.run()
        let snapshot = run.publisher.snapshot()
        #expect(snapshot.finished)
        #expect(snapshot.iterations == 120)
        let values = sampleValues(run.metrics())
        var placed = 0
        for state in run.loop.symbols {
            let s = state.symbol.name
            placed += state.counters.placed
            #expect(values["mm_orders_placed_total{symbol=\"\(s)\"}"] == String(state.counters.placed))
            #expect(values["mm_orders_filled_total{symbol=\"\(s)\"}"] == String(state.counters.filled))
            #expect(values["mm_fills_total{symbol=\"\(s)\"}"] == String(state.counters.fills))
            #expect(values["mm_position_qty{symbol=\"\(s)\"}"] == state.position.description)
            #expect(values["mm_edge_bps{symbol=\"\(s)\"}"] == state.edgeBps.description)
            for reason in CancelReason.allCases {
                #expect(values["mm_orders_canceled_total{symbol=\"\(s)\",reason=\"\(reason.rawValue)\"}"]
                        == String(state.counters.canceledByReason[reason]))
            }
            let rejected = RejectReason.allCases.reduce(0) { $0 + Int(values["mm_orders_rejected_total{symbol=\"\(s)\",reason=\"\($1.rawValue)\"}"]!)! }
            #expect(rejected == state.counters.rejected)
            #expect(rejected > 0, "the 5 % reject rate produced rejections")
            // Every placement call (accepted or rejected) is in the latency histogram.
            #expect(values["mm_order_latency_ms_count{symbol=\"\(s)\"}"] == String(state.counters.placed + state.counters.rejected))
        }
        #expect(placed == run.loop.counters.placed)
        #expect(values["mm_iterations_total"] == "120")
        #expect(values["mm_maker_taker_ratio"] == "1", "post-only quotes only fill as maker")
        #expect(values["mm_frozen"] == "0")
        // The report's placed = filled + canceled + open holds after shutdown, so nothing is open.
        #expect(run.loop.openOrders.isEmpty)
        #expect(values["mm_orders_placed_timestamp_seconds"] != "0")
    }

    @Test func sampledTimingTimesOnePlacementInN() throws {
        let run = ObservedRun(iterations: 120, timeEvery: 12)
        #expect(run.tap.timeEvery == 16, "rounded up to a power of two")
        try run.loop.run()
        let values = sampleValues(run.metrics())
        let placements = run.loop.symbols.reduce(0) { $0 + $1.counters.placed + $1.counters.rejected }
        let timed = run.loop.symbols.reduce(0) { $0 + Int(values["mm_order_latency_ms_count{symbol=\"\($1.symbol.name)\"}"]!)! }
        #expect(timed == placements / 16)
        #expect(timed > 0)
    }

    @Test func frozenRunIsNotReady() throws {
        let run = ObservedRun(iterations: 20, edgeThreshold: "10")
        try run.loop.run()
        let readiness = Readiness(run.publisher.snapshot())
        #expect(!readiness.risk && readiness.exchange && readiness.state)
        #expect(readiness.status == 503)
        #expect(readiness.json == #"{"checks":{"exchange":true,"risk":false,"state":true},"status":"fail"}"#)
        let values = sampleValues(run.metrics())
        #expect(values["mm_frozen"] == "1")
        #expect(values["mm_freeze_events_total"] == "1")
    }

    @Test func readinessJSONWhenReady() {
        let ready = Readiness(exchange: true, risk: true, state: true)
        #expect(ready.status == 200)
        #expect(ready.json == #"{"checks":{"exchange":true,"risk":true,"state":true},"status":"ok"}"#)
        #expect(Readiness(exchange: false, risk: true, state: true).status == 503)
    }

    @Test func virtualPacePublishesAtABoundedRateRealtimeEveryIteration() throws {
        let fast = ObservedRun(iterations: 20_000, symbols: ["BTCUSDT"])
        try fast.loop.run()
        // 20k virtual iterations take well under a second: at most ~100 publishes a second plus
        // the final one, far fewer than the iterations.
        #expect(fast.publisher.publishCount < 200)
        #expect(fast.publisher.publishCount >= 1)
        let paced = ObservedRun(iterations: 30, pace: .realtime, symbols: ["BTCUSDT"])
        try paced.loop.run()
        #expect(paced.publisher.publishCount == 31)
    }

    @Test func endpointsServeFromTheSnapshot() throws {
        let run = ObservedRun(iterations: 20, edgeThreshold: "10")
        let router = ObservabilityEndpoints.router(publisher: run.publisher, liveEnable: true) { ObservedRun.process }
        #expect(router.respond(to: HTTPServerRequest(method: "GET", path: "/ready")).status == 200, "not frozen before the run")
        try run.loop.run()
        let ready = router.respond(to: HTTPServerRequest(method: "GET", path: "/ready"))
        #expect(ready.status == 503)
        let health = router.respond(to: HTTPServerRequest(method: "GET", path: "/health"))
        #expect(String(decoding: health.body, as: UTF8.self) == "{\"status\":\"ok\"}\n")
        let metrics = router.respond(to: HTTPServerRequest(method: "GET", path: "/metrics"))
        #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("\nmm_live_enable 1\n"))
    }

    @Test func exchangeFailureMakesTheExchangeCheckFail() throws {
        final class Failing: ExchangeClient {
            var name: String { "failing" }
            func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome { throw ExchangeError("venue down") }
            func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome { .notOpen }
            func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) { throw ExchangeError("venue down") }
            func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder] { throw ExchangeError("venue down") }
        }
        let tap = ExchangeTap(symbols: [Symbol(validating: "BTCUSDT")!], monotonicNanos: Platform.monotonicNanos)
        let client = TappedExchangeClient(Failing(), tap: tap)
        var buffer: [Fill] = []
        #expect(throws: ExchangeError.self) { try client.fills(upTo: 0, into: &buffer) }
        #expect(tap.lastCallFailed)
        _ = try client.cancel(ClientOrderID(session: 1, sequence: 1), symbol: Symbol(validating: "BTCUSDT")!, at: 0)
        #expect(!tap.lastCallFailed)
    }
}
