import Foundation

/// One request as the server received it: method, path and query split, header names as the
/// client wrote them, and the body bytes exactly as sent (request signing depends on them).
package struct HTTPServerRequest: Sendable {
    package var method: String
    /// The target's path, percent-decoded, e.g. `/v5/order/create`.
    package var path: String
    /// The raw query string after `?` (not decoded), empty when there is none. Signatures are
    /// computed over this exact text.
    package var rawQuery: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// "HTTP/1.1" or "HTTP/1.0".
    package var version: String

    package init(method: String, path: String, rawQuery: String = "", headers: [(name: String, value: String)] = [],
                 body: [UInt8] = [], version: String = "HTTP/1.1") {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        self.version = version
    }

    /// The first header called `name`, any case.
    package func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The query's `name=value` pairs in order, `+` and percent escapes decoded.
    package var queryItems: [(name: String, value: String)] {
        guard !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = HTTPServerRequest.percentDecode(String(parts[0]), plusIsSpace: true) ?? String(parts[0])
            let rawValue = parts.count > 1 ? String(parts[1]) : ""
            return (name, HTTPServerRequest.percentDecode(rawValue, plusIsSpace: true) ?? rawValue)
        }
    }

    /// The first query value called `name`.
    package func query(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }

    /// Whether the connection stays open after the response: HTTP/1.1 unless `Connection:
    /// close`, HTTP/1.0 only with `Connection: keep-alive`.
    package var wantsKeepAlive: Bool {
        let tokens = (header("Connection") ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if version == "HTTP/1.0" { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }

    /// Decodes `%XX` escapes (and `+` as a space when asked); nil for a malformed escape or
    /// bytes that are not UTF-8.
    package static func percentDecode(_ text: String, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
