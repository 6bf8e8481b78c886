import MMBotSupport

/// The embedded default store: a write-ahead journal and compacted snapshots in one directory.
///
/// - `journal.jsonl`: one canonical JSON record per mutation, appended and fsync'd once per
///   commit (one commit per iteration). Its `lsn` counts 1, 2, 3... from the last snapshot.
/// - `orders.jsonl` + `last_snapshot_ts.txt` (`DiskSnapshot`) and `idempotency.jsonl` (live keys):
///   each replaced durably; then the journal is truncated.
///
/// Loading tolerates one thing: an invalid last journal line, which a crash in the middle of an
/// append leaves behind. It is reported, kept as `journal.torn-<ms>.bin` by the snapshot written
/// right after loading, and everything before it is recovered. Any other bad line stops the load with its file and line.
package final class FileOrderStore: OrderStore {
    package static let journalFile = "journal.jsonl"
    package static let keysFile = "idempotency.jsonl"

    package let directory: String
    package var backend: String { "file" }
    package private(set) var counters = StoreCounters()
    private var journal: AppendOnlyFile?
    private var buffer = JSONLineBuilder(capacity: 64 * 1024)
    private var pending = 0
    private var nextLSN: UInt64 = 1
    private var tornTail: TornTail?

    package init(directory: String) {
        self.directory = directory
    }

    package var journalPath: String { directory + "/" + FileOrderStore.journalFile }
    package var keysPath: String { directory + "/" + FileOrderStore.keysFile }

    package func load() throws(StateError) -> PersistedState {
        let orders = try DiskSnapshot.readOrders(directory: directory)
        let time = try DiskSnapshot.readTime(directory: directory)
        var keys: [StoredKey] = []
        if let bytes = try DiskSnapshot.read(keysPath) {
            keys = try StateCodec.readLines(bytes, file: keysPath, tolerateTornTail: false, StateCodec.storedKey(from:)).items
        }
        var records: [StateRecord] = []
        var torn: TornTail?
        if let bytes = try DiskSnapshot.read(journalPath) {
            (records, torn) = try StateCodec.readLines(bytes, file: journalPath, tolerateTornTail: true, StateCodec.record(from:))
            for index in records.indices.dropFirst() where records[index].lsn != records[index - 1].lsn + 1 {
                throw StateError.corrupt(file: journalPath, line: index + 1,
                                         reason: "lsn \(records[index].lsn) follows \(records[index - 1].lsn): a record is missing or repeated")
            }
        }
        tornTail = torn
        nextLSN = (records.last?.lsn ?? 0) + 1
        return StateReplay.build(snapshotOrders: orders, keys: keys, snapshotTime: time, records: records, tornTail: torn)
    }

    package func append(_ record: StateRecord) {
        var record = record
        record.lsn = nextLSN
        nextLSN += 1
        StateCodec.appendRecord(record, to: &buffer)
        pending += 1
    }

    package var pendingCount: Int { pending }

    package func commit() throws(StateError) {
        guard pending > 0 else { return }
        // Appending after a torn record would bury it mid-file: DurableState writes a snapshot
        // (which truncates the journal) right after loading, before any commit.
        precondition(tornTail == nil, "write a snapshot after loading a torn journal, before committing")
        do {
            let file = try openJournal()
            try file.append(buffer.bytes)
            try file.sync()
        } catch {
            throw StateError.io(error.description)
        }
        counters.fsyncs += 1
        counters.commits += 1
        counters.records += pending
        counters.bytes += buffer.bytes.count
        buffer.bytes.removeAll(keepingCapacity: true)
        pending = 0
    }

    package func writeSnapshot(_ snapshot: StateSnapshot) throws(StateError) {
        precondition(pending == 0, "commit before writing a snapshot")
        if let torn = tornTail {
            try keepTornTail(torn, suffix: String(snapshot.time))
            tornTail = nil
        }
        var keys = JSONLineBuilder(capacity: 96 * max(1, snapshot.keys.count))
        for key in snapshot.keys {
            StateCodec.appendKey(key, to: &keys)
            keys.newline()
        }
        do {
            try Platform.writeFileDurably(keysPath, bytes: keys.bytes)
            counters.fsyncs += 2
            counters.fsyncs += try DiskSnapshot.write(directory: directory, time: snapshot.time, orders: snapshot.orders)
            try openJournal().truncate()
            counters.fsyncs += 1
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError.io("\(error)")
        }
        nextLSN = 1
        counters.snapshots += 1
    }

    package func close() {
        journal?.close()
        journal = nil
    }

    private func openJournal() throws(Platform.FileError) -> AppendOnlyFile {
        if let journal { return journal }
        let file = try AppendOnlyFile(path: journalPath)
        journal = file
        return file
    }

    private func keepTornTail(_ torn: TornTail, suffix: String) throws(StateError) {
        do {
            try Platform.writeFileDurably(directory + "/journal.torn-\(suffix).bin", bytes: torn.bytes)
            counters.fsyncs += 2
        } catch {
            throw StateError.io(error.description)
        }
    }
}
