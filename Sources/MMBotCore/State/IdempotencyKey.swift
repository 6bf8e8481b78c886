import MMBotSupport

/// The key every order mutation carries. A key seen before returns its first result and does
/// nothing again. Text forms (docs/state.md):
///
/// - `place:<client_order_id>`
/// - `cancel:<client_order_id>`
/// - `fill:<client_order_id>:<exec_id>` (the venue's execution id)
/// - `cancel_all:<session hex>:<reason>:<n>` (the run's n-th cancel-all for that reason)
/// - `reconcile:<client_order_id>` (a recovery's verdict on one order)
///
/// Stored as integers so that the hot loop hashes no string.
package struct IdempotencyKey: Sendable, Hashable, FastHashable, CustomStringConvertible {
    package enum Kind: UInt8, Sendable {
        case place = 1, cancel, fill, cancelAll, reconcile

        var label: String {
            switch self {
            case .place: return "place"
            case .cancel: return "cancel"
            case .fill: return "fill"
            case .cancelAll: return "cancel_all"
            case .reconcile: return "reconcile"
            }
        }
    }

    package let kind: Kind
    /// The order (for `cancelAll`: session of the run, sequence 0).
    package let order: ClientOrderID
    /// `fill`: the exec id; `cancelAll`: reason ordinal << 32 | n; otherwise 0.
    package let detail: UInt64

    package init(kind: Kind, order: ClientOrderID, detail: UInt64 = 0) {
        self.kind = kind
        self.order = order
        self.detail = detail
    }

    package static func place(_ id: ClientOrderID) -> IdempotencyKey { IdempotencyKey(kind: .place, order: id) }
    package static func cancel(_ id: ClientOrderID) -> IdempotencyKey { IdempotencyKey(kind: .cancel, order: id) }
    package static func reconcile(_ id: ClientOrderID) -> IdempotencyKey { IdempotencyKey(kind: .reconcile, order: id) }
    package static func fill(_ id: ClientOrderID, exec: UInt64) -> IdempotencyKey { IdempotencyKey(kind: .fill, order: id, detail: exec) }
    package static func cancelAll(session: UInt32, reason: CancelReason, number: Int) -> IdempotencyKey {
        IdempotencyKey(kind: .cancelAll, order: ClientOrderID(session: session, sequence: 0),
                       detail: UInt64(reason.ordinal) << 32 | UInt64(UInt32(truncatingIfNeeded: number)))
    }

    /// The session whose run created this key.
    package var session: UInt32 { order.session }

    @inline(__always)
    package var fastHash: UInt64 { order.fastHash &* 31 &+ detail &* 0x9E37_79B9 &+ UInt64(kind.rawValue) }

    package var description: String {
        var out: [UInt8] = []
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the text form; it never needs JSON escaping.
    package func append(to out: inout [UInt8]) {
        out.append(contentsOf: kind.label.utf8)
        out.append(UInt8(ascii: ":"))
        switch kind {
        case .cancelAll:
            appendHex(order.session, &out)
            out.append(UInt8(ascii: ":"))
            let reason = CancelReason.allCases.first { UInt64($0.ordinal) == detail >> 32 } ?? .shutdown
            out.append(contentsOf: reason.rawValue.utf8)
            out.append(UInt8(ascii: ":"))
            JSONLineBuilder.appendUnsigned(detail & 0xFFFF_FFFF, to: &out)
        case .fill:
            order.append(to: &out)
            out.append(UInt8(ascii: ":"))
            JSONLineBuilder.appendUnsigned(detail, to: &out)
        case .place, .cancel, .reconcile:
            order.append(to: &out)
        }
    }

    /// Parses the text form; nil when `text` is not one.
    package init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first else { return nil }
        switch first {
        case "place", "cancel", "reconcile":
            guard parts.count == 2, let id = ClientOrderID(parts[1]) else { return nil }
            self.init(kind: first == "place" ? .place : first == "cancel" ? .cancel : .reconcile, order: id)
        case "fill":
            guard parts.count == 3, let id = ClientOrderID(parts[1]), let exec = UInt64(parts[2]), String(exec) == parts[2] else { return nil }
            self.init(kind: .fill, order: id, detail: exec)
        case "cancel_all":
            guard parts.count == 4, parts[1].count == 8, let session = UInt32(parts[1], radix: 16),
                  let reason = CancelReason(rawValue: parts[2]), let n = UInt32(parts[3]), String(n) == parts[3]
            else { return nil }
            self.init(kind: .cancelAll, order: ClientOrderID(session: session, sequence: 0),
                      detail: UInt64(reason.ordinal) << 32 | UInt64(n))
        default:
            return nil
        }
    }
}

@inline(__always)
func appendHex(_ value: UInt32, _ out: inout [UInt8]) {
    var shift: UInt32 = 28
    while true {
        let digit = UInt8((value >> shift) & 0xF)
        out.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit)
        if shift == 0 { break }
        shift -= 4
    }
}

extension ClientOrderID {
    /// Appends `mm-<session hex>-<sequence>` without building a String.
    package func append(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "m"))
        out.append(UInt8(ascii: "m"))
        out.append(UInt8(ascii: "-"))
        appendHex(session, &out)
        out.append(UInt8(ascii: "-"))
        JSONLineBuilder.appendUnsigned(sequence, to: &out)
    }
}
