import MMBotSupport

/// Persists the simulated venue of a durable shadow run in the state directory, so that a
/// restarted run finds the same resting orders and pending fills at its venue.
///
/// `venue-journal.jsonl` gets one line per venue change (place with its scheduled fills and the
/// generator state after it, cancel, pop of a fill event); `venue.json` is the compacted state.
/// Lines are written after our own commit of the same iteration (`StateFollower`), with
/// write(2) and no fsync of their own: whatever the venue's file holds is then always covered by
/// our durable records, and a crash can only leave the venue a step behind us, never ahead.
package final class VenueStore: StateFollower {
    package static let journalFile = "venue-journal.jsonl"
    package static let snapshotFile = "venue.json"

    package let directory: String
    package weak var venue: SimVenue?
    /// Fill events `SimVenue.place` scheduled, taken by the next `recordPlace`.
    var scheduled: [SimVenue.FillEvent] = []
    private var buffer = JSONLineBuilder(capacity: 16 * 1024)
    private var file: AppendOnlyFile?
    private var nextLSN: UInt64
    package private(set) var fsyncs = 0
    package private(set) var records = 0

    /// `lastLSN`: the last venue record already persisted (0 for a new directory).
    package init(directory: String, lastLSN: UInt64) {
        self.directory = directory
        nextLSN = lastLSN + 1
    }

    package var journalPath: String { directory + "/" + VenueStore.journalFile }

    // MARK: Recording

    func recordPlace(_ request: OrderRequest, _ outcome: PlaceOutcome, rng: [UInt64]) {
        buffer.beginObject()
        buffer.key("events")
        buffer.beginArray()
        for event in scheduled { VenueStore.appendEvent(event, to: &buffer) }
        buffer.endArray()
        header("place")
        buffer.key("order")
        VenueStore.appendRequest(request, to: &buffer)
        buffer.key("outcome")
        switch outcome {
        case .accepted: buffer.string("accepted")
        case .rejected(let reason): buffer.string("rejected:" + reason.rawValue)
        }
        buffer.key("rng")
        VenueStore.appendRNG(rng, to: &buffer)
        buffer.endObject()
        buffer.newline()
        scheduled.removeAll(keepingCapacity: true)
    }

    func recordCancel(_ id: ClientOrderID) {
        buffer.beginObject()
        buffer.key("id"); buffer.rawString { id.append(to: &$0) }
        header("cancel")
        buffer.endObject()
        buffer.newline()
    }

    func recordPop(_ sequence: UInt64) {
        buffer.beginObject()
        header("pop")
        buffer.key("seq"); buffer.int(Int64(bitPattern: sequence))
        buffer.endObject()
        buffer.newline()
    }

    /// `"lsn":n,"op":"<op>"` — both keys sort between the ones around them in every record.
    private func header(_ op: StaticString) {
        buffer.key("lsn"); buffer.int(Int64(bitPattern: nextLSN))
        buffer.key("op"); buffer.rawString { out in op.withUTF8Buffer { out.append(contentsOf: $0) } }
        nextLSN += 1
        records += 1
    }

    // MARK: StateFollower

    package func flushAfterCommit() throws(StateError) {
        guard !buffer.bytes.isEmpty else { return }
        do {
            if file == nil { file = try AppendOnlyFile(path: journalPath) }
            try file?.append(buffer.bytes)
        } catch {
            throw StateError.io(error.description)
        }
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    package func writeSnapshot(time: Millis) throws(StateError) {
        try flushAfterCommit()
        guard let venue else { return }
        let state = venue.exportState(lsn: nextLSN - 1, time: time)
        do {
            try Platform.writeFileDurably(directory + "/" + VenueStore.snapshotFile, JSONWriter.string(state.json, pretty: true) + "\n")
            if file == nil { file = try AppendOnlyFile(path: journalPath) }
            try file?.truncate()
        } catch {
            throw StateError.io(error.description)
        }
        fsyncs += 3
    }

    // MARK: Encoding

    static func appendEvent(_ e: SimVenue.FillEvent, to b: inout JSONLineBuilder) {
        b.beginObject()
        b.key("id"); b.rawString { e.id.append(to: &$0) }
        b.key("maker"); b.bool(e.isMaker)
        b.key("price"); b.decimal(e.price)
        b.key("qty"); b.decimal(e.quantity)
        b.key("seq"); b.int(Int64(bitPattern: e.sequence))
        b.key("time"); b.int(e.time)
        b.endObject()
    }

    static func appendRequest(_ r: OrderRequest, to b: inout JSONLineBuilder) {
        b.beginObject()
        b.key("id"); b.rawString { r.id.append(to: &$0) }
        b.key("post_only"); b.bool(r.postOnly)
        b.key("price"); b.decimal(r.price)
        b.key("qty"); b.decimal(r.quantity)
        b.key("side"); b.rawString { $0.append(contentsOf: r.side.rawValue.utf8) }
        b.key("symbol"); b.string(r.symbol.name)
        b.key("time"); b.int(r.time)
        b.endObject()
    }

    static func appendRNG(_ words: [UInt64], to b: inout JSONLineBuilder) {
        b.beginArray()
        for word in words {
            b.rawString { out in
                var shift: UInt64 = 60
                while true {
                    let digit = UInt8((word >> shift) & 0xF)
                    out.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit)
                    if shift == 0 { break }
                    shift -= 4
                }
            }
        }
        b.endArray()
    }

    static func hex64(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
