import MMBotSupport

/// Something persisted after each of our commits and with each snapshot: the simulated
/// venue's state in shadow mode. Flushing after our commit keeps the invariant that the venue's
/// persisted state never holds an order our own durable records do not know.
package protocol StateFollower: AnyObject {
    func flushAfterCommit() throws(StateError)
    func writeSnapshot(time: Millis) throws(StateError)
}

/// The execution loop's durable memory of its orders, over an `OrderStore`.
///
/// For every mutation the loop calls a `will...` method before telling the venue (which
/// appends the intent record, or returns the first result when the mutation's idempotency key
/// was seen before, logging `idem_hit`) and a `did...` method with the outcome. `commit()`, once
/// per iteration, makes the iteration's records durable in one group, then lets the followers
/// persist; it also compacts into a snapshot when the journal has grown past twice the live
/// state (at least `minCompactionRecords`), or when a snapshot was requested (freeze, shutdown,
/// recovery).
package final class DurableState {
    /// How long an idempotency key and its first result are kept, on the run clock.
    package static let keyTTL: Millis = 86_400_000
    package static let minCompactionRecords = 10_000

    private struct KeyEntry: Sendable {
        let result: MutationResult
        let expiresAt: Millis
    }

    package let store: any OrderStore
    /// The client-order-id session of this run (unique in this state directory).
    package let session: UInt32
    package let registry: SessionRegistry
    /// What the load found, for the report's `recovery` section.
    package let loaded: PersistedState
    package var recovery: RecoveryInfo
    private let clock: RunClock
    private let logger: Logger
    private var followers: [any StateFollower] = []
    private var keys = FastMap<IdempotencyKey, KeyEntry>(capacity: 1024)
    private var expiryKeys: [IdempotencyKey] = []
    private var expiryTimes: [Millis] = []
    private var expiryHead = 0
    private var live = FastMap<ClientOrderID, Order>(capacity: 64)
    private var ended: [Order] = []
    private let loadedIDs: Set<ClientOrderID>
    private var recordsSinceSnapshot = 0
    private var snapshotRequested = false
    package private(set) var duplicates = 0
    package private(set) var recordsAppended = 0
    /// Set when the store failed: the run stopped quoting and canceled its orders.
    package private(set) var haltReason: String?

    package init(store: any OrderStore, session: UInt32, registry: SessionRegistry, loaded: PersistedState, recovery: RecoveryInfo,
                 clock: RunClock, logger: Logger) {
        self.store = store
        self.session = session
        self.registry = registry
        self.loaded = loaded
        self.recovery = recovery
        self.clock = clock
        self.logger = logger
        loadedIDs = Set(loaded.orders.map(\.id))
        for order in loaded.orders {
            if order.state.isTerminal { ended.append(order) } else { live.insert(order.id, order) }
        }
        for stored in loaded.keys.sorted(by: { $0.expiresAt < $1.expiresAt }) where stored.expiresAt > clock.now {
            remember(stored.key, stored.result, expiresAt: stored.expiresAt)
        }
    }

    package func add(follower: any StateFollower) { followers.append(follower) }

    /// Orders not yet ended, sorted by id.
    package var openOrders: [Order] { live.pairs.map(\.1).sorted { $0.id < $1.id } }
    package var liveKeyCount: Int { keys.count }

    // MARK: Mutations

    /// Before sending `order` (pending_new) to the venue. Returns the first result instead when
    /// its key was seen: the caller must not send it again.
    package func willPlace(_ order: Order) -> MutationResult? {
        let key = IdempotencyKey.place(order.id)
        if let first = seen(key, op: "place") { return first }
        append(StateRecord(time: clock.now, op: .place, key: key, order: order))
        return nil
    }

    package func didPlace(_ order: Order, _ result: MutationResult) {
        let key = IdempotencyKey.place(order.id)
        remember(key, result, expiresAt: clock.now + DurableState.keyTTL)
        append(StateRecord(time: clock.now, op: .placeResult, key: key, result: result, order: order))
    }

    /// Before asking the venue to cancel `order` (`reason`: a `CancelReason` or `recovery`); the
    /// first result when already done.
    package func willCancel(_ order: Order, reason: String) -> MutationResult? {
        let key = IdempotencyKey.cancel(order.id)
        if let first = seen(key, op: "cancel") { return first }
        append(StateRecord(time: clock.now, op: .cancel, key: key, order: order, reason: reason))
        return nil
    }

    /// The cancel's outcome, with the order's image after it (nil when a fill recorded on the
    /// way already holds its latest image).
    package func didCancel(_ order: Order?, id: ClientOrderID, _ result: MutationResult, reason: String) {
        let key = IdempotencyKey.cancel(id)
        remember(key, result, expiresAt: clock.now + DurableState.keyTTL)
        append(StateRecord(time: clock.now, op: .cancelResult, key: key, result: result, order: order, reason: reason))
    }

    /// Whether this execution was applied before (logged as `idem_hit`): then the caller must
    /// not apply it again.
    package func isDuplicate(_ fill: Fill) -> Bool {
        seen(IdempotencyKey.fill(fill.orderID, exec: fill.execID), op: "fill") != nil
    }

    /// Records an applied fill with the order's image after it.
    package func didApplyFill(_ fill: Fill, order: Order) {
        let key = IdempotencyKey.fill(fill.orderID, exec: fill.execID)
        remember(key, .applied, expiresAt: clock.now + DurableState.keyTTL)
        append(StateRecord(time: clock.now, op: .fill, key: key, result: .applied, order: order,
                           fill: FillRecord(execID: fill.execID, price: fill.price, quantity: fill.quantity, isMaker: fill.isMaker)))
    }

    /// Whether `id` appears in our records: an order not yet ended, one loaded from the state,
    /// or a live place key.
    package func knows(_ id: ClientOrderID) -> Bool {
        live[id] != nil || loadedIDs.contains(id) || keys[IdempotencyKey.place(id)] != nil
    }

    /// Before the `number`-th cancel-all for `reason` in this run; its first count when repeated.
    package func willCancelAll(reason: CancelReason, number: Int) -> Int? {
        let key = IdempotencyKey.cancelAll(session: session, reason: reason, number: number)
        if case .count(let n)? = seen(key, op: "cancel_all") { return n }
        append(StateRecord(time: clock.now, op: .cancelAll, key: key, reason: reason.rawValue))
        return nil
    }

    package func didCancelAll(reason: CancelReason, number: Int, count: Int) {
        let key = IdempotencyKey.cancelAll(session: session, reason: reason, number: number)
        remember(key, .count(count), expiresAt: clock.now + DurableState.keyTTL)
        append(StateRecord(time: clock.now, op: .cancelAllResult, key: key, result: .count(count), reason: reason.rawValue))
    }

    /// A recovery verdict on one order, with its image after it.
    package func recordReconcile(_ order: Order, _ verdict: ReconcileVerdict) {
        let key = IdempotencyKey.reconcile(order.id)
        remember(key, .reconciled(verdict), expiresAt: clock.now + DurableState.keyTTL)
        append(StateRecord(time: clock.now, op: .reconcile, key: key, result: .reconciled(verdict), order: order))
    }

    // MARK: Commit and snapshots

    /// Makes the records appended since the last commit durable, then lets the followers
    /// persist, then compacts when due.
    package func commit() throws(StateError) {
        try store.commit()
        for follower in followers { try follower.flushAfterCommit() }
        expireKeys()
        if snapshotRequested || recordsSinceSnapshot >= max(DurableState.minCompactionRecords, 2 * (live.count + keys.count)) {
            try writeSnapshot()
        }
    }

    /// Asks for a snapshot at the next commit (after a freeze, at shutdown).
    package func requestSnapshot() { snapshotRequested = true }

    /// Commits what is pending, then writes the snapshot now.
    package func writeSnapshot() throws(StateError) {
        if store.pendingCount > 0 {
            try store.commit()
            for follower in followers { try follower.flushAfterCommit() }
        }
        var orders = live.pairs.map(\.1)
        orders.append(contentsOf: ended)
        orders.sort { $0.id < $1.id }
        var stored: [StoredKey] = []
        stored.reserveCapacity(keys.count)
        for (key, entry) in keys.pairs { stored.append(StoredKey(key: key, result: entry.result, expiresAt: entry.expiresAt)) }
        stored.sort(by: StoredKey.precedes)
        try store.writeSnapshot(StateSnapshot(time: clock.now, orders: orders, keys: stored))
        for follower in followers { try follower.writeSnapshot(time: clock.now) }
        ended.removeAll()
        recordsSinceSnapshot = 0
        snapshotRequested = false
        if logger.isEnabled(.debug) {
            logger.log(.debug, name: "mm.state", component: "order_store", event: "snapshot_written", [
                ("backend", .string(store.backend)), ("orders", .int(orders.count)), ("idempotency_keys", .int(stored.count)),
            ])
        }
    }

    /// The store failed: record why (the loop stops quoting and cancels its orders).
    package func halt(_ error: StateError) {
        if haltReason == nil { haltReason = error.description }
    }

    /// After a halt the venue holds no open order of ours, so its state may be persisted even
    /// though our last records could not be.
    package func flushFollowersAfterHalt() {
        for follower in followers {
            do {
                try follower.flushAfterCommit()
            } catch {
                logger.log(.error, name: "mm.state", component: "order_store", event: "venue_state_write_failed", [("error", .string(error.description))])
            }
        }
    }

    // MARK: Internals

    @inline(__always)
    private func append(_ record: StateRecord) {
        if let order = record.order {
            if order.state.isTerminal {
                if live.removeValue(forKey: order.id) != nil || record.op == .reconcile { ended.append(order) }
            } else {
                live.insert(order.id, order)
            }
        }
        store.append(record)
        recordsAppended += 1
        recordsSinceSnapshot += 1
    }

    private func seen(_ key: IdempotencyKey, op: String) -> MutationResult? {
        guard let entry = keys[key], entry.expiresAt > clock.now else { return nil }
        duplicates += 1
        logger.log(.warning, name: "mm.state", component: "order_store", event: "idem_hit", [
            ("key", .string(key.description)), ("op", .string(op)), ("first_result", .string(entry.result.text)),
        ])
        return entry.result
    }

    private func remember(_ key: IdempotencyKey, _ result: MutationResult, expiresAt: Millis) {
        if keys[key] == nil {
            expiryKeys.append(key)
            expiryTimes.append(expiresAt)
        }
        keys.insert(key, KeyEntry(result: result, expiresAt: expiresAt))
    }

    private func expireKeys() {
        let now = clock.now
        while expiryHead < expiryTimes.count && expiryTimes[expiryHead] <= now {
            let key = expiryKeys[expiryHead]
            if let entry = keys[key], entry.expiresAt <= now { keys.removeValue(forKey: key) }
            expiryHead += 1
        }
        if expiryHead > 4_096 && expiryHead * 2 > expiryTimes.count {
            expiryKeys.removeFirst(expiryHead)
            expiryTimes.removeFirst(expiryHead)
            expiryHead = 0
        }
    }
}

extension DurableState {
    /// The report's `state` section (docs/state.md).
    package var stateJSON: JSONValue {
        let counters = store.counters
        return [
            "backend": .string(store.backend),
            "snapshots_written": .int(counters.snapshots),
            "journal_records": .int(counters.records),
            "commits": .int(counters.commits),
            "fsyncs": .int(counters.fsyncs),
            "duplicate_operations": .int(duplicates),
            "recoveries": .int(registry.recoveries),
            "idempotency_keys": .int(liveKeyCount),
            "open_orders": .int(openOrders.count),
            "halted": haltReason.map { .string($0) } ?? .null,
        ]
    }
}
