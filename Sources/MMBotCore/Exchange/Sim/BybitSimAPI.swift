import MMBotSupport

/// The v5 endpoints of the simulated venue: parameters in, (retCode, retMsg, result) out, with
/// Bybit's field names and string-encoded numbers (reference facts A5).
enum BybitSimAPI {
    static func handle(_ path: String, _ p: [String: String], book: BybitSimBook, now: Millis) -> (Int64, String, JSONValue) {
        switch path {
        case "/v5/market/time":
            return (0, "OK", ["timeSecond": .string(String(now / 1000)), "timeNano": .string(String(now) + "000000")])
        case "/v5/market/instruments-info":
            return instruments(p, book: book, now: now)
        case "/v5/market/tickers":
            return tickers(p, book: book, now: now)
        case "/v5/market/orderbook":
            return orderbook(p, book: book, now: now)
        case "/v5/order/create":
            return book.create(p, now: now)
        case "/v5/order/cancel":
            return book.cancel(p, now: now)
        case "/v5/order/cancel-all":
            return book.cancelAll(p, now: now)
        case "/v5/order/realtime":
            return realtime(p, book: book)
        case "/v5/execution/list":
            return executions(p, book: book)
        case "/v5/position/list":
            return positions(p, book: book)
        default:
            return (10017, "route not found", [:])
        }
    }

    private static func symbols(_ p: [String: String], book: BybitSimBook) -> [Symbol]? {
        guard let text = p["symbol"] else { return book.config.symbols }
        guard let symbol = Symbol(validating: text), book.config.symbols.contains(symbol) else { return nil }
        return [symbol]
    }

    private static func instruments(_ p: [String: String], book: BybitSimBook, now: Millis) -> (Int64, String, JSONValue) {
        let list: [JSONValue] = (symbols(p, book: book) ?? []).compactMap { symbol in
            guard let rules = book.rules(symbol) else { return nil }
            let base = String(symbol.name.dropLast(4))
            return [
                "symbol": .string(symbol.name), "contractType": "LinearPerpetual", "status": "Trading", "baseCoin": .string(base),
                "quoteCoin": "USDT", "settleCoin": "USDT", "launchTime": "1585526400000", "deliveryTime": "0", "deliveryFeeRate": "",
                "priceScale": .string(String(rules.tickSize.decimalPlaces)), "unifiedMarginTrade": true, "fundingInterval": 480,
                "copyTrading": "both", "upperFundingRate": "0.00375", "lowerFundingRate": "-0.00375", "isPreListing": false,
                "symbolType": "", "preListingInfo": .null,
                "leverageFilter": ["minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"],
                "priceFilter": ["minPrice": .string(rules.tickSize.description), "maxPrice": "1999999.80",
                                "tickSize": .string(rules.tickSize.description)],
                "lotSizeFilter": ["maxOrderQty": "1190.000", "maxMktOrderQty": "500.000", "minOrderQty": .string(rules.minQty.description),
                                  "qtyStep": .string(rules.qtyStep.description), "postOnlyMaxOrderQty": "1190.000",
                                  "minNotionalValue": .string(rules.minNotional.description)],
                "riskParameters": ["priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"],
            ]
        }
        return (0, "OK", ["category": "linear", "list": .array(list), "nextPageCursor": ""])
    }

    private static func tickers(_ p: [String: String], book: BybitSimBook, now: Millis) -> (Int64, String, JSONValue) {
        let list: [JSONValue] = (symbols(p, book: book) ?? []).compactMap { symbol in
            guard let b = book.book(symbol) else { return nil }
            let mid = b.mid.description
            return [
                "symbol": .string(symbol.name), "bid1Price": .string(b.bestBid.description), "bid1Size": "10",
                "ask1Price": .string(b.bestAsk.description), "ask1Size": "10", "lastPrice": .string(mid), "markPrice": .string(mid),
                "indexPrice": .string(mid), "prevPrice24h": .string(mid), "price24hPcnt": "0", "highPrice24h": .string(mid),
                "lowPrice24h": .string(mid), "prevPrice1h": .string(mid), "openInterest": "0", "openInterestValue": "0",
                "turnover24h": "0", "volume24h": "0", "fundingRate": "0.0001", "nextFundingTime": "0", "predictedDeliveryPrice": "",
                "basisRate": "", "deliveryFeeRate": "", "deliveryTime": "0", "basis": "",
            ]
        }
        return (0, "OK", ["category": "linear", "list": .array(list)])
    }

    private static func orderbook(_ p: [String: String], book: BybitSimBook, now: Millis) -> (Int64, String, JSONValue) {
        guard p["symbol"] != nil, let symbol = symbols(p, book: book)?.first, let b = book.book(symbol), let rules = book.rules(symbol) else {
            return (10001, "params error: symbol invalid", [:])
        }
        let depth = min(max(Int(p["limit"] ?? "25") ?? 25, 1), 50)
        var bids: [JSONValue] = [], asks: [JSONValue] = []
        for level in 0..<depth {
            let offset = rules.tickSize * Int64(level)
            bids.append([.string((b.bestBid - offset).description), .string(String(10 + level))])
            asks.append([.string((b.bestAsk + offset).description), .string(String(10 + level))])
        }
        return (0, "OK", ["s": .string(symbol.name), "b": .array(bids), "a": .array(asks), "ts": .int(now), "u": .int(now / 100),
                          "seq": .int(now / 100), "cts": .int(now)])
    }

    private static func realtime(_ p: [String: String], book: BybitSimBook) -> (Int64, String, JSONValue) {
        guard p["symbol"] != nil || p["settleCoin"] != nil || p["baseCoin"] != nil || p["orderId"] != nil || p["orderLinkId"] != nil else {
            return (10001, "params error: linear needs symbol, baseCoin or settleCoin", [:])
        }
        guard let chosen = symbols(p, book: book) else { return (0, "OK", ["category": "linear", "list": [], "nextPageCursor": ""]) }
        let closed = p["openOnly"] == "1"
        let orders = book.listOrders(symbol: p["symbol"] == nil ? nil : chosen.first, orderId: p["orderId"], orderLinkId: p["orderLinkId"], closed: closed)
        let (page, cursor) = paginate(orders, p, maxLimit: 50, defaultLimit: 20)
        return (0, "OK", ["category": "linear", "list": .array(page.map(orderJSON)), "nextPageCursor": .string(cursor)])
    }

    private static func executions(_ p: [String: String], book: BybitSimBook) -> (Int64, String, JSONValue) {
        guard let chosen = symbols(p, book: book) else { return (0, "OK", ["category": "linear", "list": [], "nextPageCursor": ""]) }
        let list = book.listExecutions(symbol: p["symbol"] == nil ? nil : chosen.first, orderLinkId: p["orderLinkId"], orderId: p["orderId"],
                                       startTime: p["startTime"].flatMap { Int64($0) }, endTime: p["endTime"].flatMap { Int64($0) })
        let (page, cursor) = paginate(list, p, maxLimit: 100, defaultLimit: 50)
        let items: [JSONValue] = page.map { e in
            [
                "symbol": .string(e.symbol.name), "orderId": .string(e.orderId), "orderLinkId": .string(e.orderLinkId),
                "side": .string(e.side.venueName), "orderPrice": .string(e.orderPrice.description), "orderQty": .string(e.orderQty.description),
                "leavesQty": .string(e.leavesQty.description), "createType": "CreateByUser", "orderType": "Limit", "stopOrderType": "",
                "execFee": .string(e.fee.description), "execFeeV2": "", "execId": .string(e.execId), "execPrice": .string(e.price.description),
                "execQty": .string(e.qty.description), "execType": "Trade", "execValue": .string(e.price.multiplied(by: e.qty).description),
                "execTime": .string(String(e.time)), "feeCurrency": "USDT", "isMaker": .bool(e.isMaker), "feeRate": .string(e.feeRate.description),
                "tradeIv": "", "markIv": "", "markPrice": .string(e.price.description), "indexPrice": "", "underlyingPrice": "",
                "blockTradeId": "", "closedSize": "0", "seq": .int(e.seq), "extraFees": "",
            ]
        }
        return (0, "OK", ["category": "linear", "list": .array(items), "nextPageCursor": .string(cursor)])
    }

    private static func positions(_ p: [String: String], book: BybitSimBook) -> (Int64, String, JSONValue) {
        guard p["symbol"] != nil || p["settleCoin"] != nil else {
            return (10001, "params error: linear needs symbol or settleCoin", [:])
        }
        guard let chosen = symbols(p, book: book) else { return (0, "OK", ["category": "linear", "list": [], "nextPageCursor": ""]) }
        let list: [JSONValue] = chosen.map { symbol in
            let position = book.positions[symbol] ?? BybitSimBook.PositionState()
            let mark = book.book(symbol)?.mid ?? .zero
            let size = position.size.magnitude
            let side = position.size.isZero ? "" : (position.size.isNegative ? "Sell" : "Buy")
            let pnl = (mark - position.avgPrice).multiplied(by: position.size)
            return [
                "positionIdx": 0, "riskId": 1, "riskLimitValue": "2000000", "symbol": .string(symbol.name), "side": .string(side),
                "size": .string(size.description), "avgPrice": .string(position.avgPrice.description),
                "positionValue": .string(position.avgPrice.multiplied(by: size).description), "autoAddMargin": 0, "positionStatus": "Normal",
                "leverage": "10", "markPrice": .string(mark.description), "liqPrice": "", "bustPrice": "", "positionIM": "0",
                "positionMM": "0", "takeProfit": "0", "stopLoss": "0", "trailingStop": "0", "unrealisedPnl": .string(pnl.description),
                "curRealisedPnl": "0", "cumRealisedPnl": "0", "adlRankIndicator": 0, "createdTime": "0", "updatedTime": "0",
                "seq": 0, "isReduceOnly": false, "tradeMode": 0,
            ]
        }
        return (0, "OK", ["category": "linear", "list": .array(list), "nextPageCursor": ""])
    }

    private static func orderJSON(_ o: BybitSimBook.SimOrder) -> JSONValue {
        let avg = o.cumExecQty.isZero ? Fixed.zero : o.cumExecValue.divided(by: o.cumExecQty, rounding: .halfEven)
        let leaves = o.isOpen ? o.qty - o.cumExecQty : .zero
        return [
            "orderId": .string(o.orderId), "orderLinkId": .string(o.orderLinkId), "parentOrderLinkId": "", "blockTradeId": "",
            "symbol": .string(o.symbol.name), "price": .string(o.price.description), "qty": .string(o.qty.description),
            "side": .string(o.side.venueName), "isLeverage": "", "positionIdx": 0, "orderStatus": .string(o.status),
            "createType": "CreateByUser", "cancelType": .string(o.cancelType), "rejectReason": .string(o.rejectReason),
            "avgPrice": .string(avg.description), "leavesQty": .string(leaves.description),
            "leavesValue": .string(leaves.multiplied(by: o.price).description), "cumExecQty": .string(o.cumExecQty.description),
            "cumExecValue": .string(o.cumExecValue.description), "cumExecFee": .string(o.cumExecFee.description),
            "timeInForce": .string(o.timeInForce), "orderType": "Limit", "stopOrderType": "", "orderIv": "", "marketUnit": "",
            "triggerPrice": "0", "takeProfit": "0", "stopLoss": "0", "tpslMode": "", "ocoTriggerBy": "", "tpLimitPrice": "0",
            "slLimitPrice": "0", "tpTriggerBy": "", "slTriggerBy": "", "triggerDirection": 0, "triggerBy": "",
            "lastPriceOnCreated": .string(o.price.description), "basePrice": "", "reduceOnly": false, "closeOnTrigger": false,
            "placeType": "", "smpType": "None", "smpGroup": 0, "smpOrderId": "", "createdTime": .string(String(o.createdTime)),
            "updatedTime": .string(String(o.updatedTime)),
        ]
    }

    /// One page by offset; the cursor is percent-encoded like Bybit's (`offset%3D40`), and a
    /// client sends it back unchanged (the server decodes it to `offset=40`).
    private static func paginate<T>(_ items: [T], _ p: [String: String], maxLimit: Int, defaultLimit: Int) -> ([T], String) {
        let limit = min(max(Int(p["limit"] ?? "") ?? defaultLimit, 1), maxLimit)
        var offset = 0
        if let cursor = p["cursor"], cursor.hasPrefix("offset="), let n = Int(cursor.dropFirst(7)), n >= 0 { offset = n }
        guard offset < items.count else { return ([], "") }
        let end = min(items.count, offset + limit)
        return (Array(items[offset..<end]), end < items.count ? "offset%3D\(end)" : "")
    }
}
