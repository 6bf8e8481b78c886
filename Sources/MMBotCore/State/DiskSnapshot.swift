import MMBotSupport

/// The snapshot files every backend writes in the state directory: `orders.jsonl` (one order
/// per line) and `last_snapshot_ts.txt` (the snapshot's instant, ISO 8601 UTC), each replaced
/// durably (temp file, fsync, rename, fsync of the directory).
package enum DiskSnapshot {
    package static let ordersFile = "orders.jsonl"
    package static let timestampFile = "last_snapshot_ts.txt"

    /// Writes both files; returns the fsyncs it made.
    package static func write(directory: String, time: Millis, orders: [Order]) throws(StateError) -> Int {
        var builder = JSONLineBuilder(capacity: 256 * max(1, orders.count))
        for order in orders {
            StateCodec.appendOrder(order, to: &builder)
            builder.newline()
        }
        do {
            try Platform.writeFileDurably(directory + "/" + ordersFile, bytes: builder.bytes)
            try Platform.writeFileDurably(directory + "/" + timestampFile, bytes: Array((UTCTime.iso(time) + "\n").utf8))
        } catch {
            throw StateError.io(error.description)
        }
        return 4
    }

    /// The orders of the last snapshot (empty when there is none). A bad line is corruption:
    /// snapshots are replaced atomically, so none is ever torn.
    package static func readOrders(directory: String) throws(StateError) -> [Order] {
        let path = directory + "/" + ordersFile
        guard let bytes = try read(path) else { return [] }
        let (orders, _) = try StateCodec.readLines(bytes, file: path, tolerateTornTail: false, StateCodec.order(from:))
        var seen = Set<ClientOrderID>()
        for (index, order) in orders.enumerated() where !seen.insert(order.id).inserted {
            throw StateError.corrupt(file: path, line: index + 1, reason: "order \(order.id) appears twice")
        }
        return orders
    }

    /// The instant in `last_snapshot_ts.txt`, or nil when there is none.
    package static func readTime(directory: String) throws(StateError) -> Millis? {
        let path = directory + "/" + timestampFile
        guard let bytes = try read(path) else { return nil }
        let text = String(decoding: bytes.filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }, as: UTF8.self)
        do {
            return try UTCTime.parse(text)
        } catch {
            throw StateError.corrupt(file: path, line: 1, reason: error.description)
        }
    }

    package static func read(_ path: String) throws(StateError) -> [UInt8]? {
        do {
            return try Platform.readFile(path)
        } catch {
            throw StateError.io(error.description)
        }
    }
}
