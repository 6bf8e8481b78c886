/// A RESP2 reply (https://redis.io/docs/latest/develop/reference/protocol-spec/).
package enum RESPValue: Sendable, Equatable {
    case simple(String)
    case error(String)
    case integer(Int64)
    /// A bulk string; nil is the null bulk string `$-1`.
    case bulk([UInt8]?)
    /// An array; nil is the null array `*-1`.
    case array([RESPValue]?)

    /// The text of a simple or bulk string reply.
    package var string: String? {
        switch self {
        case .simple(let s): return s
        case .bulk(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    package var isNull: Bool {
        switch self {
        case .bulk(nil), .array(nil): return true
        default: return false
        }
    }
}

/// Writes commands as RESP arrays of bulk strings, the only form clients send.
package enum RESPEncoder {
    package static func append(_ arguments: [String], to out: inout [UInt8]) {
        appendHeader(UInt8(ascii: "*"), arguments.count, &out)
        for argument in arguments {
            let utf8 = argument.utf8
            appendHeader(UInt8(ascii: "$"), utf8.count, &out)
            out.append(contentsOf: utf8)
            out.append(0x0D)
            out.append(0x0A)
        }
    }

    package static func encode(_ arguments: [String]) -> [UInt8] {
        var out: [UInt8] = []
        append(arguments, to: &out)
        return out
    }

    private static func appendHeader(_ type: UInt8, _ count: Int, _ out: inout [UInt8]) {
        out.append(type)
        out.append(contentsOf: String(count).utf8)
        out.append(0x0D)
        out.append(0x0A)
    }
}

/// An incremental RESP2 reader: feed it bytes as they arrive, take complete replies out.
package struct RESPParser {
    package struct ProtocolError: Error, Sendable, CustomStringConvertible {
        package let reason: String
        package var description: String { "Redis protocol error: \(reason)" }
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private static let maxBulk = 512 * 1024 * 1024

    package init() {}

    package mutating func feed(_ bytes: [UInt8]) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received but not yet consumed by `next()`.
    package var pendingBytes: Int { buffer.count - start }

    /// The next complete reply, or nil when more bytes are needed.
    package mutating func next() throws(ProtocolError) -> RESPValue? {
        var position = start
        guard let value = try parse(&position) else { return nil }
        start = position
        if start > 64 * 1024 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return value
    }

    private func line(_ position: inout Int) -> ArraySlice<UInt8>? {
        var i = position
        while i + 1 < buffer.count {
            if buffer[i] == 0x0D && buffer[i + 1] == 0x0A {
                let slice = buffer[position..<i]
                position = i + 2
                return slice
            }
            i += 1
        }
        return nil
    }

    private func integer(_ bytes: ArraySlice<UInt8>) throws(ProtocolError) -> Int64 {
        guard let value = Int64(String(decoding: bytes, as: UTF8.self)) else {
            throw ProtocolError(reason: "expected an integer, got '\(String(decoding: bytes, as: UTF8.self))'")
        }
        return value
    }

    private func parse(_ position: inout Int) throws(ProtocolError) -> RESPValue? {
        guard position < buffer.count else { return nil }
        let type = buffer[position]
        var cursor = position + 1
        guard let header = line(&cursor) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            position = cursor
            return .simple(String(decoding: header, as: UTF8.self))
        case UInt8(ascii: "-"):
            position = cursor
            return .error(String(decoding: header, as: UTF8.self))
        case UInt8(ascii: ":"):
            let value = try integer(header)
            position = cursor
            return .integer(value)
        case UInt8(ascii: "$"):
            let length = try integer(header)
            if length == -1 {
                position = cursor
                return .bulk(nil)
            }
            guard length >= 0, length <= RESPParser.maxBulk else { throw ProtocolError(reason: "bad bulk length \(length)") }
            let end = cursor + Int(length)
            guard end + 2 <= buffer.count else { return nil }
            guard buffer[end] == 0x0D, buffer[end + 1] == 0x0A else { throw ProtocolError(reason: "bulk string not terminated by CRLF") }
            position = end + 2
            return .bulk(Array(buffer[cursor..<end]))
        case UInt8(ascii: "*"):
            let count = try integer(header)
            if count == -1 {
                position = cursor
                return .array(nil)
            }
            guard count >= 0, count <= 100_000_000 else { throw ProtocolError(reason: "bad array length \(count)") }
            var items: [RESPValue] = []
            items.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let item = try parse(&cursor) else { return nil }
                items.append(item)
            }
            position = cursor
            return .array(items)
        default:
            throw ProtocolError(reason: "unknown reply type byte \(type)")
        }
    }
}
