/// The life of an order. Only the transitions in `canTransition(to:)` are legal; anything else
/// is a bug and is refused by `Order.transition(to:)`.
///
/// ```
/// pendingNew ─► open ─► partiallyFilled ─► filled
///     │           │            │
///     ▼           ├────────────┴──► canceled
///  rejected       └──────────────► filled
/// ```
package enum OrderState: String, Sendable, Hashable, CaseIterable {
    case pendingNew = "pending_new"
    case open
    case partiallyFilled = "partially_filled"
    case filled
    case canceled
    case rejected

    package var isTerminal: Bool { self == .filled || self == .canceled || self == .rejected }
    /// Resting at the venue: can still fill or be canceled.
    package var isOpen: Bool { self == .open || self == .partiallyFilled }

    package func canTransition(to next: OrderState) -> Bool {
        switch (self, next) {
        case (.pendingNew, .open), (.pendingNew, .rejected): return true
        case (.open, .partiallyFilled), (.open, .filled), (.open, .canceled): return true
        case (.partiallyFilled, .partiallyFilled), (.partiallyFilled, .filled), (.partiallyFilled, .canceled): return true
        default: return false
        }
    }
}

/// An attempt to move an order along an edge the state machine does not have.
package struct IllegalTransition: Error, Sendable, CustomStringConvertible, Equatable {
    package let id: ClientOrderID
    package let from: OrderState
    package let to: OrderState
    package var description: String {
        "order \(id) cannot go from \(from.rawValue) to \(to.rawValue); this is a bug in mmbot, please report it with the run's flags"
    }
}
