/// An `HTTPSending` that hands each request to a server-side handler in the same process, with
/// no socket: the request's method, path, raw query, headers and body bytes reach the handler
/// exactly as a socket server would parse them, and the handler's status, headers and body come
/// back as the response. The same handlers serve a real `HTTPServer`, so code that talks to one
/// talks to the other unchanged.
package struct InProcessTransport: HTTPSending {
    private let handler: HTTPRouter.Handler

    package init(handler: @escaping HTTPRouter.Handler) { self.handler = handler }

    package init(router: HTTPRouter) { self.init(handler: { router.respond(to: $0) }) }

    package func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        guard let target = InProcessTransport.target(of: request.url) else { throw .invalidURL(request.url) }
        let path: String
        let query: String
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = ""
        }
        guard let decodedPath = HTTPServerRequest.percentDecode(path, plusIsSpace: false) else { throw .invalidURL(request.url) }
        let serverRequest = HTTPServerRequest(method: request.method.uppercased(), path: decodedPath, rawQuery: query,
                                              headers: request.headers, body: request.body)
        let response = handler(serverRequest)
        if response.closeWithoutResponse { throw .connectionLost(url: request.url) }
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name] = value }
        headers["Content-Length"] = String(response.body.count)
        return HTTPResponse(status: response.status, headers: headers, body: response.body)
    }

    /// `/path?query` of an absolute `scheme://host[:port]/path?query` URL (`/` when it has no path).
    package static func target(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        guard !rest.isEmpty else { return nil }
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let target = String(rest[slash...])
        return target.hasPrefix("?") ? "/" + target : target
    }
}
