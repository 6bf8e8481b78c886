import MMBotSupport

/// Where the loop's best bid and ask come from: the seeded synthetic market in shadow runs, the
/// venue's tickers in Bybit runs. Symbols are addressed by their index in the run's symbol list.
package protocol MarketSource: AnyObject {
    /// Moves to the next iteration at `time`: the synthetic market takes one step of its walk, a
    /// venue source fetches fresh books (keeping the previous ones when that fails).
    func step(to time: Millis)
    func snapshot(_ index: Int) -> MarketSnapshot
}

extension SyntheticMarket: MarketSource {
    package func step(to time: Millis) { step() }
}
