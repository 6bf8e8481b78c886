import MMBotSupport

/// The v5 facade's account state over the simulated venue: orders by orderLinkId and orderId,
/// executions, positions, and the synthetic market stepped by the facade's clock. Not
/// thread-safe: `BybitSimFacade` owns it behind a lock.
package final class BybitSimBook {
    package struct SimOrder: Sendable {
        let orderId: String
        let orderLinkId: String
        let internalID: ClientOrderID
        let symbol: Symbol
        let side: Side
        let price: Fixed
        let qty: Fixed
        let timeInForce: String
        let createdTime: Int64
        var updatedTime: Int64
        var cumExecQty: Fixed = .zero
        var cumExecValue: Fixed = .zero
        var cumExecFee: Fixed = .zero
        var status: String
        var rejectReason = "EC_NoError"
        var cancelType = "UNKNOWN"
        var isOpen: Bool { status == "New" || status == "PartiallyFilled" }
    }

    package struct SimExecution: Sendable {
        let execId: String
        let orderId: String
        let orderLinkId: String
        let symbol: Symbol
        let side: Side
        let orderPrice: Fixed
        let orderQty: Fixed
        let leavesQty: Fixed
        let price: Fixed
        let qty: Fixed
        let fee: Fixed
        let feeRate: Fixed
        let isMaker: Bool
        let time: Int64
        let seq: Int64
    }

    package struct PositionState: Sendable {
        var size = Fixed.zero
        var avgPrice = Fixed.zero
    }

    /// Counts the rehearsal tests read from /sim/state.
    package struct Stats: Sendable {
        package var createRequests = 0
        /// Creations that reused an orderLinkId already known (refused with 110072).
        package var duplicateLinkIdCreates = 0
        package var accepted = 0
        package var postOnlyCanceled = 0
        package var rejected = 0
        package var cancels = 0
    }

    static let makerFee = Fixed(units: 2, decimals: 4)
    static let takerFee = Fixed(units: 55, decimals: 5)

    let config: BybitSimConfig
    let market: SyntheticMarket
    private let venue: SimVenue
    private let rules: [Symbol: InstrumentRules]
    private let symbolIndex: [Symbol: Int]
    private let start: Millis
    private var stepsTaken: Int64 = 0
    private(set) var orders: [String: SimOrder] = [:]
    private var linkByOrderId: [String: String] = [:]
    private var linkByInternal: [ClientOrderID: String] = [:]
    private var closedOrder: [String] = []
    private(set) var executions: [SimExecution] = []
    private(set) var positions: [Symbol: PositionState] = [:]
    private(set) var stats = Stats()
    private var sequence: UInt64 = 0
    private var fillBuffer: [Fill] = []
    private let idPrefix: String

    package init(config: BybitSimConfig, start: Millis, logger: Logger) {
        self.config = config
        self.start = start
        market = SyntheticMarket(symbols: config.symbols, seed: config.seed)
        venue = SimVenue(config: config.venue, market: market, seed: config.seed, logger: logger)
        var rules: [Symbol: InstrumentRules] = [:]
        var index: [Symbol: Int] = [:]
        for (i, symbol) in config.symbols.enumerated() {
            rules[symbol] = InstrumentCatalog.entry(for: symbol).rules
            index[symbol] = i
        }
        self.rules = rules
        symbolIndex = index
        var mix = SplitMix64(state: config.seed ^ 0x6279_6269_7473_696d)
        idPrefix = BybitSimBook.hex(mix.next() & 0xffff_ffff, width: 8)
    }

    // MARK: Time

    /// Steps the market to `now` (one step per `tickMs` since the start) and delivers the fills
    /// due by then.
    package func catchUp(to now: Millis) {
        let due = max(0, (now - start) / max(1, config.tickMs))
        var steps = 0
        while stepsTaken < due && steps < 100_000 {
            market.step()
            stepsTaken += 1
            steps += 1
        }
        if stepsTaken < due { stepsTaken = due }
        fillBuffer.removeAll(keepingCapacity: true)
        venue.advance(to: now, into: &fillBuffer)
        for fill in fillBuffer { record(fill) }
    }

    private func record(_ fill: Fill) {
        guard let link = linkByInternal[fill.orderID], var order = orders[link] else { return }
        let value = fill.price.multiplied(by: fill.quantity)
        let rate = fill.isMaker ? BybitSimBook.makerFee : BybitSimBook.takerFee
        let fee = value.multiplied(by: rate, rounding: .halfEven)
        order.cumExecQty += fill.quantity
        order.cumExecValue += value
        order.cumExecFee += fee
        order.updatedTime = fill.time
        order.status = order.cumExecQty >= order.qty ? "Filled" : "PartiallyFilled"
        orders[link] = order
        if order.status == "Filled" { close(link) }
        sequence += 1
        executions.append(SimExecution(execId: newID(), orderId: order.orderId, orderLinkId: link, symbol: order.symbol, side: order.side,
                                       orderPrice: order.price, orderQty: order.qty, leavesQty: order.qty - order.cumExecQty,
                                       price: fill.price, qty: fill.quantity, fee: fee, feeRate: rate, isMaker: fill.isMaker,
                                       time: fill.time, seq: Int64(sequence)))
        var position = positions[order.symbol] ?? PositionState()
        let signed = fill.quantity * fill.side.sign
        let next = position.size + signed
        if position.size.isZero || position.size.signum == signed.signum {
            let total = position.size.magnitude + fill.quantity
            position.avgPrice = (position.avgPrice.multiplied(by: position.size.magnitude) + value).divided(by: total, rounding: .halfEven)
        } else if next.signum == -position.size.signum {
            position.avgPrice = fill.price
        } else if next.isZero {
            position.avgPrice = .zero
        }
        position.size = next
        positions[order.symbol] = position
    }

    // MARK: Orders

    /// POST /v5/order/create. Returns (retCode, retMsg, result).
    package func create(_ p: [String: String], now: Millis) -> (Int64, String, JSONValue) {
        stats.createRequests += 1
        guard let symbolText = p["symbol"], let symbol = Symbol(validating: symbolText), symbolIndex[symbol] != nil else {
            return (10001, "params error: symbol invalid", [:])
        }
        guard let side = p["side"].flatMap(BybitSimBook.side) else { return (10001, "params error: side invalid", [:]) }
        guard p["orderType"] == "Limit" else { return (10001, "params error: mmbot exchange-sim supports orderType Limit only", [:]) }
        guard let qty = p["qty"].flatMap({ Fixed($0) }), qty.raw > 0 else { return (10001, "params error: qty invalid", [:]) }
        guard let price = p["price"].flatMap({ Fixed($0) }) else { return (10001, "params error: price invalid", [:]) }
        let tif = p["timeInForce"] ?? "GTC"
        guard tif == "GTC" || tif == "PostOnly" else { return (10001, "params error: timeInForce must be GTC or PostOnly", [:]) }
        let link = p["orderLinkId"] ?? ""
        guard !link.isEmpty, link.count <= 36,
              link.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
        else { return (10001, "params error: orderLinkId must be 1-36 letters, digits, - or _ (mmbot exchange-sim requires one)", [:]) }
        if orders[link] != nil {
            stats.duplicateLinkIdCreates += 1
            return (110072, "OrderLinkedID is duplicate", [:])
        }
        sequence += 1
        let internalID = ClientOrderID(session: 0, sequence: sequence)
        let request = OrderRequest(id: internalID, symbol: symbol, side: side, price: price, quantity: qty, postOnly: tif == "PostOnly", time: now)
        let orderId = newID()
        var order = SimOrder(orderId: orderId, orderLinkId: link, internalID: internalID, symbol: symbol, side: side, price: price, qty: qty,
                             timeInForce: tif, createdTime: now, updatedTime: now, status: "New")
        switch venue.place(request) {
        case .accepted:
            stats.accepted += 1
        case .rejected(.postOnlyWouldTake):
            // Bybit accepts the request and cancels the order on arrival (reference facts A6).
            stats.postOnlyCanceled += 1
            order.status = "Cancelled"
            order.rejectReason = "EC_PostOnlyWillTakeLiquidity"
        case .rejected(let reason):
            stats.rejected += 1
            let (code, message) = BybitSimBook.retCode(for: reason, rules: rules[symbol]!)
            return (code, message, [:])
        }
        orders[link] = order
        linkByOrderId[orderId] = link
        linkByInternal[internalID] = link
        if !order.isOpen { close(link) }
        return (0, "OK", ["orderId": .string(orderId), "orderLinkId": .string(link)])
    }

    /// POST /v5/order/cancel by orderId or orderLinkId (orderId wins).
    package func cancel(_ p: [String: String], now: Millis) -> (Int64, String, JSONValue) {
        guard let link = p["orderId"].flatMap({ linkByOrderId[$0] }) ?? p["orderLinkId"], var order = orders[link] else {
            return (110001, "order not exists or too late to cancel", [:])
        }
        if let symbol = p["symbol"], symbol != order.symbol.name { return (110001, "order not exists or too late to cancel", [:]) }
        guard order.isOpen, case .canceled = venue.cancel(order.internalID) else {
            return (110001, "order not exists or too late to cancel", [:])
        }
        stats.cancels += 1
        order.status = "Cancelled"
        order.rejectReason = "EC_PerCancelRequest"
        order.cancelType = "CancelByUser"
        order.updatedTime = now
        orders[link] = order
        close(link)
        return (0, "OK", ["orderId": .string(order.orderId), "orderLinkId": .string(link)])
    }

    /// POST /v5/order/cancel-all for a symbol (or every symbol with settleCoin USDT).
    package func cancelAll(_ p: [String: String], now: Millis) -> (Int64, String, JSONValue) {
        let filter: Symbol?
        if let text = p["symbol"] {
            guard let symbol = Symbol(validating: text) else { return (10001, "params error: symbol invalid", [:]) }
            filter = symbol
        } else if p["settleCoin"] == "USDT" || p["baseCoin"] != nil {
            filter = nil
        } else {
            return (10001, "params error: linear cancel-all needs symbol, baseCoin or settleCoin", [:])
        }
        var list: [JSONValue] = []
        for link in orders.keys.sorted() {
            guard let order = orders[link], order.isOpen, filter == nil || order.symbol == filter else { continue }
            let (code, _, result) = cancel(["orderLinkId": link], now: now)
            if code == 0 { list.append(result) }
        }
        return (0, "OK", ["list": .array(list), "success": "1"])
    }

    /// Orders for GET /v5/order/realtime, newest first.
    package func listOrders(symbol: Symbol?, orderId: String?, orderLinkId: String?, closed: Bool) -> [SimOrder] {
        var chosen: [SimOrder]
        if let link = orderId.flatMap({ linkByOrderId[$0] }) ?? orderLinkId {
            chosen = orders[link].map { [$0] } ?? []
        } else {
            chosen = closed ? closedOrder.suffix(500).compactMap { orders[$0] } : orders.values.filter(\.isOpen)
        }
        chosen = chosen.filter { $0.isOpen != closed && (symbol == nil || $0.symbol == symbol) }
        return chosen.sorted { ($0.createdTime, $0.orderId) > ($1.createdTime, $1.orderId) }
    }

    /// Executions for GET /v5/execution/list, newest first.
    package func listExecutions(symbol: Symbol?, orderLinkId: String?, orderId: String?, startTime: Int64?, endTime: Int64?) -> [SimExecution] {
        executions.filter {
            (symbol == nil || $0.symbol == symbol) && (orderLinkId == nil || $0.orderLinkId == orderLinkId)
                && (orderId == nil || $0.orderId == orderId) && (startTime == nil || $0.time >= startTime!)
                && (endTime == nil || $0.time <= endTime!)
        }.sorted { ($0.time, $0.seq) > ($1.time, $1.seq) }
    }

    package var openOrders: [SimOrder] { orders.values.filter(\.isOpen).sorted { $0.orderLinkId < $1.orderLinkId } }

    // MARK: Market data

    package func book(_ symbol: Symbol) -> MarketSnapshot? { symbolIndex[symbol].map { market.snapshot($0) } }
    package func rules(_ symbol: Symbol) -> InstrumentRules? { rules[symbol] }

    // MARK: Helpers

    private func close(_ link: String) { closedOrder.append(link) }

    private func newID() -> String {
        sequence += 1
        let n = sequence
        return "\(idPrefix)-\(BybitSimBook.hex(n >> 48, width: 4))-4\(BybitSimBook.hex((n >> 36) & 0xfff, width: 3))-8\(BybitSimBook.hex((n >> 24) & 0xfff, width: 3))-\(BybitSimBook.hex(n & 0xffff_ffff_ffff, width: 12))"
    }

    static func hex(_ value: UInt64, width: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func side(_ text: String) -> Side? {
        switch text {
        case "Buy": return .buy
        case "Sell": return .sell
        default: return nil
        }
    }

    /// The retCode Bybit answers for each of the venue's refusals (reference facts A3).
    static func retCode(for reason: RejectReason, rules: InstrumentRules) -> (Int64, String) {
        switch reason {
        case .venueRejected: return (110007, "ab not enough for new order")
        case .invalidQuantity: return (110017, "orderQty will be truncated to zero or is below minOrderQty \(rules.minQty) / not a multiple of qtyStep \(rules.qtyStep)")
        case .belowMinNotional: return (110094, "Order does not meet minimum order value \(rules.minNotional)USDT")
        case .duplicateClientID: return (110072, "OrderLinkedID is duplicate")
        case .invalidPrice: return (10001, "params error: price must be a positive multiple of tickSize \(rules.tickSize)")
        case .unknownSymbol: return (10001, "params error: symbol invalid")
        case .postOnlyWouldTake: return (0, "OK")
        }
    }
}
