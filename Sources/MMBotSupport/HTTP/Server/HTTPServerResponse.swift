/// A response a handler returns. `Content-Length` and `Connection` are set by the server; any
/// other header (e.g. Bybit's `X-Bapi-Limit-Status`) is sent as given, in order.
package struct HTTPServerResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// When true the server closes the connection without writing anything: a dropped answer, as
    /// a fault-injecting test server (`mmbot exchange-sim --fault-drop-ack-rate`) needs.
    package var closeWithoutResponse = false

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package init(status: Int, contentType: String, body: String, headers: [(name: String, value: String)] = []) {
        self.init(status: status, headers: [("Content-Type", contentType)] + headers, body: Array(body.utf8))
    }

    /// A `text/plain` response; the message gets a trailing newline.
    package static func text(_ status: Int, _ message: String) -> HTTPServerResponse {
        HTTPServerResponse(status: status, contentType: "text/plain; charset=utf-8", body: message + "\n")
    }

    /// An `application/json` response; `json` must already be serialised.
    package static func json(_ status: Int, _ json: String) -> HTTPServerResponse {
        HTTPServerResponse(status: status, contentType: "application/json", body: json + "\n")
    }

    /// Closes the connection without an answer.
    package static let dropConnection: HTTPServerResponse = {
        var response = HTTPServerResponse(status: 0)
        response.closeWithoutResponse = true
        return response
    }()

    package func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The bytes on the wire. A response to HEAD keeps its `Content-Length` and drops the body.
    package func serialized(headRequest: Bool, keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(HTTPServerResponse.reasonPhrase(status))\r\n"
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "connection" { continue }
            head += "\(name): \(value)\r\n"
        }
        if status >= 200 && status != 204 && status != 304 {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if !headRequest { bytes.append(contentsOf: body) }
        return bytes
    }

    package static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
