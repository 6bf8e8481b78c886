/// An enum whose cases are numbered 0..<count, so counts per case live in a flat array and the
/// hot loop never hashes.
package protocol Countable: CaseIterable, Hashable, Sendable {
    var ordinal: Int { get }
}

/// A count per case of `Reason`, e.g. cancels by reason.
package struct ReasonCounts<Reason: Countable>: Sendable, Equatable {
    private var counts: [Int]

    package init() { counts = Array(repeating: 0, count: Reason.allCases.count) }

    package subscript(_ reason: Reason) -> Int {
        get { counts[reason.ordinal] }
        set { counts[reason.ordinal] = newValue }
    }

    package var total: Int { counts.reduce(0, +) }
}

extension RejectReason: Countable {
    package var ordinal: Int {
        switch self {
        case .venueRejected: return 0
        case .postOnlyWouldTake: return 1
        case .invalidPrice: return 2
        case .invalidQuantity: return 3
        case .belowMinNotional: return 4
        case .unknownSymbol: return 5
        case .duplicateClientID: return 6
        }
    }
}

extension CancelReason: Countable {
    package var ordinal: Int {
        switch self {
        case .requote: return 0
        case .freeze: return 1
        case .shutdown: return 2
        case .stateUnavailable: return 3
        }
    }
}

extension BlockReason: Countable {
    package var ordinal: Int {
        switch self {
        case .maxInventory: return 0
        case .maxTotal: return 1
        case .minQty: return 2
        case .minNotional: return 3
        }
    }
}
