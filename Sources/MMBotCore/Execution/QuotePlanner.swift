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
    /// The offset in hundredths of a basis point when it is a whole number of them (the usual
    /// case), which lets `shift` stay in 64-bit arithmetic.
    private let offsetHundredths: Int64?

    package init(offsetBps: Fixed, notionalUSD: Fixed) {
        self.offsetBps = offsetBps
        self.notionalUSD = notionalUSD
        offsetHundredths = offsetBps.raw % 1_000_000 == 0 ? offsetBps.raw / 1_000_000 : nil
    }

    /// `price × offset / 10000`, rounded up (away from the touch once applied), exactly.
    @inline(__always)
    private func shift(_ price: Fixed) -> Fixed {
        if let k = offsetHundredths {
            // price × (k / 100) / 10000 = price × k / 1e6
            let (product, overflow) = price.raw.multipliedReportingOverflow(by: k)
            if !overflow {
                let q = product / 1_000_000
                let r = product % 1_000_000
                return Fixed(raw: r > 0 ? q + 1 : q)
            }
        }
        return price.multiplied(by: offsetBps, rounding: .up).divided(by: QuotePlanner.bpsPerUnit, rounding: .up)
    }

    @inline(__always)
    package func plan(_ side: Side, market: MarketSnapshot, rules: InstrumentRules) -> PlannedQuote {
        let price: Fixed
        if side == .buy {
            price = max(rules.tickSize, (market.bestBid - shift(market.bestBid)).rounded(toMultipleOf: rules.tickSize, .down))
        } else {
            price = max(rules.tickSize, (market.bestAsk + shift(market.bestAsk)).rounded(toMultipleOf: rules.tickSize, .up))
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
