import MMBotSupport

/// The best bid and ask of one symbol at one instant.
package struct MarketSnapshot: Sendable, Equatable {
    package let bestBid: Fixed
    package let bestAsk: Fixed
    /// The mark price: the mid, (bid + ask) / 2, exact.
    package var mid: Fixed { Fixed(raw: (bestBid.raw + bestAsk.raw) / 2) }
}

/// A seeded synthetic market: per symbol, a random walk of the best bid in whole ticks and a
/// spread of 1–3 ticks. One `step()` is one iteration of time.
///
/// The walk's step is the sum of four uniform draws in [-m, m] ticks, where m is half a basis
/// point of the reference price in ticks (at least 1): BTCUSDT moves about 0.6 bp per step.
/// Each symbol draws from its own stream (`market/<SYMBOL>`), so adding a symbol never changes
/// another symbol's prices.
package final class SyntheticMarket {
    fileprivate struct Book {
        let tick: Fixed
        let maxStepTicks: Int64
        var bidTicks: Int64
        var spreadTicks: Int64
        var rng: SeededRandom
    }

    package let symbols: [Symbol]
    private var books: [Book]

    package init(symbols: [Symbol], seed: UInt64) {
        self.symbols = symbols
        books = symbols.map { symbol in
            let entry = InstrumentCatalog.entry(for: symbol)
            let tick = entry.rules.tickSize
            var rng = SeededRandom(seed: seed, stream: "market/" + symbol.name)
            let refTicks = entry.referencePrice.raw / tick.raw
            let maxStep = max(1, refTicks / 20_000)
            let spread = rng.next(in: 1...3)
            return Book(tick: tick, maxStepTicks: maxStep, bidTicks: refTicks - spread / 2, spreadTicks: spread, rng: rng)
        }
    }

    /// Advances every symbol by one step of the walk.
    package func step() {
        for index in books.indices {
            books[index].step()
        }
    }

    @inline(__always)
    package func snapshot(_ index: Int) -> MarketSnapshot {
        let book = books[index]
        return MarketSnapshot(bestBid: Fixed(raw: book.bidTicks * book.tick.raw),
                              bestAsk: Fixed(raw: (book.bidTicks + book.spreadTicks) * book.tick.raw))
    }
}

extension SyntheticMarket.Book {
    @inline(__always)
    mutating func step() {
        var delta: Int64 = 0
        for _ in 0..<4 { delta += rng.next(from: -maxStepTicks, through: maxStepTicks) }
        // Keep the book above a floor of 100 ticks so a long walk can never reach zero.
        bidTicks = max(100, bidTicks + delta)
        spreadTicks = rng.next(from: 1, through: 3)
    }
}
