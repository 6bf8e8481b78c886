/// A trading symbol such as `BTCUSDT`: upper-case letters and digits, 2 to 32 of them.
package struct Symbol: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let name: String

    /// Upper-cases `raw` and accepts it when it is 2–32 letters or digits; nil otherwise.
    package init?(validating raw: String) {
        let upper = raw.uppercased()
        guard (2...32).contains(upper.utf8.count),
              upper.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { return nil }
        name = upper
    }

    package static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
    package var description: String { name }
}
