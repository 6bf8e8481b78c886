import MMBotSupport

/// A trading symbol such as `BTCUSDT`: upper-case letters and digits, 2 to 32 of them.
package struct Symbol: Sendable, Hashable, Comparable, CustomStringConvertible, FastHashable {
    package let name: String
    /// FNV-1a of the name, computed once, so hot-path lookups never rehash the string.
    package let fastHash: UInt64

    /// Upper-cases `raw` and accepts it when it is 2–32 letters or digits; nil otherwise.
    package init?(validating raw: String) {
        let upper = raw.uppercased()
        guard (2...32).contains(upper.utf8.count),
              upper.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { return nil }
        name = upper
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in upper.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        fastHash = hash
    }

    package static func == (lhs: Symbol, rhs: Symbol) -> Bool { lhs.fastHash == rhs.fastHash && lhs.name == rhs.name }
    package func hash(into hasher: inout Hasher) { hasher.combine(fastHash) }

    package static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
    package var description: String { name }
}
