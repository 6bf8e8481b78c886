import MMBotSupport

/// A TTL cache of each symbol's trading rules (Bybit's instruments-info filters).
///
/// A lookup younger than the TTL is served from the cache (`cached`); otherwise the rules are
/// fetched (`fetched`). When a fetch fails, an expired entry is served (`stale`), or, when there
/// is none, the built-in table's rules (`default_fallback`) with a warning; every failed fetch
/// counts in `mm_symbol_filters_fetch_errors_total`. A failed symbol is not fetched again before
/// `retryAfterMs`, so an outage costs one request per symbol per interval, not one per lookup.
package final class SymbolFilterCache {
    private struct Entry {
        var rules: InstrumentRules
        var fetchedAt: Millis
        var failedAt: Millis?
    }

    package let ttlMs: Int64
    package let retryAfterMs: Int64
    private let fetch: (Symbol) throws(BybitError) -> InstrumentRules
    private let telemetry: VenueTelemetry
    private let logger: Logger
    private var entries: [Symbol: Entry] = [:]
    private var fallbacks: [Symbol: (rules: InstrumentRules, failedAt: Millis)] = [:]
    /// The source of each symbol's warm-up fetch, in warm-up order.
    package private(set) var warmup: [(symbol: Symbol, source: FilterSource)] = []
    /// The source of each symbol's most recent lookup.
    package private(set) var lastSource: [Symbol: FilterSource] = [:]

    package init(ttlMs: Int64, retryAfterMs: Int64 = 5_000, telemetry: VenueTelemetry, logger: Logger,
                 fetch: @escaping (Symbol) throws(BybitError) -> InstrumentRules) {
        self.ttlMs = ttlMs
        self.retryAfterMs = retryAfterMs
        self.telemetry = telemetry
        self.logger = logger
        self.fetch = fetch
    }

    /// The rules for `symbol` at `now`, and where they came from.
    package func rules(for symbol: Symbol, at now: Millis) -> (rules: InstrumentRules, source: FilterSource) {
        let answer = lookup(symbol, at: now)
        telemetry.record(filterSource: answer.source)
        lastSource[symbol] = answer.source
        return answer
    }

    /// The rules last served for `symbol`, without a lookup (nil before the first).
    package func current(_ symbol: Symbol) -> InstrumentRules? { entries[symbol]?.rules ?? fallbacks[symbol]?.rules }

    /// Fetches every symbol now (before the first order); true when every one was fetched.
    @discardableResult
    package func warmUp(_ symbols: [Symbol], at now: Millis) -> Bool {
        logger.log(.info, name: "mm.filters", component: "symbol_filters", event: "filters_warmup_started", [
            ("symbols", .array(symbols.map { .string($0.name) })),
        ])
        warmup = []
        for symbol in symbols {
            entries[symbol] = nil
            let (rules, source) = self.rules(for: symbol, at: now)
            warmup.append((symbol, source))
            if source == .fetched {
                logger.log(.info, name: "mm.filters", component: "symbol_filters", event: "filters_warmed", [
                    ("symbol", .string(symbol.name)), ("tick_size", .decimal(rules.tickSize)), ("qty_step", .decimal(rules.qtyStep)),
                    ("min_qty", .decimal(rules.minQty)), ("min_notional", .decimal(rules.minNotional)),
                ])
            }
        }
        let all = warmup.allSatisfy { $0.source == .fetched }
        logger.log(all ? .info : .warning, name: "mm.filters", component: "symbol_filters", event: "filters_warmup_done", [
            ("warmed", .int(warmup.filter { $0.source == .fetched }.count)), ("symbols", .int(symbols.count)), ("complete", .bool(all)),
        ])
        return all
    }

    private func lookup(_ symbol: Symbol, at now: Millis) -> (rules: InstrumentRules, source: FilterSource) {
        if let entry = entries[symbol] {
            if now - entry.fetchedAt < ttlMs { return (entry.rules, .cached) }
            if let failed = entry.failedAt, now - failed < retryAfterMs { return (entry.rules, .stale) }
        } else if let fallback = fallbacks[symbol], now - fallback.failedAt < retryAfterMs {
            return (fallback.rules, .defaultFallback)
        }
        do {
            let rules = try fetch(symbol)
            entries[symbol] = Entry(rules: rules, fetchedAt: now, failedAt: nil)
            fallbacks[symbol] = nil
            return (rules, .fetched)
        } catch {
            telemetry.recordFilterFetchError()
            if var entry = entries[symbol] {
                entry.failedAt = now
                entries[symbol] = entry
                logger.log(.warning, name: "mm.filters", component: "symbol_filters", event: "filters_fetch_failed", [
                    ("symbol", .string(symbol.name)), ("served", .string(FilterSource.stale.rawValue)), ("error", .string(error.message)),
                ])
                return (entry.rules, .stale)
            }
            let rules = InstrumentCatalog.entry(for: symbol).rules
            fallbacks[symbol] = (rules, now)
            logger.log(.warning, name: "mm.filters", component: "symbol_filters", event: "filters_fetch_failed", [
                ("symbol", .string(symbol.name)), ("served", .string(FilterSource.defaultFallback.rawValue)),
                ("error", .string(error.message)),
            ])
            return (rules, .defaultFallback)
        }
    }
}
