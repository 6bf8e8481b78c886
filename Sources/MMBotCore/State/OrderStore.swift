import MMBotSupport

/// Where order mutations are kept so that a restart finds them: the write-ahead records and
/// the compacted snapshots. Implementations: `InMemoryOrderStore` (tests, benchmarks),
/// `FileOrderStore` (the embedded default: journal.jsonl + snapshots in the state directory) and
/// `RedisOrderStore` (a shared Redis, with disk snapshots beside it).
///
/// The store only persists. `DurableState` above it decides what to record, keeps the
/// idempotency keys and the open orders, and calls `commit()` once per iteration: records
/// appended since the last commit become durable together (one fsync, or one pipelined Redis
/// round trip) before the venue's side of that iteration is persisted (docs/state.md).
package protocol OrderStore: AnyObject {
    /// "memory", "file" or "redis".
    var backend: String { get }
    /// Reads what earlier runs left, validating every record. Changes nothing, also on failure.
    func load() throws(StateError) -> PersistedState
    /// Queues a record for the next commit, giving it the next log sequence number.
    func append(_ record: StateRecord)
    /// Records appended and not yet committed.
    var pendingCount: Int { get }
    /// Makes every queued record durable.
    func commit() throws(StateError)
    /// Writes a compacted snapshot of the live state and drops the records it replaces.
    /// Called only with nothing pending.
    func writeSnapshot(_ snapshot: StateSnapshot) throws(StateError)
    var counters: StoreCounters { get }
    func close()
}

/// What `OrderStore.load()` found.
package struct PersistedState: Sendable, Equatable {
    /// The latest image of every order found, sorted by id (terminal ones included).
    package var orders: [Order] = []
    /// Idempotency keys with their first results (expired ones included; the caller drops them).
    package var keys: [StoredKey] = []
    /// When the snapshot that was loaded was taken.
    package var snapshotTime: Millis?
    /// Journal records (file) or keys and order records (Redis) read on top of the snapshot.
    package var recordsReplayed = 0
    /// The incomplete last journal record, when a crash cut an append short.
    package var tornTail: TornTail?
    /// The latest instant any record carries.
    package var lastTime: Millis?
    /// Things an operator should know (RUNBOOK_SHADOW.md, "Durable state and recovery", says what to do with each).
    package var warnings: [String] = []

    package init() {}

    package var isEmpty: Bool { orders.isEmpty && keys.isEmpty && snapshotTime == nil && recordsReplayed == 0 && tornTail == nil }
    package var openOrders: [Order] { orders.filter { !$0.state.isTerminal } }
}

/// A compacted view of the live state.
package struct StateSnapshot: Sendable {
    package let time: Millis
    /// Orders not yet ended, plus those that ended since the previous snapshot; sorted by id.
    package let orders: [Order]
    /// Live idempotency keys, in a stable order.
    package let keys: [StoredKey]
}

/// What a store did, for the report and the benchmark.
package struct StoreCounters: Sendable, Equatable {
    /// Records made durable (journal lines, or Redis mutation records).
    package var records = 0
    /// Group commits: one fsync (file) or one pipelined round trip (Redis) each.
    package var commits = 0
    /// fsync(2) calls on journal, snapshot files and their directory.
    package var fsyncs = 0
    package var snapshots = 0
    package var bytes = 0
    package init() {}
}

/// Builds a `PersistedState` from a snapshot and the records written after it.
package enum StateReplay {
    package static func build(snapshotOrders: [Order], keys: [StoredKey], snapshotTime: Millis?, records: [StateRecord],
                              tornTail: TornTail?) -> PersistedState {
        var orders: [ClientOrderID: Order] = [:]
        for order in snapshotOrders { orders[order.id] = order }
        var byKey: [IdempotencyKey: StoredKey] = [:]
        for key in keys { byKey[key.key] = key }
        var last = snapshotTime
        for record in records {
            if let order = record.order { orders[order.id] = order }
            if let result = record.result {
                byKey[record.key] = StoredKey(key: record.key, result: result, expiresAt: record.time + DurableState.keyTTL)
            }
            last = max(last ?? record.time, record.time)
        }
        for order in orders.values { last = max(last ?? order.updatedAt, order.updatedAt) }
        var state = PersistedState()
        state.orders = orders.values.sorted { $0.id < $1.id }
        state.keys = byKey.values.sorted { StoredKey.precedes($0, $1) }
        state.snapshotTime = snapshotTime
        state.recordsReplayed = records.count
        state.tornTail = tornTail
        state.lastTime = last
        if let torn = tornTail {
            state.warnings.append("\(torn.file) ended in an incomplete record at line \(torn.line) (\(torn.reason)): "
                + "a crash cut an append short; everything before it was recovered and the torn bytes were kept beside the journal")
        }
        return state
    }
}

extension StoredKey {
    /// A stable order for snapshots: by kind, order id, then detail.
    package static func precedes(_ a: StoredKey, _ b: StoredKey) -> Bool {
        (a.key.kind.rawValue, a.key.order.session, a.key.order.sequence, a.key.detail)
            < (b.key.kind.rawValue, b.key.order.session, b.key.order.sequence, b.key.detail)
    }
}
