import MMBotSupport

/// The program's version, printed by `mmbot --version` and in every report's runtime.version.
package enum MMBotVersion {
    package static let current = "0.1.0"
}

/// Builds the run report: one canonical JSON document (docs/report.md is its schema).
package enum RunReport {
    package struct Runtime: Sendable {
        /// runtime.utc: MM_FREEZE_UTC_ISO when set, else the wall clock at start.
        package let utc: String
        package init(utc: String) { self.utc = utc }
    }

    /// What a Bybit run adds: `execution.network_mode`, `execution.warmup_filters`, and the
    /// top-level `bybit` and `filters` sections.
    package struct Venue: Sendable {
        package let networkMode: NetworkMode
        package let warmupFilters: Bool
        package let bybit: JSONValue
        package let filters: JSONValue
        package init(networkMode: NetworkMode, warmupFilters: Bool, bybit: JSONValue, filters: JSONValue) {
            self.networkMode = networkMode
            self.warmupFilters = warmupFilters
            self.bybit = bybit
            self.filters = filters
        }
    }

    package static func build(loop: ExecutionLoop, runtime: Runtime, venue: Venue? = nil) -> JSONValue {
        let config = loop.config
        let counters = loop.counters
        let open = loop.openOrders

        var bySymbolOrders: [String: JSONValue] = [:]
        var positions: [String: JSONValue] = [:]
        var netUSD: [String: JSONValue] = [:]
        var marks: [String: JSONValue] = [:]
        var pnl: [String: JSONValue] = [:]
        var edges: [String: JSONValue] = [:]
        var totalNotional = Fixed.zero
        var totalPnl = Fixed.zero
        for state in loop.symbols {
            let name = state.symbol.name
            let c = state.counters
            bySymbolOrders[name] = [
                "placed": .int(c.placed), "filled": .int(c.filled), "canceled": .int(c.canceled),
                "rejected": .int(c.rejected), "fills": .int(c.fills), "risk_blocks": .int(c.riskBlocks),
                "bought_qty": .decimal(c.boughtQty), "sold_qty": .decimal(c.soldQty),
            ]
            let value = state.position.multiplied(by: state.mark)
            positions[name] = .decimal(state.position)
            netUSD[name] = .decimal(value)
            marks[name] = .decimal(state.mark)
            let symbolPnl = c.cashFlowUSD + value
            pnl[name] = .decimal(symbolPnl)
            edges[name] = .decimal(state.edgeBps)
            totalNotional += value.magnitude
            totalPnl += symbolPnl
        }

        let freeze = loop.risk.lastFreeze
        let trigger: JSONValue = freeze.map {
            [
                "symbol": .string($0.symbol.name), "edge_bps": .decimal($0.edgeBps), "threshold_bps": .decimal($0.thresholdBps),
                "iteration": .int($0.iteration), "time_ms": .int($0.time), "reason": .string(FreezeRecord.reason),
            ]
        } ?? .null

        let execution: JSONValue = [
            "iterations": .int(loop.iterationsCompleted),
            "iterations_requested": .int(config.iterations),
            "symbols": .array(config.symbols.map { .string($0.name) }),
            "start_time_ms": .int(config.startTime),
            "end_time_ms": .int(loop.endTime),
            "duration_ms": .int(loop.endTime - config.startTime),
            "tick_ms": .int(config.tickMs),
            "mode": .string(config.mode.rawValue),
            "exchange": .string(config.exchange),
            "network": .bool((venue?.networkMode ?? .off) != .off),
            "network_mode": .string((venue?.networkMode ?? .off).rawValue),
            "warmup_filters": .bool(venue?.warmupFilters ?? false),
            "pace": .string(config.pace.rawValue),
            "interrupted": .bool(loop.stopSignalNumber != 0),
            "stop_signal": loop.stopSignalNumber == 0 ? .null : .string(signalName(loop.stopSignalNumber)),
        ]

        let orders: JSONValue = [
            "placed": .int(counters.placed),
            "filled": .int(counters.filled),
            "rejected": .int(counters.rejected),
            "canceled": .int(counters.canceled),
            "open": .int(open.count),
            "risk_blocks": .int(counters.riskBlocks),
            "fills": .int(counters.fills),
            "partial_fills": .int(counters.partialFills),
            "maker_fills": .int(counters.makerFills),
            "taker_fills": .int(counters.takerFills),
            "placement_errors": .int(counters.placementErrors),
            "cancel_errors": .int(counters.cancelErrors),
            "canceled_by_reason": counts(CancelReason.allCases, counters.canceledByReason),
            "blocked_by_reason": counts(BlockReason.allCases, counters.blockedByReason),
            "rejected_by_reason": counts(RejectReason.allCases, counters.rejectedByReason),
            "open_orders": .array(open.map(orderJSON)),
            "by_symbol": .object(bySymbolOrders),
        ]

        let risk: JSONValue = [
            "frozen": .bool(loop.risk.isFrozen),
            "freeze_events": .int(loop.risk.freezeEvents),
            "freezes_total": .int(loop.risk.freezeTriggers),
            "unfreeze_events": .int(loop.risk.unfreezeEvents),
            "last_freeze_reason": freeze == nil ? .null : .string(FreezeRecord.reason),
            "last_freeze_symbol": freeze.map { .string($0.symbol.name) } ?? .null,
            "freeze_trigger": trigger,
            "latched": .bool(loop.risk.isFrozen && config.limits.resumeEdgeBps == nil),
            "blocks_total": .int(counters.riskBlocks),
            "iterations_frozen": .int(counters.iterationsFrozen),
            "edge_bps": .object(edges),
        ]

        // The simulated venue's knobs apply to the fake venue and the in-process Bybit facade; on
        // the network the real venue decides fills, so they are reported as null there.
        let simulated = (venue?.networkMode ?? .off) == .off && config.mode == .shadow
        let parameters: JSONValue = [
            "network_mode": .string((venue?.networkMode ?? .off).rawValue),
            "symbols": .array(config.symbols.map { .string($0.name) }),
            "iterations": .int(config.iterations),
            "tick_ms": .int(config.tickMs),
            "seed": .int(Int64(bitPattern: config.seed)),
            "mode": .string(config.mode.rawValue),
            "exchange": .string(config.exchange),
            "pace": .string(config.pace.rawValue),
            "max_inv": .decimal(config.limits.maxInventoryUSD),
            "max_total": .decimal(config.limits.maxTotalUSD),
            "edge_threshold": .decimal(config.limits.edgeThresholdBps),
            "resume_edge_bps": config.limits.resumeEdgeBps.map { .decimal($0) } ?? .null,
            "fill_rate": simulated ? .decimal(config.venue.fillRate) : .null,
            "reject_rate": simulated ? .decimal(config.venue.rejectRate) : .null,
            "partial_fill_rate": simulated ? .decimal(config.venue.partialFillRate) : .null,
            "latency_ms": simulated ? .int(config.venue.latencyMs) : .null,
            "maker_only": .bool(config.makerOnly),
            "post_only_offset_bps": .decimal(config.postOnlyOffsetBps),
            "order_notional_usd": .decimal(config.orderNotionalUSD),
        ]

        var report: JSONValue = [
            "execution": execution,
            "orders": orders,
            "positions": [
                "by_symbol": .object(positions),
                "net_pos_usd": .object(netUSD),
                "total_notional_usd": .decimal(totalNotional),
                "mark_price": .object(marks),
                "pnl_usd": .object(pnl),
                "total_pnl_usd": .decimal(totalPnl),
            ],
            "risk": risk,
            "parameters": parameters,
            "runtime": [
                "utc": .string(runtime.utc),
                "version": .string(MMBotVersion.current),
                "time_source": .string(venue.map { $0.networkMode != .off } == true
                    ? "system_clock" : (config.timeFrozen ? "MM_FREEZE_UTC_ISO" : "wall_clock")),
            ],
        ]
        if let venue, case .object(var members) = report {
            members["bybit"] = venue.bybit
            members["filters"] = venue.filters
            report = .object(members)
        }
        if let durable = loop.durableState, case .object(var members) = report {
            members["state"] = durable.stateJSON
            members["recovery"] = durable.recovery.json
            report = .object(members)
        }
        return report
    }

    /// The report as printed: pretty, sorted, newline-terminated.
    package static func render(_ report: JSONValue) -> String {
        JSONWriter.string(report, pretty: true) + "\n"
    }

    private static func counts<R: Countable & RawRepresentable>(_ all: [R], _ values: ReasonCounts<R>) -> JSONValue where R.RawValue == String {
        var out: [String: JSONValue] = [:]
        for reason in all { out[reason.rawValue] = .int(values[reason]) }
        return .object(out)
    }

    private static func orderJSON(_ order: Order) -> JSONValue {
        [
            "client_order_id": .string(order.id.description), "symbol": .string(order.symbol.name),
            "side": .string(order.side.rawValue), "price": .decimal(order.price), "qty": .decimal(order.quantity),
            "filled_qty": .decimal(order.filledQuantity), "state": .string(order.state.rawValue),
            "created_ms": .int(order.createdAt),
        ]
    }

    private static func signalName(_ number: Int32) -> String {
        switch number {
        case 2: return "SIGINT"
        case 15: return "SIGTERM"
        default: return "signal \(number)"
        }
    }
}
