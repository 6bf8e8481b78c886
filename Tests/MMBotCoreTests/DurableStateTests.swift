import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// Copies every file of `from` into a new directory: what a `kill -9` at this instant leaves on
/// disk (everything committed so far; nothing buffered).
func crashCopy(_ from: String) throws -> String {
    let to = try StateFixture.directory("crash")
    for name in try FileManager.default.contentsOfDirectory(atPath: from) where name != "lock" {
        try FileManager.default.copyItem(atPath: from + "/" + name, toPath: to + "/" + name)
    }
    return to
}

func fileBytes(_ directory: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "lock" {
        out[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }
    return out
}

@Suite struct StateCodecTests {
    static let order = Order(id: ClientOrderID(session: 0xAB, sequence: 17), symbol: Symbol(validating: "BTCUSDT")!, side: .buy,
                             price: Fixed("49995.1")!, quantity: Fixed("0.08")!, postOnly: true, createdAt: 1_000,
                             filledQuantity: Fixed("0.03")!, state: .partiallyFilled, updatedAt: 2_000)

    static let records: [StateRecord] = [
        StateRecord(lsn: 1, time: 5, op: .place, key: .place(order.id), order: order),
        StateRecord(lsn: 2, time: 5, op: .placeResult, key: .place(order.id), result: .rejected(.postOnlyWouldTake), order: order),
        StateRecord(lsn: 3, time: 6, op: .cancel, key: .cancel(order.id), order: order, reason: "requote"),
        StateRecord(lsn: 4, time: 6, op: .cancelResult, key: .cancel(order.id), result: .notOpen, reason: "requote"),
        StateRecord(lsn: 5, time: 7, op: .fill, key: .fill(order.id, exec: 99), result: .applied, order: order,
                    fill: FillRecord(execID: 99, price: Fixed("49995.1")!, quantity: Fixed("0.03")!, isMaker: true)),
        StateRecord(lsn: 6, time: 8, op: .cancelAll, key: .cancelAll(session: 0xAB, reason: .freeze, number: 2), reason: "freeze"),
        StateRecord(lsn: 7, time: 8, op: .cancelAllResult, key: .cancelAll(session: 0xAB, reason: .freeze, number: 2), result: .count(3)),
        StateRecord(lsn: 8, time: 9, op: .reconcile, key: .reconcile(order.id), result: .reconciled(.missingAtVenue), order: order),
    ]

    @Test func journalLinesAreCanonicalJSONAndReadBack() throws {
        for record in StateCodecTests.records {
            var builder = JSONLineBuilder()
            StateCodec.appendRecord(record, to: &builder)
            let line = String(decoding: builder.bytes, as: UTF8.self)
            #expect(line == JSONWriter.string(StateCodec.json(record)) + "\n")
            #expect(try StateCodec.record(from: JSONParser.parse(String(line.dropLast()))) == record)
        }
    }

    @Test func keysPrintAndParse() {
        let keys: [IdempotencyKey] = StateCodecTests.records.map(\.key)
        #expect(keys.map(\.description) == [
            "place:mm-000000ab-17", "place:mm-000000ab-17", "cancel:mm-000000ab-17", "cancel:mm-000000ab-17",
            "fill:mm-000000ab-17:99", "cancel_all:000000ab:freeze:2", "cancel_all:000000ab:freeze:2", "reconcile:mm-000000ab-17",
        ])
        for key in keys { #expect(IdempotencyKey(key.description) == key) }
        for bad in ["", "place", "place:x", "fill:mm-000000ab-17", "cancel_all:ab:freeze:1", "cancel_all:000000ab:nope:1", "drop:mm-000000ab-1"] {
            #expect(IdempotencyKey(bad) == nil)
        }
    }

    @Test func clientOrderIDsAreValidBybitOrderLinkIDs() {
        let widest = ClientOrderID(session: UInt32.max, sequence: UInt64.max)
        let text = widest.description
        #expect(text.count <= 36)
        #expect(text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
    }

    @Test func recordsMissingWhatTheirOpNeedsAreRefused() {
        let noOrder = #"{"key":"place:mm-000000ab-1","lsn":1,"op":"place","ts_ms":1}"#
        let badResult = #"{"key":"cancel_all:000000ab:freeze:1","lsn":1,"op":"cancel_all_result","result":"maybe","ts_ms":1}"#
        for text in [noOrder, badResult] {
            #expect(throws: StateCodec.DecodeError.self) { try StateCodec.record(from: JSONParser.parse(text)) }
        }
    }
}

@Suite struct RecoveryPlanTests {
    static func order(_ seq: UInt64, _ state: OrderState = .open, filled: String = "0") -> Order {
        Order(id: ClientOrderID(session: 1, sequence: seq), symbol: Symbol(validating: "ETHUSDT")!, side: .sell, price: Fixed("3000")!,
              quantity: Fixed("2")!, postOnly: true, createdAt: 1, filledQuantity: Fixed(filled)!, state: state, updatedAt: 1)
    }

    static func venue(_ seq: UInt64, filled: String = "0") -> VenueOrder {
        VenueOrder(id: ClientOrderID(session: 1, sequence: seq), symbol: Symbol(validating: "ETHUSDT")!, side: .sell, price: Fixed("3000")!,
                   quantity: Fixed("2")!, filled: Fixed(filled)!)
    }

    @Test func sortsEveryOrderIntoOneVerdict() {
        let local = [Self.order(3), Self.order(1, .pendingNew), Self.order(2), Self.order(4, .partiallyFilled, filled: "0.5")]
        let venue = [Self.venue(1), Self.venue(3, filled: "1.5"), Self.venue(7), Self.venue(9), Self.venue(4, filled: "0.5")]
        let plan = RecoveryPlan.make(local: local, known: { $0.sequence == 7 }, venue: venue, time: 50)
        #expect(plan.matched.map(\.order.id.sequence) == [1, 3, 4])
        #expect(plan.matched[1].order.filledQuantity == Fixed("1.5")!)
        #expect(plan.matched[1].order.state == .partiallyFilled)
        #expect(plan.matched[1].reconciledFill == Fixed("1.5")!)
        #expect(plan.matched[2].reconciledFill == .zero)
        #expect(plan.missingAtVenue.map(\.id.sequence) == [2])
        #expect(plan.staleAtVenue.map(\.id.sequence) == [7])
        #expect(plan.orphans.map(\.id.sequence) == [9])
    }
}

@Suite struct SessionRegistryTests {
    @Test func everyStartTakesAnUnusedSessionAndTheFirstIsTheSeeds() throws {
        var registry = SessionRegistry()
        let first = registry.startRun(preferred: 0x1234, recovering: false)
        let second = registry.startRun(preferred: 0x1234, recovering: true)
        let third = registry.startRun(preferred: 0x1234, recovering: true)
        #expect(first == 0x1234)
        #expect(Set([first, second, third]).count == 3)
        #expect(registry.recoveries == 2)
        let dir = try StateFixture.directory("sessions")
        defer { StateFixture.remove(dir) }
        try registry.write(directory: dir)
        #expect(try SessionRegistry.read(directory: dir) == registry)
    }
}
