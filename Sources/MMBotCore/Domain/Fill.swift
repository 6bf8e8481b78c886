import MMBotSupport

/// A trade against one of our orders, as the venue reports it.
package struct Fill: Sendable, Equatable {
    package let orderID: ClientOrderID
    package let symbol: Symbol
    package let side: Side
    package let price: Fixed
    package let quantity: Fixed
    package let time: Millis
    /// True when our order was resting (maker); false when it took liquidity (taker).
    package let isMaker: Bool
    /// The venue's id for this execution (Bybit's execId); a fill delivered twice has the same one.
    package let execID: UInt64

    package init(orderID: ClientOrderID, symbol: Symbol, side: Side, price: Fixed, quantity: Fixed, time: Millis, isMaker: Bool,
                 execID: UInt64 = 0) {
        self.orderID = orderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.time = time
        self.isMaker = isMaker
        self.execID = execID
    }
}
