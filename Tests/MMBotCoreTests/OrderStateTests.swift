import Testing
@testable import MMBotCore
import MMBotSupport

@Suite struct OrderStateTests {
    static let legal: Set<String> = [
        "pending_new>open", "pending_new>rejected", "open>partially_filled", "open>filled", "open>canceled",
        "partially_filled>partially_filled", "partially_filled>filled", "partially_filled>canceled",
    ]

    @Test func onlyTheDocumentedTransitionsAreLegal() {
        for from in OrderState.allCases {
            for to in OrderState.allCases {
                let key = "\(from.rawValue)>\(to.rawValue)"
                #expect(from.canTransition(to: to) == Self.legal.contains(key), "\(key)")
            }
        }
    }

    @Test func terminalStatesHaveNoWayOut() {
        for state in OrderState.allCases where state.isTerminal {
            #expect(OrderState.allCases.allSatisfy { !state.canTransition(to: $0) })
        }
    }

    func order() -> Order {
        Order(id: ClientOrderID(session: 1, sequence: 1), symbol: TestData.btc, side: .buy, price: Fixed(50_000),
              quantity: Fixed("0.010")!, postOnly: true, createdAt: 0)
    }

    @Test func illegalTransitionIsRefusedAndStateUnchanged() throws {
        var o = order()
        #expect(throws: IllegalTransition.self) { try o.transition(to: .filled, at: 1) }
        #expect(o.state == .pendingNew)
        try o.transition(to: .open, at: 1)
        try o.transition(to: .canceled, at: 2)
        #expect(throws: IllegalTransition.self) { try o.transition(to: .open, at: 3) }
        #expect(o.state == .canceled)
    }

    @Test func partialThenFullFill() throws {
        var o = order()
        try o.transition(to: .open, at: 1)
        try o.applyFill(Fixed("0.004")!, at: 2)
        #expect(o.state == .partiallyFilled)
        #expect(o.remainingQuantity == Fixed("0.006")!)
        try o.applyFill(Fixed("0.006")!, at: 3)
        #expect(o.state == .filled)
        #expect(o.remainingQuantity == .zero)
    }

    @Test func overfillIsRefused() throws {
        var o = order()
        try o.transition(to: .open, at: 1)
        #expect(throws: IllegalTransition.self) { try o.applyFill(Fixed("0.011")!, at: 2) }
        #expect(o.filledQuantity == .zero)
    }

    @Test func clientOrderIDsAreValidBybitOrderLinkIds() {
        let id = ClientOrderID(session: 0xDEAD_BEEF, sequence: UInt64.max)
        let text = id.description
        #expect(text.count <= 36)
        #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(ClientOrderID(text) == id)
        #expect(ClientOrderID("mm-1-2") == nil)
    }
}
