import MMBotSupport

/// The store that keeps everything in process memory: the reference the other backends are
/// tested against, and the benchmark's measure of what recording costs without any I/O.
/// "Durable" for as long as the object lives, so a test can drop a `DurableState` (a crash:
/// `discardPending()` loses what was not committed) and open a new one over the same store.
package final class InMemoryOrderStore: OrderStore {
    package var backend: String { "memory" }
    package private(set) var counters = StoreCounters()
    /// Records committed since the last snapshot, in order.
    package private(set) var committed: [StateRecord] = []
    package private(set) var snapshot: StateSnapshot?
    private var pending: [StateRecord] = []
    private var nextLSN: UInt64 = 1
    /// When set, `commit()` fails with this error (a disk or Redis outage in tests).
    package var failCommits: StateError?

    package init() {}

    package func load() throws(StateError) -> PersistedState {
        StateReplay.build(snapshotOrders: snapshot?.orders ?? [], keys: snapshot?.keys ?? [], snapshotTime: snapshot?.time,
                          records: committed, tornTail: nil)
    }

    package func append(_ record: StateRecord) {
        var record = record
        record.lsn = nextLSN
        nextLSN += 1
        pending.append(record)
    }

    package var pendingCount: Int { pending.count }

    package func commit() throws(StateError) {
        if let failCommits { throw failCommits }
        guard !pending.isEmpty else { return }
        committed.append(contentsOf: pending)
        counters.records += pending.count
        counters.commits += 1
        pending.removeAll(keepingCapacity: true)
    }

    package func writeSnapshot(_ snapshot: StateSnapshot) throws(StateError) {
        precondition(pending.isEmpty, "commit before writing a snapshot")
        self.snapshot = snapshot
        committed.removeAll()
        nextLSN = 1
        counters.snapshots += 1
    }

    /// What a crash does to records appended but not committed.
    package func discardPending() { pending.removeAll() }

    package func close() {}
}
