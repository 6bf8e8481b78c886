import MMBotSupport

/// The execution loop's venue over Bybit v5 REST: places post-only limits with our client order
/// id as orderLinkId, cancels by orderLinkId, and turns /v5/execution/list into fills.
///
/// Never a duplicate order: when a creation's answer is lost (timeout, dropped connection, 5xx)
/// the order is looked up by its orderLinkId before anything is sent again, and a resend reuses
/// the same orderLinkId, which the venue refuses (110072) if the first one did land after all.
/// A post-only order the venue cancels on arrival (EC_PostOnlyWillTakeLiquidity) is confirmed
/// with a query and reported as a `post_only_would_take` reject.
package final class BybitExchangeClient: ExchangeClient {
    package let rest: BybitRESTClient
    private let logger: Logger
    private var seenExecutions: Set<String> = []
    /// The newest execTime seen; the next poll asks from here (a little earlier, for ties).
    private var lastExecTime: Int64?
    /// Fills read during a cancel (a fill that raced the cancel), handed out by the next poll.
    private var pending: [Fill] = []
    /// Quantity filled so far per orderLinkId, from the executions seen.
    private var filledByLink: [String: Fixed] = [:]
    /// Quantity of each order placed and not yet canceled, by orderLinkId.
    private var quantityByLink: [String: Fixed] = [:]
    private let startTime: Int64

    /// `startTime` bounds the first execution poll, so executions of earlier runs are ignored.
    package init(rest: BybitRESTClient, logger: Logger, startTime: Int64) {
        self.rest = rest
        self.logger = logger
        self.startTime = startTime
    }

    package var name: String { "bybit" }
    package var telemetry: VenueTelemetry { rest.telemetry }

    package func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome {
        let link = request.id.description
        quantityByLink[link] = request.quantity
        var attempts = 0
        while true {
            attempts += 1
            do {
                _ = try rest.createOrder(request)
            } catch {
                if let reason = BybitExchangeClient.rejectReason(retCode: error.retCode) {
                    if reason == .duplicateClientID, attempts > 1 {
                        // An earlier attempt did land after all: find out what became of it.
                        return try resolve(request, link: link, after: error)
                    }
                    return .rejected(reason)
                }
                guard error.kind.outcomeUnknown else { throw ExchangeError(error.message, fatal: error.kind == .auth) }
                if let outcome = try lookUp(request, link: link, after: error) { return outcome }
                guard attempts < rest.config.maxAttempts else {
                    throw ExchangeError("\(error.message); the order \(link) is not at the venue after \(attempts) attempts")
                }
                rest.telemetry.record(.createResends)
                logger.log(.warning, name: "mm.exchange", component: "bybit_client", event: "bybit_create_resend", [
                    ("client_order_id", .string(link)), ("attempt", .int(attempts + 1)), ("error", .string(error.message)),
                ])
                continue
            }
            guard request.postOnly else { return .accepted }
            return try confirmPostOnly(request, link: link)
        }
    }

    /// After a lost answer: the order's fate if the venue has it, nil if it never arrived.
    private func lookUp(_ request: OrderRequest, link: String, after error: BybitError) throws(ExchangeError) -> PlaceOutcome? {
        let found: BybitOrder?
        do {
            found = try rest.findOrder(symbol: request.symbol, orderLinkId: link)
        } catch {
            throw ExchangeError("\(error.message); the outcome of creating \(link) is unknown and the query by orderLinkId failed too")
        }
        guard let found else { return nil }
        rest.telemetry.record(.createsResolvedByQuery)
        logger.log(.warning, name: "mm.exchange", component: "bybit_client", event: "bybit_create_resolved_by_query", [
            ("client_order_id", .string(link)), ("order_status", .string(found.orderStatus)), ("error", .string(error.message)),
        ])
        return outcome(of: found)
    }

    private func resolve(_ request: OrderRequest, link: String, after error: BybitError) throws(ExchangeError) -> PlaceOutcome {
        guard let outcome = try lookUp(request, link: link, after: error) else {
            throw ExchangeError("the venue says \(link) is a duplicate orderLinkId but does not list it; reconcile before trading on")
        }
        return outcome
    }

    /// A post-only creation answered retCode 0: did it rest, or did the venue cancel it because
    /// it would have crossed?
    private func confirmPostOnly(_ request: OrderRequest, link: String) throws(ExchangeError) -> PlaceOutcome {
        let found: BybitOrder?
        do {
            found = try rest.findOrder(symbol: request.symbol, orderLinkId: link)
        } catch {
            // Accepted; whether it rests will show in fills, cancels and the next queries.
            logger.log(.warning, name: "mm.exchange", component: "bybit_client", event: "bybit_post_only_unconfirmed", [
                ("client_order_id", .string(link)), ("error", .string(error.message)),
            ])
            return .accepted
        }
        guard let found else { return .accepted }
        return outcome(of: found)
    }

    private func outcome(of order: BybitOrder) -> PlaceOutcome {
        if order.postOnlyWouldTake && order.cumExecQty.isZero {
            rest.telemetry.record(.postOnlyRejects)
            return .rejected(.postOnlyWouldTake)
        }
        if order.orderStatus == "Rejected" { return .rejected(.venueRejected) }
        return .accepted
    }

    package func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome {
        let link = id.description
        do {
            try rest.cancelOrder(symbol: symbol, orderLinkId: link)
        } catch {
            if let code = error.retCode, BybitExchangeClient.notOpenCodes.contains(code) { return .notOpen }
            throw ExchangeError(error.message, fatal: error.kind == .auth)
        }
        // A fill may have landed between the last poll and the cancel: read it now so the
        // loop applies it before it closes the order.
        do {
            try poll(symbol: nil)
        } catch {
            rest.telemetry.record(.fillPollErrors)
        }
        let quantity = quantityByLink.removeValue(forKey: link) ?? .zero
        let filled = filledByLink.removeValue(forKey: link) ?? .zero
        return .canceled(remaining: quantity - filled)
    }

    package func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) {
        do {
            try poll(symbol: nil)
        } catch {
            rest.telemetry.record(.fillPollErrors)
            buffer += pending
            pending.removeAll()
            throw ExchangeError(error.message, fatal: error.kind == .auth)
        }
        buffer += pending
        pending.removeAll()
    }

    /// Reads new executions into `pending`, oldest first, each once (deduplicated by execId).
    private func poll(symbol: Symbol?) throws(BybitError) {
        let since = lastExecTime.map { $0 - 1_000 } ?? startTime
        let executions = try rest.executions(since: since, symbol: symbol)
        let fresh = executions.filter { $0.execType == "Trade" && !seenExecutions.contains($0.execId) }
            .sorted { ($0.execTime, $0.execId) < ($1.execTime, $1.execId) }
        for execution in fresh {
            seenExecutions.insert(execution.execId)
            lastExecTime = max(lastExecTime ?? execution.execTime, execution.execTime)
            let filled = filledByLink[execution.orderLinkId, default: .zero] + execution.execQty
            if let quantity = quantityByLink[execution.orderLinkId], filled >= quantity {
                quantityByLink[execution.orderLinkId] = nil
                filledByLink[execution.orderLinkId] = nil
            } else {
                filledByLink[execution.orderLinkId] = filled
            }
            guard let id = ClientOrderID(execution.orderLinkId) else {
                logger.log(.warning, name: "mm.exchange", component: "bybit_client", event: "bybit_foreign_execution", [
                    ("order_link_id", .string(execution.orderLinkId)), ("exec_id", .string(execution.execId)),
                ])
                continue
            }
            pending.append(Fill(orderID: id, symbol: execution.symbol, side: execution.side, price: execution.execPrice,
                                quantity: execution.execQty, time: execution.execTime, isMaker: execution.isMaker,
                                execID: BybitExchangeClient.execNumber(execution.execId)))
        }
    }

    /// Our open orders at the venue (GET /v5/order/realtime per symbol); orders whose
    /// orderLinkId is not one of ours are left out.
    package func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder] {
        var out: [VenueOrder] = []
        for symbol in symbols {
            let orders: [BybitOrder]
            do {
                orders = try rest.orders(symbol: symbol)
            } catch {
                throw ExchangeError(error.message, fatal: error.kind == .auth)
            }
            for order in orders where order.isOpen {
                guard let id = ClientOrderID(order.orderLinkId) else { continue }
                out.append(VenueOrder(id: id, symbol: order.symbol, side: order.side, price: order.price, quantity: order.qty,
                                      filled: order.cumExecQty))
            }
        }
        return out.sorted { $0.id < $1.id }
    }

    /// Bybit's execId (a UUID string) as the 64-bit execution number a fill's idempotency key
    /// carries: FNV-1a of its bytes.
    package static func execNumber(_ execId: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in execId.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// retCodes that mean "no such open order": already filled, canceled, or unknown.
    package static let notOpenCodes: Set<Int64> = [110001, 110008, 110010, 170213, 170139, 170142]

    /// The reject reason for a retCode that refuses the order itself (reference facts A3); nil
    /// for codes that are failures rather than refusals.
    package static func rejectReason(retCode: Int64?) -> RejectReason? {
        switch retCode {
        case 110004, 110006, 110007, 110012, 110044, 110045, 170131: return .venueRejected
        case 110017, 170136, 170137: return .invalidQuantity
        case 110094, 170140: return .belowMinNotional
        case 110072, 170141: return .duplicateClientID
        case 110003, 110120, 110121, 30208, 30209, 170132, 170133, 170134: return .invalidPrice
        case 170218: return .postOnlyWouldTake
        default: return nil
        }
    }
}
