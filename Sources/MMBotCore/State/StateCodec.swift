import MMBotSupport

/// The JSON forms of journal records, snapshot lines and idempotency entries (docs/state.md).
///
/// Writing goes straight to bytes with `JSONLineBuilder`, members in key order, which is byte for
/// byte what `JSONWriter` prints for the `json` forms below (the tests hold it to that). Reading
/// goes through the strict `JSONParser` and checks every field.
package enum StateCodec {
    package struct DecodeError: Error, Sendable, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }
    }

    // MARK: Writing bytes

    /// An order object; `owner` (Redis only) names the state directory that wrote it.
    package static func appendOrder(_ order: Order, owner: String? = nil, to b: inout JSONLineBuilder) {
        b.beginObject()
        b.key("client_order_id"); b.rawString { order.id.append(to: &$0) }
        b.key("created_ms"); b.int(order.createdAt)
        b.key("filled_qty"); b.decimal(order.filledQuantity)
        if let owner { b.key("owner"); b.string(owner) }
        b.key("post_only"); b.bool(order.postOnly)
        b.key("price"); b.decimal(order.price)
        b.key("qty"); b.decimal(order.quantity)
        b.key("side"); b.rawString { $0.append(contentsOf: order.side.rawValue.utf8) }
        b.key("state"); b.rawString { $0.append(contentsOf: order.state.rawValue.utf8) }
        b.key("symbol"); b.string(order.symbol.name)
        b.key("updated_ms"); b.int(order.updatedAt)
        b.endObject()
    }

    /// One journal line, newline included.
    package static func appendRecord(_ r: StateRecord, to b: inout JSONLineBuilder) {
        b.beginObject()
        if let fill = r.fill {
            b.key("fill")
            b.beginObject()
            b.key("exec_id"); b.int(Int64(bitPattern: fill.execID))
            b.key("is_maker"); b.bool(fill.isMaker)
            b.key("price"); b.decimal(fill.price)
            b.key("qty"); b.decimal(fill.quantity)
            b.endObject()
        }
        b.key("key"); b.rawString { r.key.append(to: &$0) }
        b.key("lsn"); b.int(Int64(bitPattern: r.lsn))
        b.key("op"); b.rawString { $0.append(contentsOf: r.op.rawValue.utf8) }
        if let order = r.order {
            b.key("order")
            appendOrder(order, to: &b)
        }
        if let reason = r.reason { b.key("reason"); b.string(reason) }
        if let result = r.result { b.key("result"); b.string(result.text) }
        b.key("ts_ms"); b.int(r.time)
        b.endObject()
        b.newline()
    }

    package static func appendKey(_ k: StoredKey, to b: inout JSONLineBuilder) {
        b.beginObject()
        b.key("expires_ms"); b.int(k.expiresAt)
        b.key("key"); b.rawString { k.key.append(to: &$0) }
        b.key("result"); b.string(k.result.text)
        b.endObject()
    }

    // MARK: JSONValue forms (reports, tests, Redis values)

    package static func json(_ order: Order) -> JSONValue {
        [
            "client_order_id": .string(order.id.description), "created_ms": .int(order.createdAt),
            "filled_qty": .decimal(order.filledQuantity), "post_only": .bool(order.postOnly), "price": .decimal(order.price),
            "qty": .decimal(order.quantity), "side": .string(order.side.rawValue), "state": .string(order.state.rawValue),
            "symbol": .string(order.symbol.name), "updated_ms": .int(order.updatedAt),
        ]
    }

    package static func json(_ r: StateRecord) -> JSONValue {
        var members: [String: JSONValue] = [
            "key": .string(r.key.description), "lsn": .int(Int64(bitPattern: r.lsn)), "op": .string(r.op.rawValue), "ts_ms": .int(r.time),
        ]
        if let fill = r.fill {
            members["fill"] = ["exec_id": .int(Int64(bitPattern: fill.execID)), "is_maker": .bool(fill.isMaker),
                               "price": .decimal(fill.price), "qty": .decimal(fill.quantity)]
        }
        if let order = r.order { members["order"] = json(order) }
        if let reason = r.reason { members["reason"] = .string(reason) }
        if let result = r.result { members["result"] = .string(result.text) }
        return .object(members)
    }

    package static func json(_ k: StoredKey) -> JSONValue {
        ["expires_ms": .int(k.expiresAt), "key": .string(k.key.description), "result": .string(k.result.text)]
    }

    // MARK: Reading

    /// A JSON number as a `Fixed` (strings are not numbers here).
    package static func number(_ value: JSONValue?) -> Fixed? {
        switch value {
        case .int(let v)?:
            let (raw, overflow) = v.multipliedReportingOverflow(by: Fixed.scale)
            return overflow ? nil : Fixed(raw: raw)
        case .decimal(let d)?: return d
        default: return nil
        }
    }

    package static func order(from value: JSONValue) throws(DecodeError) -> Order {
        guard case .object(let m) = value else { throw DecodeError(reason: "an order must be a JSON object") }
        func field(_ name: String) throws(DecodeError) -> JSONValue {
            guard let v = m[name] else { throw DecodeError(reason: "order field '\(name)' is missing") }
            return v
        }
        func decimal(_ name: String) throws(DecodeError) -> Fixed {
            guard let d = number(try field(name)) else { throw DecodeError(reason: "order field '\(name)' must be a number") }
            return d
        }
        func int(_ name: String) throws(DecodeError) -> Int64 {
            guard case .int(let v) = try field(name) else { throw DecodeError(reason: "order field '\(name)' must be an integer") }
            return v
        }
        guard let idText = try field("client_order_id").stringValue, let id = ClientOrderID(idText) else {
            throw DecodeError(reason: "order field 'client_order_id' is not an mmbot client order id")
        }
        guard let symbolText = try field("symbol").stringValue, let symbol = Symbol(validating: symbolText), symbol.name == symbolText else {
            throw DecodeError(reason: "order field 'symbol' is not a symbol")
        }
        guard let sideText = try field("side").stringValue, let side = Side(rawValue: sideText) else {
            throw DecodeError(reason: "order field 'side' must be buy or sell")
        }
        guard let stateText = try field("state").stringValue, let state = OrderState(rawValue: stateText) else {
            throw DecodeError(reason: "order field 'state' is not an order state")
        }
        guard let postOnly = try field("post_only").boolValue else { throw DecodeError(reason: "order field 'post_only' must be true or false") }
        let price = try decimal("price"), qty = try decimal("qty"), filled = try decimal("filled_qty")
        guard price.raw > 0, qty.raw > 0, filled.raw >= 0, filled <= qty else {
            throw DecodeError(reason: "order \(idText) has an impossible price, qty or filled_qty")
        }
        return Order(id: id, symbol: symbol, side: side, price: price, quantity: qty, postOnly: postOnly, createdAt: try int("created_ms"),
                     filledQuantity: filled, state: state, updatedAt: try int("updated_ms"))
    }

    package static func record(from value: JSONValue) throws(DecodeError) -> StateRecord {
        guard case .object(let m) = value else { throw DecodeError(reason: "a journal record must be a JSON object") }
        guard let opText = m["op"]?.stringValue, let op = StateRecord.Op(rawValue: opText) else {
            throw DecodeError(reason: "field 'op' is missing or unknown")
        }
        guard let keyText = m["key"]?.stringValue, let key = IdempotencyKey(keyText) else {
            throw DecodeError(reason: "field 'key' is missing or not an idempotency key")
        }
        guard case .int(let lsn)? = m["lsn"], lsn > 0 else { throw DecodeError(reason: "field 'lsn' must be a positive integer") }
        guard case .int(let time)? = m["ts_ms"] else { throw DecodeError(reason: "field 'ts_ms' must be an integer") }
        var record = StateRecord(lsn: UInt64(lsn), time: time, op: op, key: key)
        if let resultValue = m["result"] {
            guard let text = resultValue.stringValue, let result = MutationResult(text: text) else {
                throw DecodeError(reason: "field 'result' is not a mutation result")
            }
            record.result = result
        }
        if let orderValue = m["order"] {
            let order = try order(from: orderValue)
            guard key.kind == .cancelAll || order.id == key.order else {
                throw DecodeError(reason: "the order \(order.id) does not match the key \(key)")
            }
            record.order = order
        }
        if let reasonValue = m["reason"] {
            guard let reason = reasonValue.stringValue else { throw DecodeError(reason: "field 'reason' must be a string") }
            record.reason = reason
        }
        if let fillValue = m["fill"] {
            guard case .object(let f) = fillValue, case .int(let exec)? = f["exec_id"], let maker = f["is_maker"]?.boolValue,
                  let price = number(f["price"]), let qty = number(f["qty"]), qty.raw > 0
            else { throw DecodeError(reason: "field 'fill' is incomplete") }
            record.fill = FillRecord(execID: UInt64(bitPattern: exec), price: price, quantity: qty, isMaker: maker)
        }
        switch op {
        case .place, .placeResult, .cancel, .fill, .reconcile:
            guard record.order != nil else { throw DecodeError(reason: "a \(op.rawValue) record needs its order") }
        case .cancelResult, .cancelAll, .cancelAllResult:
            break
        }
        if op == .fill && record.fill == nil { throw DecodeError(reason: "a fill record needs its fill") }
        let needsResult: Set<StateRecord.Op> = [.placeResult, .cancelResult, .fill, .cancelAllResult, .reconcile]
        if needsResult.contains(op) && record.result == nil { throw DecodeError(reason: "a \(op.rawValue) record needs its result") }
        return record
    }

    package static func storedKey(from value: JSONValue) throws(DecodeError) -> StoredKey {
        guard case .object(let m) = value, let keyText = m["key"]?.stringValue, let key = IdempotencyKey(keyText),
              let resultText = m["result"]?.stringValue, let result = MutationResult(text: resultText),
              case .int(let expires)? = m["expires_ms"]
        else { throw DecodeError(reason: "an idempotency line needs key, result and expires_ms") }
        return StoredKey(key: key, result: result, expiresAt: expires)
    }

    /// Splits `bytes` into lines, parsing each with `parse`. A line that fails is reported with
    /// its 1-based number. `tolerateTornTail` lets the last line be incomplete or invalid (a
    /// crash mid-append): it is returned as the torn tail instead of failing.
    package static func readLines<T>(_ bytes: [UInt8], file: String, tolerateTornTail: Bool,
                                     _ parse: (JSONValue) throws(DecodeError) -> T) throws(StateError) -> (items: [T], torn: TornTail?) {
        var items: [T] = []
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            var end = lineStart
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let complete = end < bytes.count
            let isLast = !complete || end + 1 == bytes.count
            let slice = Array(bytes[lineStart..<end])
            do throws(DecodeError) {
                guard complete else { throw DecodeError(reason: "the line has no newline (a write cut short)") }
                let value: JSONValue
                do {
                    value = try JSONParser.parse(bytes: slice)
                } catch {
                    throw DecodeError(reason: error.description)
                }
                items.append(try parse(value))
            } catch {
                if tolerateTornTail && isLast {
                    return (items, TornTail(file: file, line: lineNumber, offset: lineStart, bytes: Array(bytes[lineStart...]),
                                            reason: error.reason))
                }
                throw StateError.corrupt(file: file, line: lineNumber, reason: error.reason)
            }
            lineStart = end + 1
        }
        return (items, nil)
    }
}

/// The incomplete last record of a journal, left by a crash in the middle of an append.
package struct TornTail: Sendable, Equatable {
    package let file: String
    package let line: Int
    /// Byte offset where the torn record starts (the journal is cut back to it).
    package let offset: Int
    package let bytes: [UInt8]
    package let reason: String
}
