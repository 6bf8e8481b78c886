/// Maps (method, path) to a handler. Pure: `respond(to:)` is what the server calls for every
/// request, and what tests call without a socket.
///
/// HEAD is answered by the GET handler (the server then sends headers only); a path known for
/// other methods answers 405 with `Allow`; an unknown path answers 404, or goes to `fallback`.
package struct HTTPRouter: Sendable {
    package typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    private var routes: [String: [String: Handler]] = [:]
    /// Answers paths no route matches (e.g. an API server's own JSON 404); nil → plain 404.
    package var fallback: Handler?

    package init() {}

    /// Adds (or replaces) the handler for `method` (upper case, e.g. GET) on the exact `path`.
    package mutating func add(_ method: String, _ path: String, _ handler: @escaping Handler) {
        routes[path, default: [:]][method.uppercased()] = handler
    }

    package mutating func get(_ path: String, _ handler: @escaping Handler) { add("GET", path, handler) }
    package mutating func post(_ path: String, _ handler: @escaping Handler) { add("POST", path, handler) }

    /// The methods `path` accepts, sorted, HEAD included wherever GET is.
    package func allowedMethods(_ path: String) -> [String] {
        guard let methods = routes[path] else { return [] }
        var names = Set(methods.keys)
        if names.contains("GET") { names.insert("HEAD") }
        return names.sorted()
    }

    package func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        guard let methods = routes[request.path] else {
            if let fallback { return fallback(request) }
            return .text(404, "no resource at \(request.path)")
        }
        if let handler = methods[request.method] { return handler(request) }
        if request.method == "HEAD", let get = methods["GET"] { return get(request) }
        let allowed = allowedMethods(request.path)
        var response = HTTPServerResponse.text(405, "\(request.method) is not allowed on \(request.path); allowed: \(allowed.joined(separator: ", "))")
        response.headers.append(("Allow", allowed.joined(separator: ", ")))
        return response
    }
}
