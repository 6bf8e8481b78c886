import MMBotSupport

/// Order state in a shared Redis, so that several processes and operators see one state.
///
/// Keys (docs/state.md, "Redis keys"):
/// - `orders:<client_order_id>`: the order as JSON (with `owner`); a terminal order expires after 24 h;
/// - `orders:open`: set of the ids not yet ended;
/// - `orders:by_symbol:<SYMBOL>`: set of that symbol's ids not yet ended;
/// - `idem:<key>`: `{"expires_ms","key","result"}` for each keyed mutation, `EX 86400`.
///
/// Each commit sends the iteration's commands in one pipeline and waits for every reply. The
/// commands are all safe to repeat, so the client may resend a pipeline after reconnecting. Disk
/// snapshots (`orders.jsonl`, `last_snapshot_ts.txt`) are still written to the state directory.
/// `owner` (host and state directory) marks the orders this process may recover; other owners'
/// orders in the same Redis are left alone.
package final class RedisOrderStore: OrderStore {
    package var backend: String { "redis" }
    package let client: RedisClient
    package let owner: String
    package let directory: String
    private let symbols: [Symbol]
    private let sessions: Set<UInt32>
    package private(set) var counters = StoreCounters()
    private var commands: [UInt8] = []
    private var commandCount = 0
    private var pending = 0
    private var nextLSN: UInt64 = 1
    private static let ttlSeconds = String(DurableState.keyTTL / 1000)

    /// `sessions` are this state directory's run sessions: the idempotency keys to load.
    package init(client: RedisClient, owner: String, directory: String, symbols: [Symbol], sessions: Set<UInt32>) {
        self.client = client
        self.owner = owner
        self.directory = directory
        self.symbols = symbols
        self.sessions = sessions
        commands.reserveCapacity(64 * 1024)
    }

    package func load() throws(StateError) -> PersistedState {
        do {
            return try loadFromRedis()
        } catch let error as StateError {
            throw error
        } catch let error as RedisError {
            throw StateError.redis(error.message)
        } catch {
            throw StateError.redis("\(error)")
        }
    }

    private func loadFromRedis() throws -> PersistedState {
        var ids = Set<String>()
        for symbol in symbols {
            guard case .array(let members?) = try client.command(["SMEMBERS", "orders:by_symbol:" + symbol.name]) else {
                throw StateError.corrupt(file: "Redis key orders:by_symbol:\(symbol.name)", line: 0, reason: "it is not a set")
            }
            for member in members { if let id = member.string { ids.insert(id) } }
        }
        var orders: [Order] = []
        var warnings: [String] = []
        let sortedIDs = ids.sorted()
        for chunk in stride(from: 0, to: sortedIDs.count, by: 500) {
            let part = Array(sortedIDs[chunk..<min(chunk + 500, sortedIDs.count)])
            guard case .array(let values?) = try client.command(["MGET"] + part.map { "orders:" + $0 }) else {
                throw StateError.redis("Redis answered MGET with something other than an array")
            }
            for (id, value) in zip(part, values) {
                let key = "orders:" + id
                guard case .bulk(let bytes?) = value else {
                    warnings.append("\(key) is listed in orders:by_symbol but does not exist; it was skipped")
                    continue
                }
                let json: JSONValue
                do {
                    json = try JSONParser.parse(bytes: bytes)
                } catch {
                    throw StateError.corrupt(file: "Redis key \(key)", line: 0, reason: error.description)
                }
                guard json["owner"]?.stringValue == owner else { continue }
                do {
                    orders.append(try StateCodec.order(from: json))
                } catch {
                    throw StateError.corrupt(file: "Redis key \(key)", line: 0, reason: error.reason)
                }
            }
        }
        let keys = try loadKeys()
        var state = StateReplay.build(snapshotOrders: orders, keys: keys, snapshotTime: try DiskSnapshot.readTime(directory: directory),
                                      records: [], tornTail: nil)
        state.recordsReplayed = orders.count + keys.count
        state.warnings = warnings
        return state
    }

    /// Every `idem:*` key of this directory's sessions, found with SCAN (never KEYS).
    private func loadKeys() throws -> [StoredKey] {
        var names: [String] = []
        var cursor = "0"
        repeat {
            guard case .array(let reply?) = try client.command(["SCAN", cursor, "MATCH", "idem:*", "COUNT", "1000"]), reply.count == 2,
                  let next = reply[0].string, case .array(let found?) = reply[1]
            else { throw StateError.redis("Redis answered SCAN with an unexpected reply") }
            cursor = next
            for item in found {
                guard let name = item.string, let key = IdempotencyKey(String(name.dropFirst(5))), sessions.contains(key.session) else { continue }
                names.append(name)
            }
        } while cursor != "0"
        var keys: [StoredKey] = []
        names.sort()
        for chunk in stride(from: 0, to: names.count, by: 500) {
            let part = Array(names[chunk..<min(chunk + 500, names.count)])
            guard case .array(let values?) = try client.command(["MGET"] + part) else {
                throw StateError.redis("Redis answered MGET with something other than an array")
            }
            for (name, value) in zip(part, values) {
                guard case .bulk(let bytes?) = value else { continue }  // expired between SCAN and MGET
                do {
                    keys.append(try StateCodec.storedKey(from: try JSONParser.parse(bytes: bytes)))
                } catch let error as StateCodec.DecodeError {
                    throw StateError.corrupt(file: "Redis key \(name)", line: 0, reason: error.reason)
                } catch {
                    throw StateError.corrupt(file: "Redis key \(name)", line: 0, reason: "\(error)")
                }
            }
        }
        return keys
    }

    package func append(_ record: StateRecord) {
        var record = record
        record.lsn = nextLSN
        nextLSN += 1
        pending += 1
        if let order = record.order {
            let id = order.id.description
            var value = JSONLineBuilder(capacity: 256)
            StateCodec.appendOrder(order, owner: owner, to: &value)
            let json = String(decoding: value.bytes, as: UTF8.self)
            let bySymbol = "orders:by_symbol:" + order.symbol.name
            if order.state.isTerminal {
                add(["SET", "orders:" + id, json, "EX", RedisOrderStore.ttlSeconds])
                add(["SREM", "orders:open", id])
                add(["SREM", bySymbol, id])
            } else {
                add(["SET", "orders:" + id, json])
                add(["SADD", "orders:open", id])
                add(["SADD", bySymbol, id])
            }
        }
        if let result = record.result {
            var value = JSONLineBuilder(capacity: 128)
            StateCodec.appendKey(StoredKey(key: record.key, result: result, expiresAt: record.time + DurableState.keyTTL), to: &value)
            add(["SET", "idem:" + record.key.description, String(decoding: value.bytes, as: UTF8.self), "EX", RedisOrderStore.ttlSeconds])
        }
    }

    private func add(_ command: [String]) {
        RESPEncoder.append(command, to: &commands)
        commandCount += 1
    }

    package var pendingCount: Int { pending }

    package func commit() throws(StateError) {
        guard pending > 0 else { return }
        let replies: [RESPValue]
        do {
            replies = try client.pipeline(encoded: commands, count: commandCount)
        } catch {
            throw StateError.redis("could not record order state in Redis: \(error.message)")
        }
        for reply in replies {
            if case .error(let message) = reply { throw StateError.redis("Redis refused an order-state write: \(message)") }
        }
        counters.commits += 1
        counters.records += pending
        counters.bytes += commands.count
        commands.removeAll(keepingCapacity: true)
        commandCount = 0
        pending = 0
    }

    package func writeSnapshot(_ snapshot: StateSnapshot) throws(StateError) {
        precondition(pending == 0, "commit before writing a snapshot")
        counters.fsyncs += try DiskSnapshot.write(directory: directory, time: snapshot.time, orders: snapshot.orders)
        counters.snapshots += 1
    }

    package func close() { client.close() }
}
