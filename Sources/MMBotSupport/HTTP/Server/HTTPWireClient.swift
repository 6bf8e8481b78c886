import Foundation

/// A minimal blocking HTTP/1.1 client over one kept-alive socket, for talking to our own
/// server on loopback: the bench's 100 Hz scraper and the server's tests (which also need to
/// send deliberately broken bytes, which URLSession cannot). Not a general client: responses
/// must carry Content-Length or end with the connection.
package final class HTTPWireClient {
    package struct Response: Sendable {
        package let status: Int
        package let headers: [(name: String, value: String)]
        package let body: [UInt8]
        package func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.name.lowercased() == lower }?.value
        }
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    package struct Failure: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    private let connection: TCPClientSocket
    private var fd: Int32 { connection.descriptor }
    private let timeoutMs: Int32
    private var buffer: [UInt8] = []

    package init(host: Socket.Host = .ipv4("127.0.0.1"), port: UInt16, timeoutMs: Int32 = 5_000) throws(TCPClientSocket.Failure) {
        let address: String
        switch host {
        case .ipv4(let text), .ipv6(let text): address = text
        }
        connection = try TCPClientSocket(host: address, port: Int(port), timeoutMs: Int(timeoutMs))
        self.timeoutMs = timeoutMs
    }

    /// Sends raw bytes as they are.
    package func send(raw: [UInt8]) -> Bool { Socket.sendAll(fd, raw, timeoutMs: timeoutMs) }

    /// Sends one request and reads its response.
    package func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws(Failure) -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        guard send(raw: Array(head.utf8) + body) else { throw Failure(description: "could not send the request") }
        return try readResponse(headRequest: method == "HEAD")
    }

    /// Reads one response. With `headRequest` the body is not read (HEAD has none).
    package func readResponse(headRequest: Bool = false) throws(Failure) -> Response {
        var headerEnd: Int?
        while headerEnd == nil {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headerEnd = end + 4; break }
            try fill()
        }
        let headText = String(decoding: buffer[..<(headerEnd! - 4)], as: UTF8.self)
        let lines = headText.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line '\(lines[0])'") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        buffer.removeFirst(headerEnd!)
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
        var body: [UInt8] = []
        if !headRequest {
            if let length {
                while buffer.count < length { try fill() }
                body = Array(buffer[..<length])
                buffer.removeFirst(length)
            } else {
                while true {
                    do { try fill() } catch { break }
                }
                body = buffer
                buffer.removeAll()
            }
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// True when the server has closed the connection (reads end of stream within `waitMs`).
    package func isClosedByPeer(waitMs: Int32) -> Bool {
        var scratch: [UInt8] = []
        let deadline = Platform.monotonicNanos() + UInt64(waitMs) * 1_000_000
        while Platform.monotonicNanos() < deadline {
            switch Socket.receive(fd, into: &scratch, timeoutMs: 50) {
            case .closed, .failed: return true
            case .bytes, .timedOut: continue
            }
        }
        return false
    }

    private func fill() throws(Failure) {
        switch Socket.receive(fd, into: &buffer, timeoutMs: timeoutMs) {
        case .bytes: return
        case .closed: throw Failure(description: "the server closed the connection")
        case .timedOut: throw Failure(description: "no response within \(timeoutMs) ms")
        case .failed(let code): throw Failure(description: "receive failed (errno \(code))")
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
