/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`.
///
/// The password may be percent-encoded (`%40` for `@`). `rediss://` (TLS) and unix sockets are
/// not supported: the client speaks plain RESP2 over TCP, meant for loopback or a private network.
package struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    package let host: String
    package let port: Int
    package let database: Int
    package let username: String?
    package let password: String?

    package struct ParseError: Error, Sendable, CustomStringConvertible {
        package let text: String
        package let reason: String
        package var description: String {
            "'\(text)' is not a Redis URL (\(reason)); accepted: redis://[[user]:password@]host[:port][/db], e.g. redis://127.0.0.1:6379/0"
        }
    }

    package init(host: String, port: Int = 6379, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    package init(parsing text: String) throws(ParseError) {
        guard text.hasPrefix("redis://") else {
            throw ParseError(text: text, reason: text.hasPrefix("rediss://") ? "TLS is not supported" : "it must start with redis://")
        }
        var rest = Substring(text.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = String(credentials[..<colon])
                username = user.isEmpty ? nil : try RedisURL.decode(user, text)
                password = try RedisURL.decode(String(credentials[credentials.index(after: colon)...]), text)
            } else {
                // redis://secret@host: a bare credential is the password (Redis' default user).
                password = try RedisURL.decode(String(credentials), text)
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let db = Int(path), (0...1_000_000).contains(db) else {
                    throw ParseError(text: text, reason: "the database '\(path)' is not a number")
                }
                database = db
            }
        }
        var host = String(rest)
        var port = 6379
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw ParseError(text: text, reason: "unclosed [ in the host") }
            let after = host[host.index(after: close)...]
            let inner = String(host[host.index(after: host.startIndex)..<close])
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65_535).contains(p) else {
                    throw ParseError(text: text, reason: "the port must be 1 to 65535")
                }
                port = p
            } else if !after.isEmpty {
                throw ParseError(text: text, reason: "unexpected text after the host")
            }
            host = inner
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65_535).contains(p) else {
                throw ParseError(text: text, reason: "the port must be 1 to 65535")
            }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "?" || $0 == "#" }) else {
            throw ParseError(text: text, reason: "the host is missing or invalid")
        }
        self.init(host: host, port: port, database: database, username: username, password: password)
    }

    private static func decode(_ part: String, _ text: String) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(part.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                    throw ParseError(text: text, reason: "bad percent-encoding in the credentials")
                }
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The URL without its password, safe for logs and reports.
    package var description: String {
        var out = "redis://"
        if username != nil || password != nil {
            out += (username ?? "") + (password == nil ? "" : ":***") + "@"
        }
        out += (host.contains(":") ? "[\(host)]" : host) + ":\(port)/\(database)"
        return out
    }
}
