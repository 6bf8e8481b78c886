import MMBotSupport

/// The loop's durable-state steps: the startup snapshot, recovery before the first quote, the
/// per-iteration commit, and the halt when the store fails (docs/state.md).
extension ExecutionLoop {
    /// Before the first iteration: compact what was loaded into a fresh snapshot (this also cuts
    /// off a torn journal tail), then, for `--recover`, reconcile with the venue.
    func startDurable() throws(IllegalTransition) {
        guard let state = durableState else { return }
        do {
            try state.writeSnapshot()
        } catch {
            haltOnStateFailure(error)
            return
        }
        guard state.recovery.recovered else { return }
        try recover(state)
        state.requestSnapshot()
        try commitDurable()
    }

    /// The iteration's group commit. A failure stops quoting: every open order is canceled and
    /// the run ends (`state_store_unavailable`).
    func commitDurable() throws(IllegalTransition) {
        guard let state = durableState, !haltedByState else { return }
        do {
            try state.commit()
        } catch {
            haltOnStateFailure(error)
        }
    }

    private func haltOnStateFailure(_ error: StateError) {
        guard let state = durableState, !haltedByState else { return }
        haltedByState = true
        state.halt(error)
        logger.log(.error, name: "mm.state", component: "order_store", event: "state_store_unavailable", [
            ("backend", .string(state.store.backend)), ("error", .string(error.description)),
            ("action", .string("stopped quoting; canceling every open order")),
        ])
        // Cancels are the safe direction: they go out even though their records cannot be
        // committed now. The venue then holds none of our orders, so its state may be saved.
        do {
            try cancelAll(reason: .stateUnavailable)
        } catch {
            logger.log(.error, name: "mm.state", component: "order_store", event: "cancel_all_failed", [("error", .string(error.description))])
        }
        state.flushFollowersAfterHalt()
    }

    // MARK: Recovery

    private func recover(_ state: DurableState) throws(IllegalTransition) {
        let venueOrders: [VenueOrder]
        do {
            venueOrders = try exchange.openOrders(symbols: recoverySymbols(state))
        } catch {
            haltOnStateFailure(.io("could not list the venue's open orders to reconcile with them: \(error.message)"))
            return
        }
        let plan = RecoveryPlan.make(local: state.openOrders, known: { state.knows($0) }, venue: venueOrders, time: clock.now)
        var info = state.recovery
        info.matched = plan.matched.count
        info.missingAtVenue = plan.missingAtVenue.count
        info.staleAtVenue = plan.staleAtVenue.count
        info.orphansAtVenue = plan.orphans.count

        for order in plan.missingAtVenue {
            var ended = order
            try ended.transition(to: order.state == .pendingNew ? .rejected : .canceled, at: clock.now)
            state.recordReconcile(ended, .missingAtVenue)
        }
        var recovered: [Order] = []
        for (order, added) in plan.matched {
            if added.raw > 0 { info.fillsReconciled += 1 }
            var open = order
            if open.state == .pendingNew { try open.transition(to: .open, at: clock.now) }
            state.recordReconcile(open, .matched)
            recovered.append(open)
        }
        for remote in plan.orphans where state.recovery.action == .adopt {
            let adopted = Order(id: remote.id, symbol: remote.symbol, side: remote.side, price: remote.price, quantity: remote.quantity,
                                    postOnly: config.makerOnly, createdAt: clock.now, filledQuantity: remote.filled,
                                    state: remote.filled.raw > 0 ? .partiallyFilled : .open, updatedAt: clock.now)
            state.recordReconcile(adopted, .adoptedOrphan)
            recovered.append(adopted)
        }
        info.openOrders = recovered.sorted { $0.id < $1.id }

        // Orders ended in our records but open at the venue, and unknown orders we do not adopt:
        // cancel them at the venue (they never count as this run's orders).
        var strays = plan.staleAtVenue
        if state.recovery.action != .adopt { strays += plan.orphans }
        for remote in strays {
            do {
                _ = try exchange.cancel(remote.id, symbol: remote.symbol, at: clock.now)
                info.canceled += 1
            } catch {
                logger.log(.error, name: "mm.state", component: "recovery", event: "recovery_cancel_failed", [
                    ("client_order_id", .string(remote.id.description)), ("error", .string(error.message)),
                ])
            }
        }
        for order in info.openOrders {
            if state.recovery.action == .adopt, let s = symbolIndex[order.symbol], (order.side == .buy ? bids[s] : asks[s]) == nil {
                if order.side == .buy { bids[s] = order } else { asks[s] = order }
                refreshExposure(s)
                info.adopted += 1
                continue
            }
            try cancelRecovered(order, state)
            info.canceled += 1
        }
        state.recovery = info

        let venueAfter = (try? exchange.openOrders(symbols: recoverySymbols(state))) ?? []
        let localAfter = (bids + asks).compactMap { $0 }.sorted { $0.id < $1.id }
        logger.log(.warning, name: "mm.state", component: "recovery", event: "recovery_reconciled", [
            ("action", .string(state.recovery.action?.rawValue ?? "cancel")),
            ("matched", .int(info.matched)), ("missing_at_venue", .int(info.missingAtVenue)),
            ("stale_at_venue", .int(info.staleAtVenue)), ("orphans_at_venue", .int(info.orphansAtVenue)),
            ("canceled", .int(info.canceled)), ("adopted", .int(info.adopted)),
            ("local_open", .array(localAfter.map { .string($0.id.description) })),
            ("venue_open", .array(venueAfter.map { .string($0.id.description) })),
        ])
        for warning in info.warnings {
            logger.log(.warning, name: "mm.state", component: "recovery", event: "recovery_warning", [("warning", .string(warning))])
        }
    }

    /// This run's symbols and those of every recovered open order.
    private func recoverySymbols(_ state: DurableState) -> [Symbol] {
        var symbols = config.symbols
        for order in state.openOrders where !symbols.contains(order.symbol) { symbols.append(order.symbol) }
        return symbols
    }

    /// Cancels a recovered order at the venue with a keyed, journaled cancel (reason `recovery`).
    private func cancelRecovered(_ order: Order, _ state: DurableState) throws(IllegalTransition) {
        if state.willCancel(order, reason: "recovery") != nil { return }
        let outcome: CancelOutcome
        do {
            outcome = try exchange.cancel(order.id, symbol: order.symbol, at: clock.now)
        } catch {
            logger.log(.error, name: "mm.state", component: "recovery", event: "recovery_cancel_failed", [
                ("client_order_id", .string(order.id.description)), ("error", .string(error.message)),
            ])
            return
        }
        var canceled = order
        try canceled.transition(to: .canceled, at: clock.now)
        state.didCancel(canceled, id: order.id, outcome == .notOpen ? .notOpen : .canceled, reason: "recovery")
    }
}
