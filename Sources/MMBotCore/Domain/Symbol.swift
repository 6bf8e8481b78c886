import MMBotSupport

/// A trading symbol such as `BTCUSDT`: upper-case letters and digits, 2 to 32 of them.
///
/// The name is stored inline in four machine words rather than as a `String`, so `Symbol` — and
/// every order, fill and request that carries one — is a plain value the hot loop copies without
/// reference counting. `name` rebuilds the `String` for reports and logs.
package struct Symbol: Sendable, Hashable, Comparable, CustomStringConvertible, FastHashable {
    private let w0: UInt64
    private let w1: UInt64
    private let w2: UInt64
    private let w3: UInt64
    private let length: UInt8
    /// FNV-1a of the name, computed once, so lookups never rehash the text.
    package let fastHash: UInt64

    /// Upper-cases `raw` and accepts it when it is 2–32 letters or digits; nil otherwise.
    package init?(validating raw: String) {
        let upper = Array(raw.uppercased().utf8)
        guard (2...32).contains(upper.count),
              upper.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (i, byte) in upper.enumerated() {
            words[i / 8] |= UInt64(byte) << (UInt64(i % 8) * 8)
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        (w0, w1, w2, w3) = (words[0], words[1], words[2], words[3])
        length = UInt8(upper.count)
        fastHash = hash
    }

    package var name: String {
        let words = [w0, w1, w2, w3]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(length))
        for i in 0..<Int(length) { bytes.append(UInt8(truncatingIfNeeded: words[i / 8] >> (UInt64(i % 8) * 8))) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    package static func == (lhs: Symbol, rhs: Symbol) -> Bool {
        lhs.w0 == rhs.w0 && lhs.w1 == rhs.w1 && lhs.w2 == rhs.w2 && lhs.w3 == rhs.w3 && lhs.length == rhs.length
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(fastHash) }

    package static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
    package var description: String { name }
}
