import MMBotSupport

/// The first result of a keyed mutation, stored with its key.
package enum MutationResult: Sendable, Equatable {
    /// place: the venue accepted the order.
    case accepted
    /// place: the venue refused it.
    case rejected(RejectReason)
    /// cancel: the order was canceled.
    case canceled
    /// cancel: the venue no longer had it open.
    case notOpen
    /// fill: applied to the order and the position.
    case applied
    /// cancel_all: how many orders it canceled.
    case count(Int)
    /// reconcile: what recovery decided about one order.
    case reconciled(ReconcileVerdict)

    package var text: String {
        switch self {
        case .accepted: return "accepted"
        case .rejected(let reason): return "rejected:" + reason.rawValue
        case .canceled: return "canceled"
        case .notOpen: return "not_open"
        case .applied: return "applied"
        case .count(let n): return "count:\(n)"
        case .reconciled(let verdict): return "reconciled:" + verdict.rawValue
        }
    }

    package init?(text: String) {
        switch text {
        case "accepted": self = .accepted
        case "canceled": self = .canceled
        case "not_open": self = .notOpen
        case "applied": self = .applied
        default:
            if text.hasPrefix("rejected:"), let reason = RejectReason(rawValue: String(text.dropFirst(9))) {
                self = .rejected(reason)
            } else if text.hasPrefix("count:"), let n = Int(text.dropFirst(6)), n >= 0 {
                self = .count(n)
            } else if text.hasPrefix("reconciled:"), let verdict = ReconcileVerdict(rawValue: String(text.dropFirst(11))) {
                self = .reconciled(verdict)
            } else {
                return nil
            }
        }
    }
}

/// What recovery found for one order (docs/state.md, "Recovery").
package enum ReconcileVerdict: String, Sendable, CaseIterable {
    /// Open locally and at the venue; the local fill progress now matches the venue's.
    case matched
    /// Open locally but not at the venue: it ended while we were down, or never arrived.
    case missingAtVenue = "missing_at_venue"
    /// Open at the venue but unknown locally, taken over by `--on-recover adopt`.
    case adoptedOrphan = "adopted_orphan"
}

/// The execution of a fill, as the journal keeps it.
package struct FillRecord: Sendable, Equatable {
    package let execID: UInt64
    package let price: Fixed
    package let quantity: Fixed
    package let isMaker: Bool
}

/// One line of the write-ahead journal: an order mutation's intent or its result.
///
/// Records carry the order's full post-image, not a delta, so replaying a journal twice (or on
/// top of a snapshot that already holds some of it) ends in the same state.
package struct StateRecord: Sendable, Equatable {
    package enum Op: String, Sendable, CaseIterable {
        /// Intent to place (written before the venue is told); order in `pending_new`.
        case place
        case placeResult = "place_result"
        /// Intent to cancel (written before the venue is told).
        case cancel
        case cancelResult = "cancel_result"
        case fill
        /// Intent to cancel every open order (freeze, shutdown, state unavailable).
        case cancelAll = "cancel_all"
        case cancelAllResult = "cancel_all_result"
        /// A recovery verdict on one order.
        case reconcile
    }

    package var lsn: UInt64
    package var time: Millis
    package var op: Op
    package var key: IdempotencyKey
    package var result: MutationResult?
    package var order: Order?
    package var reason: String?
    package var fill: FillRecord?

    package init(lsn: UInt64 = 0, time: Millis, op: Op, key: IdempotencyKey, result: MutationResult? = nil, order: Order? = nil,
                 reason: String? = nil, fill: FillRecord? = nil) {
        self.lsn = lsn
        self.time = time
        self.op = op
        self.key = key
        self.result = result
        self.order = order
        self.reason = reason
        self.fill = fill
    }
}

/// An idempotency key with its first result and its expiry on the run clock.
package struct StoredKey: Sendable, Equatable {
    package let key: IdempotencyKey
    package let result: MutationResult
    package let expiresAt: Millis
}
