import MMBotSupport

/// Per-symbol tallies for the report.
package struct SymbolCounters: Sendable, Equatable {
    package var placed = 0
    package var filled = 0
    package var fills = 0
    package var canceledByReason = ReasonCounts<CancelReason>()
    package var rejectedByReason = ReasonCounts<RejectReason>()
    package var blockedByReason = ReasonCounts<BlockReason>()
    package var boughtQty = Fixed.zero
    package var soldQty = Fixed.zero
    /// Σ sell notional − Σ buy notional: the cash the fills moved, before fees.
    package var cashFlowUSD = Fixed.zero

    package var canceled: Int { canceledByReason.total }
    package var rejected: Int { rejectedByReason.total }
    package var riskBlocks: Int { blockedByReason[.maxInventory] + blockedByReason[.maxTotal] }
}

/// Whole-run tallies. Counting rules (docs/report.md): `placed` counts orders the venue
/// accepted; `rejected` orders it refused (never in `placed`); `filled` orders completely
/// filled; `fills` every fill event including partial ones; an order partially filled and then
/// canceled is `canceled`. So placed = filled + canceled + open at every instant.
package struct RunCounters: Sendable, Equatable {
    package var placed = 0
    package var filled = 0
    package var fills = 0
    package var partialFills = 0
    package var makerFills = 0
    package var takerFills = 0
    package var rejectedByReason = ReasonCounts<RejectReason>()
    package var canceledByReason = ReasonCounts<CancelReason>()
    package var blockedByReason = ReasonCounts<BlockReason>()
    package var placementErrors = 0
    package var cancelErrors = 0
    package var iterationsFrozen = 0

    package var rejected: Int { rejectedByReason.total }
    package var canceled: Int { canceledByReason.total }
    package var riskBlocks: Int { blockedByReason[.maxInventory] + blockedByReason[.maxTotal] }
}

/// Why we canceled an order.
package enum CancelReason: String, Sendable, Hashable, CaseIterable {
    /// The market moved and the quote was replaced at a new price.
    case requote
    /// The edge fell below the threshold and every open order was canceled.
    case freeze
    /// The run ended (last iteration, SIGINT or SIGTERM).
    case shutdown
    /// The durable state store (Redis, the journal's disk) stopped accepting records: the bot
    /// stops quoting rather than trade without a record of it.
    case stateUnavailable = "state_unavailable"
}
