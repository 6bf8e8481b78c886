import MMBotSupport

/// An order as /v5/order/realtime describes it.
package struct BybitOrder: Sendable, Equatable {
    package let orderId: String
    package let orderLinkId: String
    package let symbol: Symbol
    package let side: Side
    package let price: Fixed
    package let qty: Fixed
    package let cumExecQty: Fixed
    /// New, PartiallyFilled, Untriggered (open); Filled, Cancelled, Rejected, … (closed).
    package let orderStatus: String
    /// EC_NoError, EC_PostOnlyWillTakeLiquidity, EC_PerCancelRequest, …
    package let rejectReason: String
    package let timeInForce: String
    package let createdTime: Int64

    package var isOpen: Bool { ["New", "PartiallyFilled", "Untriggered"].contains(orderStatus) }
    /// The venue canceled a post-only order on arrival because it would have taken liquidity.
    package var postOnlyWouldTake: Bool { rejectReason == "EC_PostOnlyWillTakeLiquidity" }

    init(_ json: JSONValue) throws(BybitError) {
        let f = BybitFields(json, "/v5/order/realtime item")
        orderId = try f.string("orderId")
        orderLinkId = try f.string("orderLinkId")
        symbol = try f.symbol()
        side = try f.side()
        price = try f.decimal("price")
        qty = try f.decimal("qty")
        cumExecQty = try f.decimal("cumExecQty")
        orderStatus = try f.string("orderStatus")
        rejectReason = f.optionalString("rejectReason") ?? ""
        timeInForce = f.optionalString("timeInForce") ?? ""
        createdTime = try f.millis("createdTime")
    }
}

/// One execution (fill) from /v5/execution/list.
package struct BybitExecution: Sendable, Equatable {
    package let execId: String
    package let orderId: String
    package let orderLinkId: String
    package let symbol: Symbol
    package let side: Side
    package let execPrice: Fixed
    package let execQty: Fixed
    package let execFee: Fixed
    package let isMaker: Bool
    package let execTime: Int64
    package let execType: String

    init(_ json: JSONValue) throws(BybitError) {
        let f = BybitFields(json, "/v5/execution/list item")
        execId = try f.string("execId")
        orderId = try f.string("orderId")
        orderLinkId = try f.string("orderLinkId")
        symbol = try f.symbol()
        side = try f.side()
        execPrice = try f.decimal("execPrice")
        execQty = try f.decimal("execQty")
        execFee = try f.decimal("execFee")
        isMaker = try f.bool("isMaker")
        execTime = try f.millis("execTime")
        execType = f.optionalString("execType") ?? "Trade"
    }
}

/// One position from /v5/position/list; `signedSize` is long-positive.
package struct BybitPosition: Sendable, Equatable {
    package let symbol: Symbol
    package let signedSize: Fixed
    package let avgPrice: Fixed

    init(_ json: JSONValue) throws(BybitError) {
        let f = BybitFields(json, "/v5/position/list item")
        symbol = try f.symbol()
        let size = try f.decimal("size")
        signedSize = try f.string("side") == "Sell" ? -size : size
        avgPrice = try f.decimal("avgPrice")
    }
}

/// The best bid and ask of a symbol from /v5/market/tickers.
package struct BybitTicker: Sendable, Equatable {
    package let symbol: Symbol
    package let bid: Fixed
    package let ask: Fixed

    init(_ json: JSONValue) throws(BybitError) {
        let f = BybitFields(json, "/v5/market/tickers item")
        symbol = try f.symbol()
        bid = try f.decimal("bid1Price")
        ask = try f.decimal("ask1Price")
    }
}

/// What /v5/order/create answered.
package struct BybitCreateAck: Sendable, Equatable {
    package let orderId: String
    package let orderLinkId: String
}
