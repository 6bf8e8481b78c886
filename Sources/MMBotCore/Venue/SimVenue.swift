import MMBotSupport

/// A placement as the venue receives it.
package struct OrderRequest: Sendable, Equatable {
    package let id: ClientOrderID
    package let symbol: Symbol
    package let side: Side
    package let price: Fixed
    package let quantity: Fixed
    package let postOnly: Bool
    package let time: Millis

    package init(id: ClientOrderID, symbol: Symbol, side: Side, price: Fixed, quantity: Fixed, postOnly: Bool, time: Millis) {
        self.id = id
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.postOnly = postOnly
        self.time = time
    }
}

package enum PlaceOutcome: Sendable, Equatable {
    case accepted
    case rejected(RejectReason)
}

package enum CancelOutcome: Sendable, Equatable {
    /// The order was resting and is now canceled; `remaining` was still unfilled.
    case canceled(remaining: Fixed)
    /// The venue has no open order with that id (already filled, canceled or never accepted).
    case notOpen
}

/// The simulated matching venue behind both the in-process fake exchange and the
/// `exchange-sim` server.
///
/// Fill model (docs/shadow-engine.md): at placement an order is refused with probability
/// `rejectRate`; a post-only order priced through the opposite touch is refused as
/// `post_only_would_take`, a plain limit order there takes liquidity and fills in full at the
/// touch `latencyMs` later (taker). Otherwise it rests, and with probability `fillRate` it is
/// scheduled to fill as maker at placement + `latencyMs`; with probability `partialFillRate`
/// that fill comes in two parts, a random 20–80 % of the quantity (rounded down to the step)
/// first and the rest `latencyMs` later. A cancel that arrives before a scheduled part removes
/// it. Every draw comes from one seeded stream (`venue`), in placement order.
package final class SimVenue {
    package struct RestingOrder: Sendable, Equatable {
        package let request: OrderRequest
        package var filled: Fixed
        package var remaining: Fixed { request.quantity - filled }
    }

    struct FillEvent: Comparable, Sendable {
        let time: Millis
        let sequence: UInt64
        let id: ClientOrderID
        let quantity: Fixed
        let price: Fixed
        let isMaker: Bool
        static func < (a: FillEvent, b: FillEvent) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
        static func == (a: FillEvent, b: FillEvent) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    package let config: VenueConfig
    private let market: SyntheticMarket
    private let symbolIndex: FastMap<Symbol, Int>
    private let rules: [InstrumentRules]
    // Internal (not private) for SimVenue+Persistence.swift, which saves and restores them.
    var resting = FastMap<ClientOrderID, RestingOrder>(capacity: 64)
    var events = MinHeap<FillEvent>()
    var eventSequence: UInt64 = 0
    var rng: SeededRandom
    /// Set in durable shadow runs: records every change so a restart finds the same venue.
    package var journal: VenueStore?
    private let logger: Logger
    private static let partLow = Fixed(units: 2, decimals: 1)
    private static let partHigh = Fixed(units: 8, decimals: 1)

    package init(config: VenueConfig, market: SyntheticMarket, seed: UInt64, logger: Logger) {
        self.config = config
        self.market = market
        var index = FastMap<Symbol, Int>()
        for (i, symbol) in market.symbols.enumerated() { index[symbol] = i }
        symbolIndex = index
        rules = market.symbols.map { InstrumentCatalog.entry(for: $0).rules }
        rng = SeededRandom(seed: seed, stream: "venue")
        self.logger = logger
    }

    /// Orders resting now, sorted by id.
    package var openOrders: [RestingOrder] {
        resting.pairs.map(\.1).sorted { $0.request.id < $1.request.id }
    }

    package func place(_ request: OrderRequest) -> PlaceOutcome {
        let outcome = decide(request)
        journal?.recordPlace(request, outcome, rng: rng.state)
        return outcome
    }

    private func decide(_ request: OrderRequest) -> PlaceOutcome {
        guard let index = symbolIndex[request.symbol] else { return .rejected(.unknownSymbol) }
        guard resting[request.id] == nil else { return .rejected(.duplicateClientID) }
        let rule = rules[index]
        guard request.price.raw > 0, request.price.isMultiple(of: rule.tickSize) else { return .rejected(.invalidPrice) }
        guard request.quantity >= rule.minQty, request.quantity.isMultiple(of: rule.qtyStep) else {
            return .rejected(.invalidQuantity)
        }
        guard request.price.multiplied(by: request.quantity) >= rule.minNotional else { return .rejected(.belowMinNotional) }
        if rng.chance(config.rejectRate) { return .rejected(.venueRejected) }

        let book = market.snapshot(index)
        let crosses = request.side == .buy ? request.price >= book.bestAsk : request.price <= book.bestBid
        if crosses {
            if request.postOnly { return .rejected(.postOnlyWouldTake) }
            let touch = request.side == .buy ? book.bestAsk : book.bestBid
            resting.insert(request.id, RestingOrder(request: request, filled: .zero))
            schedule(request.id, quantity: request.quantity, price: touch, at: request.time + config.latencyMs, isMaker: false)
            return .accepted
        }

        resting.insert(request.id, RestingOrder(request: request, filled: .zero))
        guard rng.chance(config.fillRate) else { return .accepted }
        let fillAt = request.time + config.latencyMs
        var first = request.quantity
        if rng.chance(config.partialFillRate) {
            let share = rng.fixed(in: SimVenue.partLow, SimVenue.partHigh)
            first = request.quantity.multiplied(by: share, rounding: .down).rounded(toMultipleOf: rule.qtyStep, .down)
            if first.raw <= 0 { first = request.quantity }
        }
        schedule(request.id, quantity: first, price: request.price, at: fillAt, isMaker: true)
        if first < request.quantity {
            schedule(request.id, quantity: request.quantity - first, price: request.price, at: fillAt + config.latencyMs, isMaker: true)
        }
        if logger.isEnabled(.info) {
            logger.log(.info, name: "mm.exchange", component: "fake_exchange", event: "order_placed_scheduled_fill", [
                ("client_order_id", .string(request.id.description)), ("symbol", .string(request.symbol.name)),
                ("side", .string(request.side.rawValue)), ("fill_at_ms", .int(fillAt)),
                ("parts", .int(first < request.quantity ? 2 : 1)),
            ])
        }
        return .accepted
    }

    package func cancel(_ id: ClientOrderID) -> CancelOutcome {
        guard let order = resting.removeValue(forKey: id) else { return .notOpen }
        journal?.recordCancel(id)
        return .canceled(remaining: order.remaining)
    }

    /// Delivers every fill due at or before `time`, in time order, appending to `fills`.
    package func advance(to time: Millis, into fills: inout [Fill]) {
        while let next = events.min, next.time <= time {
            events.pop()
            journal?.recordPop(next.sequence)
            guard var order = resting[next.id] else { continue }  // canceled before this part was due
            let quantity = min(next.quantity, order.remaining)
            guard quantity.raw > 0 else { continue }
            order.filled += quantity
            if order.remaining.raw == 0 {
                resting.removeValue(forKey: next.id)
            } else {
                resting.insert(next.id, order)
            }
            let request = order.request
            fills.append(Fill(orderID: request.id, symbol: request.symbol, side: request.side, price: next.price,
                              quantity: quantity, time: next.time, isMaker: next.isMaker, execID: next.sequence))
            if logger.isEnabled(.info) {
                logger.log(.info, name: "mm.exchange", component: "fake_exchange", event: "fill_generated", [
                    ("client_order_id", .string(request.id.description)), ("symbol", .string(request.symbol.name)),
                    ("side", .string(request.side.rawValue)), ("price", .decimal(next.price)),
                    ("qty", .decimal(quantity)), ("is_maker", .bool(next.isMaker)),
                ])
            }
        }
    }

    private func schedule(_ id: ClientOrderID, quantity: Fixed, price: Fixed, at time: Millis, isMaker: Bool) {
        eventSequence += 1
        let event = FillEvent(time: time, sequence: eventSequence, id: id, quantity: quantity, price: price, isMaker: isMaker)
        events.push(event)
        journal?.scheduled.append(event)
    }
}
