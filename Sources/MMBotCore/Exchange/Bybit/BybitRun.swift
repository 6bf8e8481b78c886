import Foundation
import MMBotSupport

/// How `exec-demo --exchange bybit` reaches its venue.
package struct BybitRunOptions: Sendable {
    /// `.off`: the in-process v5 facade over the simulated venue (no socket); otherwise the venue
    /// at `baseURL` over HTTPS/HTTP.
    package var network: NetworkMode
    package var baseURL: String
    package var credentials: ExchangeCredentials
    package var filtersTTLms: Int64
    package var warmupFilters: Bool
    package var httpTimeoutMs: Int64

    package init(network: NetworkMode, baseURL: String, credentials: ExchangeCredentials, filtersTTLms: Int64, warmupFilters: Bool,
                 httpTimeoutMs: Int64) {
        self.network = network
        self.baseURL = baseURL
        self.credentials = credentials
        self.filtersTTLms = filtersTTLms
        self.warmupFilters = warmupFilters
        self.httpTimeoutMs = httpTimeoutMs
    }

    /// The base URL the in-process facade is addressed by (no socket is opened for it).
    package static let inProcessURL = "http://in-process.mmbot.invalid"
}

/// A Bybit run's venue side: the REST client, the filter cache, the market source and the
/// exchange client, wired around one execution loop; and, at the end, the shutdown sweep and the
/// report's `bybit` and `filters` sections.
package final class BybitRun {
    package let options: BybitRunOptions
    package let telemetry = VenueTelemetry()
    package let rest: BybitRESTClient
    package let filters: SymbolFilterCache
    package let loop: ExecutionLoop
    /// The in-process venue (nil on the network).
    package let facade: BybitSimFacade?
    package private(set) var warmupComplete = false
    package private(set) var sweepCanceled: Int?
    package private(set) var venueOpenAfterShutdown: Int?
    private let logger: Logger
    private let symbols: [Symbol]

    /// Builds everything and fetches the first books (and, when asked, every symbol's filters).
    /// `http` carries network runs; `wallClock` and `sleep` are their time.
    package init(config: EngineConfig, options: BybitRunOptions, clock: RunClock, logger: Logger, pacer: any Pacer, stop: StopSignal,
                 http: any HTTPSending, wallClock: @escaping @Sendable () -> Millis, sleep: @escaping @Sendable (Int64) -> Void,
                 tap: ExchangeTap? = nil) throws(BybitError) {
        self.options = options
        self.logger = logger
        symbols = config.symbols
        let transport: any HTTPSending
        let bybitClock: BybitClock
        let baseURL: String
        if options.network == .off {
            let reader = RunClockReader(clock)
            let facade = BybitSimFacade(
                config: BybitSimConfig(symbols: config.symbols, seed: config.seed, venue: config.venue, tickMs: config.tickMs,
                                       keys: [options.credentials.apiKey.revealed: options.credentials.apiSecret], rateLimited: false),
                logger: logger, now: { reader.now }, sleep: { _ in })
            self.facade = facade
            transport = InProcessTransport(router: facade.router)
            bybitClock = BybitClock(now: { reader.now }, sleep: { _ in })
            baseURL = BybitRunOptions.inProcessURL
        } else {
            facade = nil
            transport = http
            bybitClock = BybitClock(now: wallClock, sleep: sleep)
            baseURL = options.baseURL
        }
        rest = BybitRESTClient(config: BybitClientConfig(baseURL: baseURL), credentials: options.credentials, transport: transport,
                               clock: bybitClock, telemetry: telemetry, logger: logger)
        let rest = rest
        filters = SymbolFilterCache(ttlMs: options.filtersTTLms, telemetry: telemetry, logger: logger) { symbol throws(BybitError) in
            try rest.instrumentRules(symbol)
        }
        let start = options.network == .off ? config.startTime : wallClock()
        if options.network != .off { rest.resyncClock() }
        // A signed read before anything else: wrong, expired or unpermitted credentials stop the
        // run here (exit 1) instead of sending requests the venue refuses for the whole run.
        do {
            _ = try rest.orders(symbol: config.symbols[0])
        } catch let error where error.kind == .auth {
            throw BybitError(.auth, retCode: error.retCode, httpStatus: error.httpStatus,
                             "the venue refused the API credentials on a signed read (\(error.message)); check the key and secret "
                                 + "for --api-env (BYBIT_API_KEY/BYBIT_API_SECRET, or the SECRETS_BACKEND store) and the key's permissions")
        }
        if options.warmupFilters { warmupComplete = filters.warmUp(config.symbols, at: start) }
        let market = try VenueMarketSource(rest: rest, symbols: config.symbols, logger: logger)
        let exchange: any ExchangeClient = config.mode == .dryrun
            ? DryRunExchangeClient() : BybitExchangeClient(rest: rest, logger: logger, startTime: start)
        let client: any ExchangeClient = tap.map { TappedExchangeClient(exchange, tap: $0) } ?? exchange
        let cache = filters
        let venueTime = VenueTime(now: options.network == .off ? nil : { wallClock() },
                                  rules: { symbol, now in cache.rules(for: symbol, at: now).rules })
        loop = ExecutionLoop(config: config, market: market, exchange: client, clock: clock, logger: logger, pacer: pacer, stop: stop,
                             venueTime: venueTime)
    }

    /// After the loop's own shutdown cancels: cancel-all per symbol at the venue (a safety net
    /// that should find nothing) and count what the venue still lists as open.
    package func sweep() {
        guard loop.config.mode == .shadow else { return }
        var canceled = 0
        var open = 0
        do {
            for symbol in symbols {
                canceled += try rest.cancelAll(symbol: symbol).count
                open += try rest.orders(symbol: symbol).count
            }
            sweepCanceled = canceled
            venueOpenAfterShutdown = open
            logger.log(canceled == 0 ? .info : .warning, name: "mm.exchange", component: "bybit_client", event: "bybit_shutdown_sweep", [
                ("canceled", .int(canceled)), ("venue_open_orders", .int(open)),
            ])
        } catch {
            logger.log(.error, name: "mm.exchange", component: "bybit_client", event: "bybit_shutdown_sweep_failed", [
                ("error", .string(error.message)),
            ])
        }
    }

    /// The report's `bybit` section.
    package var bybitSection: JSONValue {
        let t = telemetry.snapshot
        var events: [String: JSONValue] = [:]
        for event in VenueTelemetry.Event.allCases { events[event.rawValue] = .int(t.count(event)) }
        var errors: [String: JSONValue] = [:]
        for kind in BybitError.Kind.allCases { errors[kind.rawValue] = .int(t.count(kind)) }
        events["errors"] = .object(errors)
        events["errors_total"] = .int(t.errorsTotal)
        events["base_url"] = .string(options.network == .off ? "in-process" : options.baseURL)
        events["rate_limit_remaining"] = t.rateLimitRemaining.map { .int($0) } ?? .null
        events["rate_limit_limit"] = t.rateLimitLimit.map { .int($0) } ?? .null
        events["shutdown_sweep_canceled"] = sweepCanceled.map { .int($0) } ?? .null
        events["venue_open_orders_after_shutdown"] = venueOpenAfterShutdown.map { .int($0) } ?? .null
        return .object(events)
    }

    /// The report's `filters` section.
    package var filtersSection: JSONValue {
        let t = telemetry.snapshot
        var lookups: [String: JSONValue] = [:]
        for source in FilterSource.allCases { lookups[source.rawValue] = .int(t.count(source)) }
        var bySymbol: [String: JSONValue] = [:]
        let warm = Dictionary(filters.warmup.map { ($0.symbol, $0.source) }, uniquingKeysWith: { a, _ in a })
        for symbol in symbols {
            let rules = filters.current(symbol) ?? InstrumentCatalog.entry(for: symbol).rules
            bySymbol[symbol.name] = [
                "warmup_source": warm[symbol].map { .string($0.rawValue) } ?? .null,
                "last_source": filters.lastSource[symbol].map { .string($0.rawValue) } ?? .null,
                "tick_size": .decimal(rules.tickSize), "qty_step": .decimal(rules.qtyStep), "min_qty": .decimal(rules.minQty),
                "min_notional": .decimal(rules.minNotional),
            ]
        }
        return [
            "ttl_s": .int(options.filtersTTLms / 1000), "warmup": .bool(options.warmupFilters), "warmup_complete": .bool(warmupComplete),
            "lookups": .object(lookups), "fetch_errors": .int(t.filterFetchErrors), "by_symbol": .object(bySymbol),
        ]
    }
}

/// The run clock, read from the in-process venue's @Sendable closures. The run is one thread:
/// the loop writes the clock and the venue reads it on that same thread.
private final class RunClockReader: @unchecked Sendable {
    private let clock: RunClock
    init(_ clock: RunClock) { self.clock = clock }
    var now: Millis { clock.now }
}
