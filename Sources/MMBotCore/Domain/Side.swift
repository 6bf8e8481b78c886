/// The side of an order or fill.
package enum Side: String, Sendable, Hashable, CaseIterable {
    case buy
    case sell

    /// +1 for buy (position grows), -1 for sell.
    @inline(__always)
    package var sign: Int64 { self == .buy ? 1 : -1 }

    /// Bybit's spelling: `Buy` / `Sell`.
    package var venueName: String { self == .buy ? "Buy" : "Sell" }
}
