/// Bounds on what one client may send and hold. The defaults suit `/metrics` scrapes and a
/// Bybit-style REST API alike.
package struct HTTPServerLimits: Sendable, Equatable {
    /// Longest request line (method, target, version) in bytes; longer → 414.
    package var maxRequestLineBytes = 8 * 1024
    /// Longest header section (all header lines together) in bytes; longer → 431.
    package var maxHeaderBytes = 16 * 1024
    /// Most header lines; more → 431.
    package var maxHeaderCount = 64
    /// Largest body in bytes, declared or chunked; larger → 413.
    package var maxBodyBytes = 1024 * 1024
    /// Most connections served at once; one more is answered 503 and closed.
    package var maxConnections = 64
    /// How long a kept-alive connection may sit with no request before it is closed.
    package var idleTimeoutMs: Int32 = 10_000
    /// How long a client may take to send a whole request once it started one; slower → 408.
    package var requestTimeoutMs: Int32 = 10_000
    /// How long a response may wait for a client that does not read it.
    package var writeTimeoutMs: Int32 = 5_000

    package init() {}
}

/// Why a request could not be read. `status` is what the server answers before closing.
package struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package let status: Int
    package let message: String
    package init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    package var description: String { "\(status): \(message)" }
}

/// Reads HTTP/1.x requests out of a byte buffer, one at a time, within `HTTPServerLimits`.
/// Pure: no sockets, so every limit and malformation is tested on bytes.
package struct HTTPRequestParser: Sendable {
    package enum Result: Sendable {
        /// Not a whole request yet: read more bytes.
        case incomplete
        /// A request and how many bytes of the buffer it used (the rest may be the next,
        /// pipelined request).
        case complete(HTTPServerRequest, consumed: Int)
        case failed(HTTPParseError)
    }

    package let limits: HTTPServerLimits
    package init(limits: HTTPServerLimits) { self.limits = limits }

    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    package func parse(_ buffer: [UInt8]) -> Result {
        // The request line.
        guard let lineEnd = buffer.firstIndex(of: Self.lf) else {
            if buffer.count > limits.maxRequestLineBytes { return .failed(HTTPParseError(414, "the request line is longer than \(limits.maxRequestLineBytes) bytes")) }
            return .incomplete
        }
        if lineEnd > limits.maxRequestLineBytes { return .failed(HTTPParseError(414, "the request line is longer than \(limits.maxRequestLineBytes) bytes")) }
        // The header section ends at an empty line.
        var headerLines: [ArraySlice<UInt8>] = []
        var position = lineEnd + 1
        var headerBytes = 0
        var sectionEnd: Int?
        while position < buffer.count {
            guard let end = buffer[position...].firstIndex(of: Self.lf) else { break }
            var line = buffer[position..<end]
            if line.last == Self.cr { line = line.dropLast() }
            position = end + 1
            if line.isEmpty { sectionEnd = position; break }
            headerBytes += line.count + 2
            if headerBytes > limits.maxHeaderBytes { return .failed(HTTPParseError(431, "the headers are larger than \(limits.maxHeaderBytes) bytes")) }
            headerLines.append(line)
            if headerLines.count > limits.maxHeaderCount { return .failed(HTTPParseError(431, "more than \(limits.maxHeaderCount) header lines")) }
        }
        guard let bodyStart = sectionEnd else {
            if buffer.count - lineEnd > limits.maxHeaderBytes + 2 {
                return .failed(HTTPParseError(431, "the headers are larger than \(limits.maxHeaderBytes) bytes"))
            }
            return .incomplete
        }

        var requestLine = buffer[..<lineEnd]
        if requestLine.last == Self.cr { requestLine = requestLine.dropLast() }
        guard let line = String(validating: requestLine, as: UTF8.self) else { return .failed(HTTPParseError(400, "the request line is not UTF-8")) }
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(Self.isTokenByte) else {
            return .failed(HTTPParseError(400, "the request line must be 'METHOD /path HTTP/1.1'"))
        }
        let version = String(parts[2])
        guard version.hasPrefix("HTTP/") else { return .failed(HTTPParseError(400, "the request line must end with the HTTP version")) }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .failed(HTTPParseError(505, "only HTTP/1.1 and HTTP/1.0 are served, got \(version)"))
        }
        let target = String(parts[1])
        guard target.hasPrefix("/") else { return .failed(HTTPParseError(400, "the request target must be a path starting with '/'")) }
        let pathPart: Substring
        let query: Substring
        if let mark = target.firstIndex(of: "?") {
            pathPart = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            pathPart = target[...]
            query = ""
        }
        guard let path = HTTPServerRequest.percentDecode(String(pathPart), plusIsSpace: false) else {
            return .failed(HTTPParseError(400, "the path has a malformed percent escape"))
        }

        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(headerLines.count)
        for raw in headerLines {
            guard raw.first != UInt8(ascii: " "), raw.first != UInt8(ascii: "\t") else {
                return .failed(HTTPParseError(400, "folded header lines are not accepted"))
            }
            guard let colon = raw.firstIndex(of: UInt8(ascii: ":")), colon > raw.startIndex,
                  raw[raw.startIndex..<colon].allSatisfy(Self.isTokenByte),
                  let name = String(validating: raw[raw.startIndex..<colon], as: UTF8.self),
                  let value = String(validating: raw[(colon + 1)...], as: UTF8.self)
            else { return .failed(HTTPParseError(400, "a header line is not 'Name: value'")) }
            headers.append((name, Self.trimmed(value)))
        }
        var request = HTTPServerRequest(method: String(parts[0]), path: path, rawQuery: String(query), headers: headers, version: version)
        if version == "HTTP/1.1" && request.header("Host") == nil {
            return .failed(HTTPParseError(400, "an HTTP/1.1 request needs a Host header"))
        }

        // The body: chunked, Content-Length, or none.
        let transferEncoding = request.header("Transfer-Encoding")?.lowercased()
        let lengths = headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        if let transferEncoding {
            guard lengths.isEmpty else { return .failed(HTTPParseError(400, "a request may not carry both Transfer-Encoding and Content-Length")) }
            guard transferEncoding == "chunked" else {
                return .failed(HTTPParseError(501, "transfer coding '\(transferEncoding)' is not supported; send the body with Content-Length or chunked"))
            }
            switch decodeChunked(buffer, from: bodyStart) {
            case .incomplete: return .incomplete
            case .failed(let error): return .failed(error)
            case .complete(let body, let end):
                request.body = body
                return .complete(request, consumed: end)
            }
        }
        var length = 0
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
                  first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(first)
            else { return .failed(HTTPParseError(400, "Content-Length must be one whole number")) }
            length = value
        }
        if length > limits.maxBodyBytes { return .failed(HTTPParseError(413, "the body is larger than \(limits.maxBodyBytes) bytes")) }
        guard buffer.count - bodyStart >= length else { return .incomplete }
        request.body = Array(buffer[bodyStart..<(bodyStart + length)])
        return .complete(request, consumed: bodyStart + length)
    }

    private enum ChunkResult {
        case incomplete
        case failed(HTTPParseError)
        case complete([UInt8], end: Int)
    }

    /// `size-in-hex[;ext] CRLF data CRLF` … `0 CRLF [trailers] CRLF`.
    private func decodeChunked(_ buffer: [UInt8], from start: Int) -> ChunkResult {
        var body: [UInt8] = []
        var position = start
        while true {
            guard let end = buffer[position...].firstIndex(of: Self.lf) else {
                return buffer.count - position > 1024 ? .failed(HTTPParseError(400, "a chunk size line is malformed")) : .incomplete
            }
            var line = buffer[position..<end]
            if line.last == Self.cr { line = line.dropLast() }
            if let semicolon = line.firstIndex(of: UInt8(ascii: ";")) { line = line[..<semicolon] }
            guard !line.isEmpty, line.count <= 8, let text = String(validating: line, as: UTF8.self), let size = Int(text, radix: 16) else {
                return .failed(HTTPParseError(400, "a chunk size is not hexadecimal"))
            }
            position = end + 1
            if size == 0 {
                // Trailer lines, then an empty line.
                while true {
                    guard let lineEnd = buffer[position...].firstIndex(of: Self.lf) else { return .incomplete }
                    let isEmpty = lineEnd == position || (lineEnd == position + 1 && buffer[position] == Self.cr)
                    position = lineEnd + 1
                    if isEmpty { return .complete(body, end: position) }
                }
            }
            if body.count + size > limits.maxBodyBytes { return .failed(HTTPParseError(413, "the body is larger than \(limits.maxBodyBytes) bytes")) }
            guard buffer.count >= position + size + 2 else { return .incomplete }
            body.append(contentsOf: buffer[position..<(position + size)])
            position += size
            if buffer[position] == Self.cr { position += 1 }
            guard buffer[position] == Self.lf else { return .failed(HTTPParseError(400, "a chunk is longer than its size")) }
            position += 1
        }
    }

    /// RFC 9110 token characters (methods and header names).
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    private static func trimmed(_ s: String) -> String {
        var scalars = Substring(s)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
