/// A credential value that never prints itself: `description`, `debugDescription`, string
/// interpolation, `dump` and `Mirror` all read `<redacted>`. The value comes out only through
/// `revealed`, at the one place that must send it (a request signature, a store write), or as
/// `masked` for people.
package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    package init(_ value: String) { self.value = value }

    /// The plain value. Call it only to hand the value to the wire or to a store.
    package var revealed: String { value }

    /// The value as the CLI shows it: see `SecretMask`.
    package var masked: String { SecretMask.mask(value) }

    package var isEmpty: Bool { value.isEmpty }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"], displayStyle: .struct) }
}

/// The masking rule for showing a credential: the first three characters then `...***`, or
/// `***` alone for a value of six characters or fewer, so a short value is never shown in half.
package enum SecretMask {
    package static let shortLimit = 6

    package static func mask(_ value: String) -> String {
        guard value.count > shortLimit else { return "***" }
        return String(value.prefix(3)) + "...***"
    }
}
