import MMBotSupport

/// The market as the venue quotes it: one GET /v5/market/tickers per iteration gives every
/// symbol's best bid and ask. A failed poll keeps the previous books (counted, logged).
package final class VenueMarketSource: MarketSource {
    private let rest: BybitRESTClient
    private let symbols: [Symbol]
    private let logger: Logger
    private var books: [MarketSnapshot]

    /// Fetches the first books; throws when the venue does not quote every symbol.
    package init(rest: BybitRESTClient, symbols: [Symbol], logger: Logger) throws(BybitError) {
        self.rest = rest
        self.symbols = symbols
        self.logger = logger
        books = []
        let first = try fetch()
        var missing: [String] = []
        for (i, book) in first.enumerated() where book == nil { missing.append(symbols[i].name) }
        guard missing.isEmpty else {
            throw BybitError(.rejected, "/v5/market/tickers quotes no two-sided book for \(missing.joined(separator: ", ")) in category \(rest.config.category); check --symbols")
        }
        books = first.map { $0! }
    }

    package func step(to time: Millis) {
        do {
            for (i, book) in try fetch().enumerated() {
                if let book { books[i] = book }
            }
        } catch {
            rest.telemetry.record(.marketDataErrors)
            logger.log(.warning, name: "mm.market", component: "venue_market", event: "market_data_error", [("error", .string(error.message))])
        }
    }

    package func snapshot(_ index: Int) -> MarketSnapshot { books[index] }

    private func fetch() throws(BybitError) -> [MarketSnapshot?] {
        var bySymbol: [Symbol: MarketSnapshot] = [:]
        for ticker in try rest.tickers() where ticker.bid.raw > 0 && ticker.ask > ticker.bid {
            bySymbol[ticker.symbol] = MarketSnapshot(bestBid: ticker.bid, bestAsk: ticker.ask)
        }
        return symbols.map { bySymbol[$0] }
    }
}
