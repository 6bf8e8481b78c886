import MMBotSupport

/// One of our orders as we track it locally.
package struct Order: Sendable, Equatable {
    package let id: ClientOrderID
    package let symbol: Symbol
    package let side: Side
    package let price: Fixed
    package let quantity: Fixed
    package let postOnly: Bool
    package let createdAt: Millis
    package private(set) var filledQuantity: Fixed = .zero
    package private(set) var state: OrderState = .pendingNew
    package private(set) var updatedAt: Millis

    package init(id: ClientOrderID, symbol: Symbol, side: Side, price: Fixed, quantity: Fixed, postOnly: Bool, createdAt: Millis) {
        self.id = id
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.postOnly = postOnly
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// An order as a journal or snapshot recorded it: every field, including its progress.
    package init(id: ClientOrderID, symbol: Symbol, side: Side, price: Fixed, quantity: Fixed, postOnly: Bool, createdAt: Millis,
                 filledQuantity: Fixed, state: OrderState, updatedAt: Millis) {
        self.init(id: id, symbol: symbol, side: side, price: price, quantity: quantity, postOnly: postOnly, createdAt: createdAt)
        self.filledQuantity = filledQuantity
        self.state = state
        self.updatedAt = updatedAt
    }

    package var remainingQuantity: Fixed { quantity - filledQuantity }

    /// Moves to `next`, refusing an illegal edge.
    package mutating func transition(to next: OrderState, at time: Millis) throws(IllegalTransition) {
        guard state.canTransition(to: next) else { throw IllegalTransition(id: id, from: state, to: next) }
        state = next
        updatedAt = time
    }

    /// Applies a fill of `quantity`: partially filled, or filled when nothing remains.
    /// Overfills are refused like any illegal transition.
    package mutating func applyFill(_ quantity: Fixed, at time: Millis) throws(IllegalTransition) {
        let total = filledQuantity + quantity
        guard quantity.raw > 0, total <= self.quantity else {
            throw IllegalTransition(id: id, from: state, to: .filled)
        }
        try transition(to: total == self.quantity ? .filled : .partiallyFilled, at: time)
        filledQuantity = total
    }
}
