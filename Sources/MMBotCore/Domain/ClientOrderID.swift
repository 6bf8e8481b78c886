import MMBotSupport

/// Our id for an order, sent to the venue as Bybit's `orderLinkId`.
///
/// `session` tells runs apart (derived from the seed in shadow mode, so reports are
/// reproducible) and `sequence` counts orders within a run. The text form
/// `mm-<session hex>-<sequence>` is at most 32 characters of letters, digits and `-`, which
/// Bybit accepts (≤ 36 characters, letters, digits, `-`, `_`). Stored as integers so the hot loop
/// never formats or hashes a string.
package struct ClientOrderID: Sendable, Hashable, Comparable, CustomStringConvertible, FastHashable {
    package let session: UInt32
    package let sequence: UInt64

    package init(session: UInt32, sequence: UInt64) {
        self.session = session
        self.sequence = sequence
    }

    /// Parses the text form back; nil when `text` is not one.
    package init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "mm", parts[1].count == 8,
              let session = UInt32(parts[1], radix: 16), let sequence = UInt64(parts[2]),
              String(sequence) == parts[2]
        else { return nil }
        self.init(session: session, sequence: sequence)
    }

    @inline(__always)
    package var fastHash: UInt64 { (UInt64(session) << 40) ^ sequence }

    package static func < (lhs: ClientOrderID, rhs: ClientOrderID) -> Bool {
        (lhs.session, lhs.sequence) < (rhs.session, rhs.sequence)
    }

    package var description: String {
        let hex = String(session, radix: 16)
        return "mm-" + String(repeating: "0", count: 8 - hex.count) + hex + "-" + String(sequence)
    }
}
