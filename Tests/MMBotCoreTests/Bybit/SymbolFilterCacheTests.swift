@testable import MMBotCore
import MMBotSupport
import Synchronization
import Testing

@Suite struct SymbolFilterCacheTests {
    final class Fetcher: Sendable {
        let calls = Mutex(0)
        let failing = Mutex(false)
        let rules = InstrumentRules(tickSize: Fixed("0.5")!, qtyStep: Fixed("0.01")!, minQty: Fixed("0.01")!, minNotional: Fixed(5))
        func fetch(_ symbol: Symbol) throws(BybitError) -> InstrumentRules {
            calls.withLock { $0 += 1 }
            if failing.withLock({ $0 }) { throw BybitError(.connection, "down") }
            return rules
        }
    }

    @Test func servesFetchedCachedStaleAndFallback() {
        let fetcher = Fetcher()
        let telemetry = VenueTelemetry()
        let cache = SymbolFilterCache(ttlMs: 10_000, retryAfterMs: 1_000, telemetry: telemetry, logger: BybitFixture.logger()) {
            symbol throws(BybitError) in try fetcher.fetch(symbol)
        }
        let t0 = TestData.start
        #expect(cache.rules(for: TestData.btc, at: t0).source == .fetched)
        #expect(cache.rules(for: TestData.btc, at: t0 + 9_999).source == .cached)
        #expect(fetcher.calls.withLock { $0 } == 1)
        fetcher.failing.withLock { $0 = true }
        let stale = cache.rules(for: TestData.btc, at: t0 + 10_000)
        #expect(stale.source == .stale && stale.rules == fetcher.rules)
        #expect(cache.rules(for: TestData.btc, at: t0 + 10_500).source == .stale)
        #expect(fetcher.calls.withLock { $0 } == 2, "a failed symbol is not refetched before retryAfter")
        let fallback = cache.rules(for: TestData.eth, at: t0)
        #expect(fallback.source == .defaultFallback && fallback.rules == InstrumentCatalog.entry(for: TestData.eth).rules)
        fetcher.failing.withLock { $0 = false }
        #expect(cache.rules(for: TestData.btc, at: t0 + 11_000).source == .fetched)
        let t = telemetry.snapshot
        #expect(t.filterFetchErrors == 2)
        #expect(t.count(.fetched) == 2 && t.count(.cached) == 1 && t.count(.stale) == 2 && t.count(.defaultFallback) == 1)
    }

    @Test func warmUpIsCompleteOnlyWhenEverySymbolWasFetched() {
        let fetcher = Fetcher()
        let cache = SymbolFilterCache(ttlMs: 600_000, telemetry: VenueTelemetry(), logger: BybitFixture.logger()) { symbol throws(BybitError) in
            if symbol == TestData.eth { throw BybitError(.rejected, "not listed") }
            return try fetcher.fetch(symbol)
        }
        #expect(!cache.warmUp([TestData.btc, TestData.eth], at: TestData.start))
        #expect(cache.warmup.map(\.source) == [.fetched, .defaultFallback])
        let good = SymbolFilterCache(ttlMs: 600_000, telemetry: VenueTelemetry(), logger: BybitFixture.logger()) { symbol throws(BybitError) in
            try fetcher.fetch(symbol)
        }
        #expect(good.warmUp([TestData.btc, TestData.eth], at: TestData.start))
    }

    @Test func theVenueServesTheBuiltInRulesAsInstrumentsInfo() throws {
        let (_, _, rest, _) = BybitFixture.make()
        #expect(try rest.instrumentRules(TestData.btc) == InstrumentCatalog.entry(for: TestData.btc).rules)
        let error = #expect(throws: BybitError.self) { try rest.instrumentRules(Symbol(validating: "DOGEUSDT")!) }
        #expect(error?.kind == .rejected)
    }
}
