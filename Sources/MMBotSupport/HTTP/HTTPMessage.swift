/// One HTTP request as a client sends it: the bytes of the body are sent exactly as given, which
/// is what request signing (AWS SigV4, Bybit HMAC) requires.
package struct HTTPRequest: Sendable {
    package var method: String
    package var url: String
    /// Header names as written; sent in this order. Use `setHeader` to replace one.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Replaces every header called `name` (any case) with one `name: value`.
    package mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
        headers.append((name, value))
    }

    package func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// A response: status, headers with lower-cased names, and the body bytes.
package struct HTTPResponse: Sendable {
    package let status: Int
    package let headers: [String: String]
    package let body: [UInt8]

    package init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    package func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why a request got no HTTP response at all. An HTTP error status is not one of these: it is a
/// response, and what it means is the caller's business.
package enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case timedOut(url: String, seconds: Double)
    case connectionRefused(url: String)
    case cannotResolveHost(url: String)
    case connectionLost(url: String)
    case tls(url: String, reason: String)
    case transport(url: String, reason: String)

    package var description: String {
        switch self {
        case .invalidURL(let url):
            return "'\(url)' is not an http:// or https:// URL with a host"
        case .timedOut(let url, let seconds):
            return "\(url) did not answer within \(HTTPClientError.formatSeconds(seconds)) s"
        case .connectionRefused(let url):
            return "could not connect to \(url): connection refused (is the service running and the address right?)"
        case .cannotResolveHost(let url):
            return "could not resolve the host of \(url) (check the address and DNS)"
        case .connectionLost(let url):
            return "the connection to \(url) was lost before a full response arrived"
        case .tls(let url, let reason):
            return "the TLS handshake with \(url) failed: \(reason)"
        case .transport(let url, let reason):
            return "the request to \(url) failed: \(reason)"
        }
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Anything that can carry out one HTTP exchange and block until it is over: the URLSession
/// client, or a test double standing in for a peer that cannot run on loopback.
package protocol HTTPSending: Sendable {
    func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse
}
