import MMBotSupport

/// `--on-recover`: what a recovering run does with the open orders it finds at the venue.
package enum RecoverAction: String, Sendable, CaseIterable {
    /// Cancel them before quoting.
    case cancel
    /// Keep managing them (requoted like any other quote).
    case adopt
}

/// One of our orders as the venue reports it.
package struct VenueOrder: Sendable, Equatable {
    package let id: ClientOrderID
    package let symbol: Symbol
    package let side: Side
    package let price: Fixed
    package let quantity: Fixed
    package let filled: Fixed

    package init(id: ClientOrderID, symbol: Symbol, side: Side, price: Fixed, quantity: Fixed, filled: Fixed) {
        self.id = id
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.filled = filled
    }
}

/// What recovery decides, from the recovered local orders and the venue's open orders alone
/// (a pure function: docs/state.md, "Recovery", states the rules).
package struct RecoveryPlan: Sendable, Equatable {
    /// Open locally and at the venue. `order` carries the venue's fill progress when the venue
    /// is ahead; `reconciledFill` is the quantity that catch-up added.
    package var matched: [(order: Order, reconciledFill: Fixed)] = []
    /// Open locally, not open at the venue: ended (or never arrived) while we were down.
    package var missingAtVenue: [Order] = []
    /// Open at the venue, ended in our records: cancel it at the venue again.
    package var staleAtVenue: [VenueOrder] = []
    /// Open at the venue, unknown in our records (the write-ahead rule makes this impossible;
    /// counted so that a violation shows).
    package var orphans: [VenueOrder] = []

    package static func == (a: RecoveryPlan, b: RecoveryPlan) -> Bool {
        a.matched.map(\.order) == b.matched.map(\.order) && a.matched.map(\.reconciledFill) == b.matched.map(\.reconciledFill)
            && a.missingAtVenue == b.missingAtVenue && a.staleAtVenue == b.staleAtVenue && a.orphans == b.orphans
    }

    /// - local: the recovered orders not yet ended;
    /// - known: whether an id appears anywhere in our records (ended orders, idempotency keys);
    /// - venue: the venue's open orders;
    /// - time: the instant the verdicts are taken.
    package static func make(local: [Order], known: (ClientOrderID) -> Bool, venue: [VenueOrder], time: Millis) -> RecoveryPlan {
        var plan = RecoveryPlan()
        var atVenue: [ClientOrderID: VenueOrder] = [:]
        for order in venue { atVenue[order.id] = order }
        let localIDs = Set(local.map(\.id))
        for order in local.sorted(by: { $0.id < $1.id }) {
            guard let remote = atVenue[order.id] else {
                plan.missingAtVenue.append(order)
                continue
            }
            var synced = order
            var added = Fixed.zero
            if remote.filled > order.filledQuantity, remote.filled < order.quantity,
               let caughtUp = try? reconciled(order, filled: remote.filled, time: time) {
                added = remote.filled - order.filledQuantity
                synced = caughtUp
            }
            plan.matched.append((synced, added))
        }
        for remote in venue.sorted(by: { $0.id < $1.id }) where !localIDs.contains(remote.id) {
            if known(remote.id) { plan.staleAtVenue.append(remote) } else { plan.orphans.append(remote) }
        }
        return plan
    }

    /// `order` moved to the venue's fill progress (pending → open first when needed).
    private static func reconciled(_ order: Order, filled: Fixed, time: Millis) throws(IllegalTransition) -> Order {
        var copy = order
        if copy.state == .pendingNew { try copy.transition(to: .open, at: time) }
        try copy.applyFill(filled - copy.filledQuantity, at: time)
        return copy
    }
}

/// The report's `recovery` section (docs/state.md).
package struct RecoveryInfo: Sendable, Equatable {
    /// True for a `--recover` run.
    package var recovered = false
    package var action: RecoverAction?
    /// The open orders recovery found (after reconciliation, before the action), sorted by id.
    package var openOrders: [Order] = []
    package var journalEntriesReplayed = 0
    package var snapshotTime: Millis?
    package var tornTail = false
    package var warnings: [String] = []
    package var matched = 0
    package var missingAtVenue = 0
    package var staleAtVenue = 0
    package var orphansAtVenue = 0
    package var canceled = 0
    package var adopted = 0
    package var fillsReconciled = 0

    package init() {}

    package var json: JSONValue {
        [
            "recovered": .bool(recovered),
            "action": action.map { .string($0.rawValue) } ?? .null,
            "open_orders_count": .int(openOrders.count),
            "open_orders": .array(openOrders.map(StateCodec.json)),
            "journal_entries_replayed": .int(journalEntriesReplayed),
            "snapshot_ts": snapshotTime.map { .string(UTCTime.iso($0)) } ?? .null,
            "torn_tail": .bool(tornTail),
            "warnings": .array(warnings.map { .string($0) }),
            "matched": .int(matched),
            "missing_at_venue": .int(missingAtVenue),
            "stale_at_venue": .int(staleAtVenue),
            "orphans_at_venue": .int(orphansAtVenue),
            "canceled": .int(canceled),
            "adopted": .int(adopted),
            "fills_reconciled": .int(fillsReconciled),
        ]
    }
}
