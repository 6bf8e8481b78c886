import MMBotSupport

/// Where a quote should rest and how big it is, or why it cannot be sent.
package struct PlannedQuote: Sendable, Equatable {
    package let side: Side
    package let price: Fixed
    package let quantity: Fixed
    /// Set when the quantity is below the venue's minimum quantity or notional.
    package let blocked: BlockReason?
}

/// Maker quoting: each side rests `offsetBps` away from its own touch, rounded away from the
/// touch to the tick; size is `notionalUSD / price` rounded down to the quantity step.
package struct QuotePlanner: Sendable {
    package let offsetBps: Fixed
    package let notionalUSD: Fixed
    private static let bpsPerUnit = Fixed(10_000)

    package init(offsetBps: Fixed, notionalUSD: Fixed) {
        self.offsetBps = offsetBps
        self.notionalUSD = notionalUSD
    }

    @inline(__always)
    package func plan(_ side: Side, market: MarketSnapshot, rules: InstrumentRules) -> PlannedQuote {
        let price: Fixed
        if side == .buy {
            let shift = market.bestBid.multiplied(by: offsetBps, rounding: .up).divided(by: QuotePlanner.bpsPerUnit, rounding: .up)
            price = max(rules.tickSize, (market.bestBid - shift).rounded(toMultipleOf: rules.tickSize, .down))
        } else {
            let shift = market.bestAsk.multiplied(by: offsetBps, rounding: .up).divided(by: QuotePlanner.bpsPerUnit, rounding: .up)
            price = max(rules.tickSize, (market.bestAsk + shift).rounded(toMultipleOf: rules.tickSize, .up))
        }
        let quantity = notionalUSD.divided(by: price, rounding: .down).rounded(toMultipleOf: rules.qtyStep, .down)
        let blocked: BlockReason?
        if quantity < rules.minQty || quantity.raw == 0 {
            blocked = .minQty
        } else if price.multiplied(by: quantity) < rules.minNotional {
            blocked = .minNotional
        } else {
            blocked = nil
        }
        return PlannedQuote(side: side, price: price, quantity: quantity, blocked: blocked)
    }
}
