import MMBotSupport

/// A venue's trading rules for one instrument (Bybit's priceFilter / lotSizeFilter).
package struct InstrumentRules: Sendable, Equatable {
    package let tickSize: Fixed
    package let qtyStep: Fixed
    package let minQty: Fixed
    package let minNotional: Fixed

    package init(tickSize: Fixed, qtyStep: Fixed, minQty: Fixed, minNotional: Fixed) {
        self.tickSize = tickSize
        self.qtyStep = qtyStep
        self.minQty = minQty
        self.minNotional = minNotional
    }

    /// Rules and a reference price for symbols the built-in table does not list.
    package static let fallback = InstrumentRules(
        tickSize: Fixed(units: 1, decimals: 2), qtyStep: Fixed(units: 1, decimals: 1),
        minQty: Fixed(units: 1, decimals: 1), minNotional: Fixed(5))
}

/// The built-in instrument table: Bybit linear-perpetual rules and a synthetic reference price
/// for the shadow market. docs/shadow-engine.md documents it.
package enum InstrumentCatalog {
    package struct Entry: Sendable {
        package let rules: InstrumentRules
        package let referencePrice: Fixed
        /// False for symbols served from the fallback row.
        package let isBuiltIn: Bool
    }

    private static let table: [String: Entry] = [
        // Bybit linear perpetuals: tickSize 0.10, qtyStep 0.001, minOrderQty 0.001, minNotionalValue 5.
        "BTCUSDT": Entry(rules: InstrumentRules(tickSize: Fixed(units: 10, decimals: 2), qtyStep: Fixed(units: 1, decimals: 3),
                                                minQty: Fixed(units: 1, decimals: 3), minNotional: Fixed(5)),
                         referencePrice: Fixed(50_000), isBuiltIn: true),
        // tickSize 0.01, qtyStep 0.01, minOrderQty 0.01, minNotionalValue 5.
        "ETHUSDT": Entry(rules: InstrumentRules(tickSize: Fixed(units: 1, decimals: 2), qtyStep: Fixed(units: 1, decimals: 2),
                                                minQty: Fixed(units: 1, decimals: 2), minNotional: Fixed(5)),
                         referencePrice: Fixed(3_000), isBuiltIn: true),
        // tickSize 0.010, qtyStep 0.1, minOrderQty 0.1, minNotionalValue 5.
        "SOLUSDT": Entry(rules: InstrumentRules(tickSize: Fixed(units: 1, decimals: 2), qtyStep: Fixed(units: 1, decimals: 1),
                                                minQty: Fixed(units: 1, decimals: 1), minNotional: Fixed(5)),
                         referencePrice: Fixed(150), isBuiltIn: true),
    ]

    /// The entry for `symbol`: its row, or the fallback rules with a reference price of 100.
    package static func entry(for symbol: Symbol) -> Entry {
        table[symbol.name] ?? Entry(rules: .fallback, referencePrice: Fixed(100), isBuiltIn: false)
    }
}
