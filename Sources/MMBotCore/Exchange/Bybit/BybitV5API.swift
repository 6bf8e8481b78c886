import MMBotSupport

/// The v5 endpoints mmbot uses, typed (reference facts A5), category linear.
extension BybitRESTClient {
    /// The venue's clock in ms (GET /v5/market/time, public).
    package func serverTime() throws(BybitError) -> Int64 {
        let fields = BybitFields(try send(BybitCall(.get, "/v5/market/time", [], signed: false)), "/v5/market/time")
        if let nanos = fields.optionalString("timeNano").flatMap({ Int64($0) }) { return nanos / 1_000_000 }
        guard let seconds = Int64(try fields.string("timeSecond")) else { throw BybitError(.malformed, "/v5/market/time: timeSecond is not a number") }
        return seconds * 1000
    }

    /// The symbol's price and lot-size filters (GET /v5/market/instruments-info, public).
    package func instrumentRules(_ symbol: Symbol) throws(BybitError) -> InstrumentRules {
        let result = try send(BybitCall(.get, "/v5/market/instruments-info", [("category", config.category), ("symbol", symbol.name)],
                                        signed: false))
        let items = try BybitFields(result, "/v5/market/instruments-info").list()
        guard let item = items.first(where: { $0["symbol"]?.stringValue == symbol.name }) else {
            throw BybitError(.rejected, "/v5/market/instruments-info does not list \(symbol.name) in category \(config.category); check the symbol")
        }
        if let status = item["status"]?.stringValue, status != "Trading" {
            throw BybitError(.rejected, "/v5/market/instruments-info lists \(symbol.name) with status \(status), not Trading")
        }
        let price = BybitFields(item["priceFilter"] ?? .null, "\(symbol.name) priceFilter")
        let lot = BybitFields(item["lotSizeFilter"] ?? .null, "\(symbol.name) lotSizeFilter")
        let rules = InstrumentRules(tickSize: try price.decimal("tickSize"), qtyStep: try lot.decimal("qtyStep"),
                                    minQty: try lot.decimal("minOrderQty"),
                                    minNotional: lot.optionalString("minNotionalValue").flatMap { Fixed($0) } ?? .zero)
        guard rules.tickSize.raw > 0, rules.qtyStep.raw > 0 else {
            throw BybitError(.malformed, "/v5/market/instruments-info gave \(symbol.name) a zero tickSize or qtyStep")
        }
        return rules
    }

    /// Best bid and ask of every linear symbol (GET /v5/market/tickers, public; one request).
    package func tickers() throws(BybitError) -> [BybitTicker] {
        let result = try send(BybitCall(.get, "/v5/market/tickers", [("category", config.category)], signed: false))
        var out: [BybitTicker] = []
        for item in try BybitFields(result, "/v5/market/tickers").list() { out.append(try BybitTicker(item)) }
        return out
    }

    /// The top of one symbol's book (GET /v5/market/orderbook, public).
    package func orderbookTop(_ symbol: Symbol) throws(BybitError) -> MarketSnapshot {
        let result = try send(BybitCall(.get, "/v5/market/orderbook", [("category", config.category), ("symbol", symbol.name), ("limit", "1")],
                                        signed: false))
        let f = BybitFields(result, "/v5/market/orderbook")
        let bids = try f.list("b"), asks = try f.list("a")
        guard let bid = bids.first?.arrayValue?.first?.stringValue.flatMap({ Fixed($0) }),
              let ask = asks.first?.arrayValue?.first?.stringValue.flatMap({ Fixed($0) })
        else { throw BybitError(.malformed, "/v5/market/orderbook for \(symbol.name) has an empty side") }
        return MarketSnapshot(bestBid: bid, bestAsk: ask)
    }

    /// POST /v5/order/create: a Limit order, PostOnly or GTC, with our id as orderLinkId.
    /// Retried only when the venue certainly did nothing; an unknown outcome is thrown.
    package func createOrder(_ request: OrderRequest) throws(BybitError) -> BybitCreateAck {
        let result = try send(BybitCall(.post, "/v5/order/create", [
            ("category", config.category), ("symbol", request.symbol.name), ("side", request.side.venueName), ("orderType", "Limit"),
            ("qty", request.quantity.description), ("price", request.price.description),
            ("timeInForce", request.postOnly ? "PostOnly" : "GTC"), ("orderLinkId", request.id.description),
        ], signed: true, retry: .onlyWhenNotDone))
        let f = BybitFields(result, "/v5/order/create")
        return BybitCreateAck(orderId: try f.string("orderId"), orderLinkId: try f.string("orderLinkId"))
    }

    /// POST /v5/order/cancel by orderLinkId.
    package func cancelOrder(symbol: Symbol, orderLinkId: String) throws(BybitError) {
        _ = try send(BybitCall(.post, "/v5/order/cancel", [("category", config.category), ("symbol", symbol.name),
                                                          ("orderLinkId", orderLinkId)], signed: true))
    }

    /// POST /v5/order/cancel-all for one symbol; returns the orderLinkIds canceled.
    package func cancelAll(symbol: Symbol) throws(BybitError) -> [String] {
        let result = try send(BybitCall(.post, "/v5/order/cancel-all", [("category", config.category), ("symbol", symbol.name)], signed: true))
        return try BybitFields(result, "/v5/order/cancel-all").list().compactMap { $0["orderLinkId"]?.stringValue }
    }

    /// GET /v5/order/realtime, every page: open orders (`openOnly` 0) or recent closed ones (1),
    /// optionally for one orderLinkId.
    package func orders(symbol: Symbol, orderLinkId: String? = nil, closed: Bool = false) throws(BybitError) -> [BybitOrder] {
        var base: [(String, String)] = [("category", config.category), ("symbol", symbol.name)]
        if let orderLinkId { base.append(("orderLinkId", orderLinkId)) }
        base.append(("openOnly", closed ? "1" : "0"))
        base.append(("limit", "50"))
        var out: [BybitOrder] = []
        for item in try pages("/v5/order/realtime", base) { out.append(try BybitOrder(item)) }
        return out
    }

    /// One order by orderLinkId, open or recently closed; nil when the venue never received it.
    package func findOrder(symbol: Symbol, orderLinkId: String) throws(BybitError) -> BybitOrder? {
        if let open = try orders(symbol: symbol, orderLinkId: orderLinkId).first(where: { $0.orderLinkId == orderLinkId }) { return open }
        return try orders(symbol: symbol, orderLinkId: orderLinkId, closed: true).first { $0.orderLinkId == orderLinkId }
    }

    /// GET /v5/execution/list, every page, executions at or after `since` (ms), newest first.
    package func executions(since: Int64?, symbol: Symbol? = nil) throws(BybitError) -> [BybitExecution] {
        var base: [(String, String)] = [("category", config.category)]
        if let symbol { base.append(("symbol", symbol.name)) }
        if let since { base.append(("startTime", String(since))) }
        base.append(("limit", "100"))
        var out: [BybitExecution] = []
        for item in try pages("/v5/execution/list", base) { out.append(try BybitExecution(item)) }
        return out
    }

    /// GET /v5/position/list for one symbol.
    package func positions(symbol: Symbol) throws(BybitError) -> [BybitPosition] {
        let result = try send(BybitCall(.get, "/v5/position/list", [("category", config.category), ("symbol", symbol.name)], signed: true))
        var out: [BybitPosition] = []
        for item in try BybitFields(result, "/v5/position/list").list() { out.append(try BybitPosition(item)) }
        return out
    }

    /// Follows `nextPageCursor` (sent back unchanged, already percent-encoded) to the last page.
    private func pages(_ path: String, _ base: [(String, String)]) throws(BybitError) -> [JSONValue] {
        var items: [JSONValue] = []
        var cursor: String?
        for _ in 0..<1_000 {
            var parameters = base
            if let cursor { parameters.append(("cursor", cursor)) }
            let result = try send(BybitCall(.get, path, parameters, signed: true))
            let f = BybitFields(result, path)
            items += try f.list()
            guard let next = f.optionalString("nextPageCursor"), !next.isEmpty, next != cursor else { return items }
            cursor = next
        }
        throw BybitError(.malformed, "\(path) kept returning pages after 1000; stopping")
    }
}
