import MMBotSupport

/// The simulated venue's whole mutable state: what `venue.json` holds.
package struct VenueState: Sendable, Equatable {
    package struct Event: Sendable, Equatable {
        package let sequence: UInt64
        package let time: Millis
        package let id: ClientOrderID
        package let quantity: Fixed
        package let price: Fixed
        package let isMaker: Bool
    }

    /// Resting orders, sorted by id.
    package var resting: [SimVenue.RestingOrder] = []
    /// Scheduled fill events, sorted by sequence.
    package var events: [Event] = []
    package var eventSequence: UInt64 = 0
    package var rng: [UInt64]?
    /// The last venue journal record this state includes.
    package var lsn: UInt64 = 0
    package var time: Millis = 0
    /// Venue journal records applied on top of `venue.json` when loading.
    package var recordsReplayed = 0
    package var tornTail: TornTail?

    package init() {}

    package var openOrders: [VenueOrder] {
        resting.map { r in
            VenueOrder(id: r.request.id, symbol: r.request.symbol, side: r.request.side, price: r.request.price,
                       quantity: r.request.quantity, filled: r.filled)
        }
    }

    package var json: JSONValue {
        [
            "event_sequence": .int(Int64(bitPattern: eventSequence)),
            "events": .array(events.map { e in
                ["id": .string(e.id.description), "maker": .bool(e.isMaker), "price": .decimal(e.price), "qty": .decimal(e.quantity),
                 "seq": .int(Int64(bitPattern: e.sequence)), "time": .int(e.time)]
            }),
            "lsn": .int(Int64(bitPattern: lsn)),
            "resting": .array(resting.map { r in ["filled": .decimal(r.filled), "order": VenueState.json(r.request)] }),
            "rng": rng.map { .array($0.map { .string(VenueStore.hex64($0)) }) } ?? .null,
            "time_ms": .int(time),
        ]
    }

    static func json(_ r: OrderRequest) -> JSONValue {
        ["id": .string(r.id.description), "post_only": .bool(r.postOnly), "price": .decimal(r.price), "qty": .decimal(r.quantity),
         "side": .string(r.side.rawValue), "symbol": .string(r.symbol.name), "time": .int(r.time)]
    }
}

extension SimVenue {
    /// The venue's state now, for `venue.json`.
    package func exportState(lsn: UInt64, time: Millis) -> VenueState {
        var state = VenueState()
        state.resting = openOrders
        state.events = events.unorderedElements.sorted { $0.sequence < $1.sequence }.map {
            VenueState.Event(sequence: $0.sequence, time: $0.time, id: $0.id, quantity: $0.quantity, price: $0.price, isMaker: $0.isMaker)
        }
        state.eventSequence = eventSequence
        state.rng = rng.state
        state.lsn = lsn
        state.time = time
        return state
    }

    /// Continues from a persisted state: same resting orders, same pending fills, same draws.
    package func restore(_ state: VenueState) {
        resting = FastMap(capacity: max(64, state.resting.count))
        for order in state.resting { resting.insert(order.request.id, order) }
        events = MinHeap()
        for e in state.events {
            events.push(FillEvent(time: e.time, sequence: e.sequence, id: e.id, quantity: e.quantity, price: e.price, isMaker: e.isMaker))
        }
        eventSequence = state.eventSequence
        if let words = state.rng, let restored = SeededRandom(state: words) { rng = restored }
    }
}

/// Reads `venue.json` and `venue-journal.jsonl`.
package enum VenueStateLoader {
    /// The persisted venue, or nil when neither file exists. Changes nothing.
    package static func load(directory: String) throws(StateError) -> VenueState? {
        let snapshotPath = directory + "/" + VenueStore.snapshotFile
        let journalPath = directory + "/" + VenueStore.journalFile
        let snapshotBytes = try DiskSnapshot.read(snapshotPath)
        let journalBytes = try DiskSnapshot.read(journalPath)
        if snapshotBytes == nil && journalBytes == nil { return nil }
        var state = VenueState()
        if let snapshotBytes {
            do {
                state = try decodeSnapshot(try JSONParser.parse(bytes: snapshotBytes))
            } catch let error as StateCodec.DecodeError {
                throw StateError.corrupt(file: snapshotPath, line: 0, reason: error.reason)
            } catch {
                throw StateError.corrupt(file: snapshotPath, line: 0, reason: "\(error)")
            }
        }
        guard let journalBytes else { return state }
        let (lines, torn) = try StateCodec.readLines(journalBytes, file: journalPath, tolerateTornTail: true) { value throws(StateCodec.DecodeError) in value }
        var resting: [ClientOrderID: SimVenue.RestingOrder] = [:]
        for order in state.resting { resting[order.request.id] = order }
        var events: [UInt64: VenueState.Event] = [:]
        for event in state.events { events[event.sequence] = event }
        var previous: UInt64?
        for (index, line) in lines.enumerated() {
            do throws(StateCodec.DecodeError) {
                guard case .int(let rawLSN)? = line["lsn"], rawLSN > 0 else { throw StateCodec.DecodeError(reason: "field 'lsn' is missing") }
                let lsn = UInt64(rawLSN)
                if let previous, lsn != previous + 1 {
                    throw StateCodec.DecodeError(reason: "lsn \(lsn) follows \(previous): a record is missing or repeated")
                }
                previous = lsn
                if lsn <= state.lsn { continue }  // already in venue.json (a crash came between it and the truncation)
                try apply(line, resting: &resting, events: &events, state: &state)
                state.lsn = lsn
                state.recordsReplayed += 1
            } catch {
                throw StateError.corrupt(file: journalPath, line: index + 1, reason: error.reason)
            }
        }
        state.resting = resting.values.sorted { $0.request.id < $1.request.id }
        state.events = events.values.sorted { $0.sequence < $1.sequence }
        state.tornTail = torn
        return state
    }

    private static func apply(_ line: JSONValue, resting: inout [ClientOrderID: SimVenue.RestingOrder],
                              events: inout [UInt64: VenueState.Event], state: inout VenueState) throws(StateCodec.DecodeError) {
        switch line["op"]?.stringValue {
        case "place":
            let request = try decodeRequest(line["order"])
            guard let outcome = line["outcome"]?.stringValue, let words = try decodeRNG(line["rng"]) else {
                throw StateCodec.DecodeError(reason: "a place record needs outcome and rng")
            }
            state.rng = words
            if outcome == "accepted" {
                resting[request.id] = SimVenue.RestingOrder(request: request, filled: .zero)
                for item in line["events"]?.arrayValue ?? [] {
                    let event = try decodeEvent(item)
                    events[event.sequence] = event
                    state.eventSequence = max(state.eventSequence, event.sequence)
                }
            } else if !outcome.hasPrefix("rejected:") {
                throw StateCodec.DecodeError(reason: "unknown place outcome '\(outcome)'")
            }
        case "cancel":
            guard let text = line["id"]?.stringValue, let id = ClientOrderID(text) else {
                throw StateCodec.DecodeError(reason: "a cancel record needs an order id")
            }
            resting[id] = nil
        case "pop":
            guard case .int(let raw)? = line["seq"], let event = events.removeValue(forKey: UInt64(raw)) else {
                throw StateCodec.DecodeError(reason: "a pop record names no pending fill event")
            }
            // The same rule as SimVenue.advance: a part for an order no longer resting is dropped.
            guard var order = resting[event.id] else { return }
            let quantity = min(event.quantity, order.remaining)
            guard quantity.raw > 0 else { return }
            order.filled += quantity
            resting[event.id] = order.remaining.raw == 0 ? nil : order
        default:
            throw StateCodec.DecodeError(reason: "unknown venue record op")
        }
    }

    private static func decodeSnapshot(_ value: JSONValue) throws(StateCodec.DecodeError) -> VenueState {
        var state = VenueState()
        guard case .int(let sequence)? = value["event_sequence"], case .int(let lsn)? = value["lsn"], case .int(let time)? = value["time_ms"],
              let resting = value["resting"]?.arrayValue, let events = value["events"]?.arrayValue
        else { throw StateCodec.DecodeError(reason: "venue.json needs event_sequence, events, lsn, resting and time_ms") }
        state.eventSequence = UInt64(bitPattern: sequence)
        state.lsn = UInt64(bitPattern: lsn)
        state.time = time
        state.rng = try decodeRNG(value["rng"])
        for item in resting {
            guard let filled = StateCodec.number(item["filled"]) else { throw StateCodec.DecodeError(reason: "a resting order needs filled") }
            let request = try decodeRequest(item["order"])
            guard filled.raw >= 0, filled < request.quantity else { throw StateCodec.DecodeError(reason: "resting order \(request.id) is overfilled") }
            state.resting.append(SimVenue.RestingOrder(request: request, filled: filled))
        }
        state.events = try events.map { (item: JSONValue) throws(StateCodec.DecodeError) in try decodeEvent(item) }
        return state
    }

    private static func decodeRequest(_ value: JSONValue?) throws(StateCodec.DecodeError) -> OrderRequest {
        guard let value, let idText = value["id"]?.stringValue, let id = ClientOrderID(idText),
              let symbolText = value["symbol"]?.stringValue, let symbol = Symbol(validating: symbolText),
              let side = value["side"]?.stringValue.flatMap(Side.init(rawValue:)),
              let price = StateCodec.number(value["price"]), let qty = StateCodec.number(value["qty"]),
              let postOnly = value["post_only"]?.boolValue, case .int(let time)? = value["time"]
        else { throw StateCodec.DecodeError(reason: "a venue order needs id, symbol, side, price, qty, post_only and time") }
        return OrderRequest(id: id, symbol: symbol, side: side, price: price, quantity: qty, postOnly: postOnly, time: time)
    }

    private static func decodeEvent(_ value: JSONValue) throws(StateCodec.DecodeError) -> VenueState.Event {
        guard let idText = value["id"]?.stringValue, let id = ClientOrderID(idText), let maker = value["maker"]?.boolValue,
              let price = StateCodec.number(value["price"]), let qty = StateCodec.number(value["qty"]),
              case .int(let sequence)? = value["seq"], case .int(let time)? = value["time"]
        else { throw StateCodec.DecodeError(reason: "a fill event needs id, maker, price, qty, seq and time") }
        return VenueState.Event(sequence: UInt64(bitPattern: sequence), time: time, id: id, quantity: qty, price: price, isMaker: maker)
    }

    private static func decodeRNG(_ value: JSONValue?) throws(StateCodec.DecodeError) -> [UInt64]? {
        guard let value, value != .null else { return nil }
        guard let items = value.arrayValue, items.count == 4 else { throw StateCodec.DecodeError(reason: "rng must be four hex words") }
        var words: [UInt64] = []
        for item in items {
            guard let text = item.stringValue, text.count == 16, let word = UInt64(text, radix: 16) else {
                throw StateCodec.DecodeError(reason: "rng must be four hex words")
            }
            words.append(word)
        }
        return words
    }
}
