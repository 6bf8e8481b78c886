import MMBotSupport

/// Why an order was not sent. `max_inv` and `max_total` are risk blocks; `min_qty` and
/// `min_notional` mean the quote was too small for the venue's rules.
package enum BlockReason: String, Sendable, Hashable, CaseIterable {
    case maxInventory = "max_inv"
    case maxTotal = "max_total"
    case minQty = "min_qty"
    case minNotional = "min_notional"

    package var isRiskBlock: Bool { self == .maxInventory || self == .maxTotal }
}

package struct RiskLimits: Sendable, Equatable {
    /// Per symbol: |position + same-side open qty + new qty| × price must stay ≤ this (USD).
    package var maxInventoryUSD: Fixed
    /// Across symbols: Σ worst-case |inventory| × mark must stay ≤ this (USD).
    package var maxTotalUSD: Fixed
    /// Freeze when a symbol's edge falls below this (bps).
    package var edgeThresholdBps: Fixed
    /// When set, unfreeze once every symbol's edge is at or above this (bps); otherwise a
    /// freeze is latched until the process is restarted.
    package var resumeEdgeBps: Fixed?

    package init(maxInventoryUSD: Fixed, maxTotalUSD: Fixed, edgeThresholdBps: Fixed, resumeEdgeBps: Fixed?) {
        self.maxInventoryUSD = maxInventoryUSD
        self.maxTotalUSD = maxTotalUSD
        self.edgeThresholdBps = edgeThresholdBps
        self.resumeEdgeBps = resumeEdgeBps
    }
}

/// One symbol's position and resting quantities, as the risk checks see them.
package struct Exposure: Sendable, Equatable {
    package var position: Fixed
    package var openBuy: Fixed
    package var openSell: Fixed

    package init(position: Fixed = .zero, openBuy: Fixed = .zero, openSell: Fixed = .zero) {
        self.position = position
        self.openBuy = openBuy
        self.openSell = openSell
    }

    /// The largest |inventory| this symbol can reach if its open orders on one side all fill.
    package var worstCaseQuantity: Fixed {
        max((position + openBuy).magnitude, (position - openSell).magnitude)
    }

    package func worstCaseNotional(mark: Fixed) -> Fixed {
        worstCaseQuantity.multiplied(by: mark, rounding: .up)
    }
}

/// The moment a freeze began.
package struct FreezeRecord: Sendable, Equatable {
    package let symbol: Symbol
    package let edgeBps: Fixed
    package let thresholdBps: Fixed
    package let iteration: Int
    package let time: Millis
    package static let reason = "Edge below threshold"
}

/// What an edge update did.
package enum EdgeDecision: Sendable, Equatable {
    /// Nothing changed.
    case none
    /// The bot was running and is now frozen: cancel every open order.
    case froze(FreezeRecord)
    /// Already frozen and the edge is still low: a repeated trigger, which must cancel nothing new.
    case repeatedTrigger
}

/// Risk limits and the freeze latch.
package final class RiskMonitor {
    package let limits: RiskLimits
    package private(set) var isFrozen = false
    /// Transitions from running to frozen.
    package private(set) var freezeEvents = 0
    /// Edge observations below the threshold, including repeats while already frozen.
    package private(set) var freezeTriggers = 0
    /// Transitions from frozen back to running (only with `resumeEdgeBps`).
    package private(set) var unfreezeEvents = 0
    package private(set) var lastFreeze: FreezeRecord?

    package init(limits: RiskLimits) { self.limits = limits }

    /// Checks a new order. `exposure` is its symbol's state before the order; `otherSymbolsUSD`
    /// is Σ worst-case notional of every other symbol.
    @inline(__always)
    package func check(side: Side, price: Fixed, quantity: Fixed, mark: Fixed, exposure: Exposure, otherSymbolsUSD: Fixed) -> BlockReason? {
        var after = exposure
        let sameSide: Fixed
        if side == .buy {
            after.openBuy += quantity
            sameSide = exposure.position + after.openBuy
        } else {
            after.openSell += quantity
            sameSide = exposure.position - after.openSell
        }
        if sameSide.magnitude.multiplied(by: price, rounding: .up) > limits.maxInventoryUSD { return .maxInventory }
        if otherSymbolsUSD + after.worstCaseNotional(mark: mark) > limits.maxTotalUSD { return .maxTotal }
        return nil
    }

    /// Feeds one symbol's edge.
    package func onEdge(symbol: Symbol, edgeBps: Fixed, iteration: Int, time: Millis) -> EdgeDecision {
        guard edgeBps < limits.edgeThresholdBps else { return .none }
        freezeTriggers += 1
        if isFrozen { return .repeatedTrigger }
        isFrozen = true
        freezeEvents += 1
        let record = FreezeRecord(symbol: symbol, edgeBps: edgeBps, thresholdBps: limits.edgeThresholdBps, iteration: iteration, time: time)
        lastFreeze = record
        return .froze(record)
    }

    /// Unfreezes when a resume level is configured and every edge is at or above it.
    package func maybeResume(edges: [Fixed]) -> Bool {
        guard isFrozen, let resume = limits.resumeEdgeBps, edges.allSatisfy({ $0 >= resume }) else { return false }
        isFrozen = false
        unfreezeEvents += 1
        return true
    }
}
