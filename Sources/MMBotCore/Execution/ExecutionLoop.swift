import MMBotSupport

/// The shadow engine: steps virtual time, quotes each symbol, applies fills, checks risk and
/// edge, freezes and cancels, and at the end cancels what is left.
///
/// One iteration at time t = start + i × tick:
/// 1. the market steps (from the second iteration on) and marks are refreshed;
/// 2. fills due by t are collected from the venue and applied;
/// 3. unless frozen, each symbol's bid and ask are (re)quoted: a resting quote whose price is
///    no longer the planned one is canceled (`requote`) and replaced, subject to the minimums
///    and the risk limits;
/// 4. each symbol's edge is updated; the first one below the threshold freezes the bot and
///    cancels every open order (`freeze`); with a resume level, the bot unfreezes once every
///    edge is back at or above it.
/// After the last iteration (or a stop request) the clock moves to start + n × tick, due fills
/// are applied and every open order is canceled (`shutdown`).
///
/// With durable state (`durableState`), every mutation is recorded around its venue call and the
/// iteration's records are committed at its end (ExecutionLoop+Durable.swift).
package final class ExecutionLoop {
    /// One symbol's state, as the report reads it.
    package struct SymbolState: Sendable {
        package let symbol: Symbol
        package let position: Fixed
        package let bid: Order?
        package let ask: Order?
        package let mark: Fixed
        package let edgeBps: Fixed
        package let counters: SymbolCounters
    }

    package let config: EngineConfig
    package private(set) var counters = RunCounters()
    package let risk: RiskMonitor
    package private(set) var iterationsCompleted = 0
    package private(set) var stopSignalNumber: Int32 = 0
    /// Told after each iteration and once after shutdown (the observability snapshot).
    package var observer: (any ExecutionObserver)?

    // Per-symbol state as parallel arrays indexed by the symbol's position in config.symbols:
    // the hot loop touches a few fields at a time and never copies a whole record.
    private let instruments: [Symbol]
    private var rules: [InstrumentRules]
    /// Each symbol's best bid and ask this iteration, read once from the market source.
    private var books: [MarketSnapshot]
    private var positions: [Fixed]
    // Internal (not private) for recovery's adoption in ExecutionLoop+Durable.swift.
    var bids: [Order?]
    var asks: [Order?]
    private var marks: [Fixed]
    private var edgeValues: [Fixed]
    private var exposureUSD: [Fixed]
    private var symbolCounters: [SymbolCounters]

    private let market: any MarketSource
    /// Venue runs: the system clock and the venue's filters (nil in virtual-time shadow runs).
    private let venueTime: VenueTime?
    private var edges: EdgeModel
    let exchange: any ExchangeClient
    private let planner: QuotePlanner
    let clock: RunClock
    let logger: Logger
    private let pacer: any Pacer
    private let stop: StopSignal
    var symbolIndex = FastMap<Symbol, Int>()
    private var totalExposureUSD = Fixed.zero
    private var nextSequence: UInt64 = 1
    private let session: UInt32
    private var fillBuffer: [Fill] = []
    /// Durable order state (`--durable-state`), or nil: then nothing is recorded.
    package let durableState: DurableState?
    /// Set when the durable store failed: the loop stopped quoting and canceled its orders.
    var haltedByState = false
    /// Set when the venue refused our credentials (a fatal `ExchangeError`): the loop stops
    /// quoting and ends the run; the CLI exits 1 with this reason.
    package private(set) var venueHaltReason: String?

    package init(config: EngineConfig, market: any MarketSource, exchange: any ExchangeClient, clock: RunClock,
                 logger: Logger, pacer: any Pacer, stop: StopSignal, venueTime: VenueTime? = nil, durableState: DurableState? = nil) {
        self.config = config
        self.market = market
        self.venueTime = venueTime
        self.exchange = exchange
        self.clock = clock
        self.logger = logger
        self.pacer = pacer
        self.stop = stop
        edges = EdgeModel(symbols: config.symbols, iterations: config.iterations, seed: config.seed)
        planner = QuotePlanner(offsetBps: config.postOnlyOffsetBps, notionalUSD: config.orderNotionalUSD)
        risk = RiskMonitor(limits: config.limits)
        self.durableState = durableState
        session = durableState?.session ?? config.orderSession
        instruments = config.symbols
        rules = config.symbols.map { InstrumentCatalog.entry(for: $0).rules }
        let n = config.symbols.count
        books = Array(repeating: MarketSnapshot(bestBid: .zero, bestAsk: .zero), count: n)
        positions = Array(repeating: .zero, count: n)
        bids = Array(repeating: nil, count: n)
        asks = Array(repeating: nil, count: n)
        marks = Array(repeating: .zero, count: n)
        edgeValues = Array(repeating: .zero, count: n)
        exposureUSD = Array(repeating: .zero, count: n)
        symbolCounters = Array(repeating: SymbolCounters(), count: n)
        for (index, symbol) in config.symbols.enumerated() { symbolIndex[symbol] = index }
        fillBuffer.reserveCapacity(16)
    }

    /// The run's last instant: start + iterations completed × tick (venue runs: the clock at the end).
    package var endTime: Millis {
        if venueTime?.now != nil { return finishedAt ?? clock.now }
        return config.startTime + Int64(iterationsCompleted) * config.tickMs
    }
    private var finishedAt: Millis?

    /// Every symbol's state, in `config.symbols` order.
    package var symbols: [SymbolState] {
        instruments.indices.map {
            SymbolState(symbol: instruments[$0], position: positions[$0], bid: bids[$0], ask: asks[$0], mark: marks[$0],
                        edgeBps: edgeValues[$0], counters: symbolCounters[$0])
        }
    }

    /// Open orders now, sorted by id.
    package var openOrders: [Order] {
        (bids + asks).compactMap { $0 }.sorted { $0.id < $1.id }
    }

    @inline(__always)
    private func exposure(_ s: Int) -> Exposure {
        Exposure(position: positions[s], openBuy: bids[s]?.remainingQuantity ?? .zero, openSell: asks[s]?.remainingQuantity ?? .zero)
    }

    /// Runs every iteration (or until a stop request), then shuts down.
    package func run() throws(IllegalTransition) {
        clock.now = venueTime?.now?() ?? config.startTime
        refreshRules()
        refreshMarks()
        if durableState != nil { try startDurable() }
        for index in 0..<config.iterations where !haltedByState && venueHaltReason == nil {
            if pacer.waitForIteration(index) { break }
            try iterate(index)
            iterationsCompleted += 1
            observer?.loopDidIterate(self)
        }
        stopSignalNumber = stop.signalNumber
        try shutdown()
        observer?.loopDidFinish(self)
    }

    private func iterate(_ index: Int) throws(IllegalTransition) {
        clock.now = venueTime?.now?() ?? config.startTime + Int64(index) * config.tickMs
        if index > 0 {
            market.step(to: clock.now)
            refreshRules()
            refreshMarks()
        }
        try collectFills()
        if risk.isFrozen {
            counters.iterationsFrozen += 1
        } else {
            for s in instruments.indices where venueHaltReason == nil {
                try quote(s, .buy)
                try quote(s, .sell)
            }
        }
        try updateEdges(index)
        if durableState != nil { try commitDurable() }
    }

    // MARK: Marks and exposure

    private func refreshMarks() {
        totalExposureUSD = .zero
        for s in instruments.indices {
            books[s] = market.snapshot(s)
            marks[s] = books[s].mid
            let value = exposure(s).worstCaseNotional(mark: marks[s])
            exposureUSD[s] = value
            totalExposureUSD += value
        }
    }

    /// Venue runs: each symbol's rules from the filter cache (served or refetched per its TTL).
    private func refreshRules() {
        guard let venueTime else { return }
        for s in instruments.indices { rules[s] = venueTime.rules(instruments[s], clock.now) }
    }

    @inline(__always)
    func refreshExposure(_ s: Int) {
        let value = exposure(s).worstCaseNotional(mark: marks[s])
        totalExposureUSD += value - exposureUSD[s]
        exposureUSD[s] = value
    }

    // MARK: Fills

    private func collectFills() throws(IllegalTransition) {
        fillBuffer.removeAll(keepingCapacity: true)
        do {
            try exchange.fills(upTo: clock.now, into: &fillBuffer)
        } catch {
            logger.log(.error, name: "mm.execution", component: "execution_loop", event: "fill_poll_error", [("error", .string(error.message))])
            haltIfFatal(error)
            return
        }
        for fill in fillBuffer { try apply(fill) }
    }

    private func apply(_ fill: Fill) throws(IllegalTransition) {
        if let durableState, durableState.isDuplicate(fill) { return }
        guard let s = symbolIndex[fill.symbol] else { return }
        let resting = fill.side == .buy ? bids[s] : asks[s]
        guard var order = resting, order.id == fill.orderID else {
            logger.log(.warning, name: "mm.execution", component: "execution_loop", event: "fill_for_unknown_order", [
                ("client_order_id", .string(fill.orderID.description)), ("symbol", .string(fill.symbol.name)),
            ])
            return
        }
        try order.applyFill(fill.quantity, at: fill.time)
        durableState?.didApplyFill(fill, order: order)
        let notional = fill.price.multiplied(by: fill.quantity)
        positions[s] += fill.quantity * fill.side.sign
        if fill.side == .buy {
            symbolCounters[s].boughtQty += fill.quantity
            symbolCounters[s].cashFlowUSD -= notional
        } else {
            symbolCounters[s].soldQty += fill.quantity
            symbolCounters[s].cashFlowUSD += notional
        }
        symbolCounters[s].fills += 1
        counters.fills += 1
        if fill.isMaker { counters.makerFills += 1 } else { counters.takerFills += 1 }
        let done = order.state == .filled
        if done {
            counters.filled += 1
            symbolCounters[s].filled += 1
        } else {
            counters.partialFills += 1
        }
        if fill.side == .buy { bids[s] = done ? nil : order } else { asks[s] = done ? nil : order }
        refreshExposure(s)
        if logger.isEnabled(.info) {
            logger.log(.info, name: "mm.execution", component: "execution_loop", event: "order_filled", [
                ("client_order_id", .string(fill.orderID.description)), ("symbol", .string(fill.symbol.name)),
                ("side", .string(fill.side.rawValue)), ("price", .decimal(fill.price)), ("qty", .decimal(fill.quantity)),
                ("is_maker", .bool(fill.isMaker)), ("complete", .bool(done)), ("position", .decimal(positions[s])),
            ])
        }
    }

    // MARK: Quoting

    private func quote(_ s: Int, _ side: Side) throws(IllegalTransition) {
        guard venueHaltReason == nil else { return }
        let plan = planner.plan(side, market: books[s], rules: rules[s])
        let existing = side == .buy ? bids[s] : asks[s]
        if let existing {
            if existing.price == plan.price { return }
            try cancel(s, side, reason: .requote)
        }
        if let reason = plan.blocked {
            block(s, side, plan, reason)
            return
        }
        var others = totalExposureUSD - exposureUSD[s]
        if others.isNegative { others = .zero }
        if let reason = risk.check(side: side, price: plan.price, quantity: plan.quantity, mark: marks[s],
                                   exposure: exposure(s), otherSymbolsUSD: others) {
            block(s, side, plan, reason)
            return
        }
        try place(s, plan)
    }

    private func block(_ s: Int, _ side: Side, _ plan: PlannedQuote, _ reason: BlockReason) {
        counters.blockedByReason[reason] += 1
        symbolCounters[s].blockedByReason[reason] += 1
        if logger.isEnabled(.info) {
            logger.log(.info, name: "mm.risk", component: "risk_monitor", event: "risk_check_blocked", [
                ("symbol", .string(instruments[s].name)), ("side", .string(side.rawValue)), ("reason", .string(reason.rawValue)),
                ("price", .decimal(plan.price)), ("qty", .decimal(plan.quantity)), ("position", .decimal(positions[s])),
            ])
        }
    }

    private func place(_ s: Int, _ plan: PlannedQuote) throws(IllegalTransition) {
        let id = ClientOrderID(session: session, sequence: nextSequence)
        nextSequence += 1
        let symbol = instruments[s]
        var order = Order(id: id, symbol: symbol, side: plan.side, price: plan.price, quantity: plan.quantity,
                          postOnly: config.makerOnly, createdAt: clock.now)
        if let durableState, durableState.willPlace(order) != nil { return }
        let outcome: PlaceOutcome
        do {
            outcome = try exchange.place(OrderRequest(id: id, symbol: symbol, side: plan.side, price: plan.price,
                                                      quantity: plan.quantity, postOnly: config.makerOnly, time: clock.now))
        } catch {
            counters.placementErrors += 1
            logger.log(.error, name: "mm.execution", component: "execution_loop", event: "order_placement_error", [
                ("client_order_id", .string(id.description)), ("symbol", .string(symbol.name)), ("error", .string(error.message)),
            ])
            haltIfFatal(error)
            return
        }
        switch outcome {
        case .accepted:
            try order.transition(to: .open, at: clock.now)
            durableState?.didPlace(order, .accepted)
            counters.placed += 1
            symbolCounters[s].placed += 1
            if plan.side == .buy { bids[s] = order } else { asks[s] = order }
            refreshExposure(s)
            if logger.isEnabled(.info) {
                logger.log(.info, name: "mm.execution", component: "execution_loop", event: "order_placed", [
                    ("client_order_id", .string(id.description)), ("symbol", .string(symbol.name)),
                    ("side", .string(plan.side.rawValue)), ("price", .decimal(plan.price)), ("qty", .decimal(plan.quantity)),
                    ("post_only", .bool(config.makerOnly)),
                ])
            }
        case .rejected(let reason):
            try order.transition(to: .rejected, at: clock.now)
            durableState?.didPlace(order, .rejected(reason))
            counters.rejectedByReason[reason] += 1
            symbolCounters[s].rejectedByReason[reason] += 1
            if logger.isEnabled(.warning) {
                logger.log(.warning, name: "mm.execution", component: "execution_loop", event: "order_rejected", [
                    ("client_order_id", .string(id.description)), ("symbol", .string(symbol.name)),
                    ("side", .string(plan.side.rawValue)), ("price", .decimal(plan.price)), ("qty", .decimal(plan.quantity)),
                    ("reason", .string(reason.rawValue)),
                ])
            }
        }
    }

    /// A fatal venue error (refused credentials) ends the run: no later request could succeed.
    private func haltIfFatal(_ error: ExchangeError) {
        guard error.fatal, venueHaltReason == nil else { return }
        venueHaltReason = error.message
        logger.log(.error, name: "mm.execution", component: "execution_loop", event: "venue_refused_credentials", [
            ("error", .string(error.message)), ("action", .string("stopped quoting; ending the run")),
        ])
    }

    // MARK: Cancels

    /// Cancels the open order on `side` of symbol `s`, if any. Returns whether one was canceled.
    @discardableResult
    private func cancel(_ s: Int, _ side: Side, reason: CancelReason) throws(IllegalTransition) -> Bool {
        guard var order = side == .buy ? bids[s] : asks[s] else { return false }
        if let durableState, durableState.willCancel(order, reason: reason.rawValue) != nil { return false }
        let outcome: CancelOutcome
        do {
            outcome = try exchange.cancel(order.id, symbol: order.symbol, at: clock.now)
        } catch {
            counters.cancelErrors += 1
            logger.log(.error, name: "mm.execution", component: "execution_loop", event: "order_cancel_error", [
                ("client_order_id", .string(order.id.description)), ("symbol", .string(order.symbol.name)),
                ("error", .string(error.message)),
            ])
            haltIfFatal(error)
            return false
        }
        let unseenFill: Bool
        switch outcome {
        case .notOpen: unseenFill = true
        case .canceled(let remaining): unseenFill = remaining < order.remainingQuantity
        }
        if unseenFill {
            // The venue no longer has it, or filled some of it since the last poll: its fills
            // are on the way. Collect them before moving on.
            try collectFills()
            let still = side == .buy ? bids[s] : asks[s]
            guard let still, still.id == order.id else {
                durableState?.didCancel(nil, id: order.id, .notOpen, reason: reason.rawValue)
                return false
            }
            order = still
        }
        try order.transition(to: .canceled, at: clock.now)
        durableState?.didCancel(order, id: order.id, .canceled, reason: reason.rawValue)
        counters.canceledByReason[reason] += 1
        symbolCounters[s].canceledByReason[reason] += 1
        if side == .buy { bids[s] = nil } else { asks[s] = nil }
        refreshExposure(s)
        if logger.isEnabled(.info) {
            logger.log(.info, name: "mm.execution", component: "execution_loop", event: "order_canceled", [
                ("client_order_id", .string(order.id.description)), ("symbol", .string(order.symbol.name)),
                ("side", .string(side.rawValue)), ("reason", .string(reason.rawValue)),
                ("filled_qty", .decimal(order.filledQuantity)),
            ])
        }
        return true
    }

    /// Cancels every open order once. Calling it again cancels nothing: canceled orders are no
    /// longer tracked as open. With durable state the call is keyed by `reason` and `number`
    /// (the freeze event's number for freezes): a repeat returns the first count and sends nothing.
    @discardableResult
    package func cancelAll(reason: CancelReason, number: Int = 1) throws(IllegalTransition) -> Int {
        if let durableState, let first = durableState.willCancelAll(reason: reason, number: number) { return first }
        var count = 0
        for s in instruments.indices {
            if try cancel(s, .buy, reason: reason) { count += 1 }
            if try cancel(s, .sell, reason: reason) { count += 1 }
        }
        logger.log(.info, name: "mm.execution", component: "execution_loop", event: "cancel_all_done", [
            ("reason", .string(reason.rawValue)), ("canceled", .int(count)),
        ])
        durableState?.didCancelAll(reason: reason, number: number, count: count)
        return count
    }

    // MARK: Edge and freeze

    private func updateEdges(_ index: Int) throws(IllegalTransition) {
        for s in instruments.indices {
            let edge = edges.next(symbol: s, iteration: index)
            edgeValues[s] = edge
            switch risk.onEdge(symbol: instruments[s], edgeBps: edge, iteration: index, time: clock.now) {
            case .none, .repeatedTrigger:
                continue
            case .froze(let record):
                logger.log(.warning, name: "mm.risk", component: "risk_monitor", event: "freeze_triggered", [
                    ("symbol", .string(record.symbol.name)), ("edge_bps", .decimal(record.edgeBps)),
                    ("threshold_bps", .decimal(record.thresholdBps)), ("iteration", .int(index)),
                    ("reason", .string(FreezeRecord.reason)),
                ])
                try cancelAll(reason: .freeze, number: risk.freezeEvents)
                durableState?.requestSnapshot()
            }
        }
        if risk.isFrozen, config.limits.resumeEdgeBps != nil, risk.maybeResume(edges: edgeValues) {
            logger.log(.warning, name: "mm.risk", component: "risk_monitor", event: "freeze_released", [
                ("iteration", .int(index)), ("resume_edge_bps", .decimal(config.limits.resumeEdgeBps ?? .zero)),
            ])
        }
    }

    // MARK: Shutdown

    private func shutdown() throws(IllegalTransition) {
        clock.now = venueTime?.now?() ?? endTime
        if haltedByState { return }
        try collectFills()
        try cancelAll(reason: .shutdown)
        if venueTime?.now != nil { finishedAt = clock.now }
        if let durableState {
            durableState.requestSnapshot()
            try commitDurable()
        }
    }
}
