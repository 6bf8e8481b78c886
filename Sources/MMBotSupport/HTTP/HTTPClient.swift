import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A minimal blocking HTTP/1.1 client over URLSession: one request in, one response out, with a
/// timeout for the whole exchange. No cookies, no cache; the body is sent byte for byte.
package final class HTTPClient: HTTPSending {
    package let timeoutSeconds: Double
    private let session: URLSession

    package init(timeoutSeconds: Double = 10) {
        precondition(timeoutSeconds > 0, "timeoutSeconds must be positive")
        self.timeoutSeconds = timeoutSeconds
        let configuration = URLSessionConfiguration.ephemeral
        // URLSession on Linux counts its timeouts in whole seconds (a sub-second one fails at
        // once), so it gets at least one second and the wait in `send` enforces sub-second ones.
        configuration.timeoutIntervalForRequest = max(1, timeoutSeconds.rounded(.up))
        configuration.timeoutIntervalForResource = max(1, timeoutSeconds.rounded(.up))
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
    }

    // Asynchronous on purpose: invalidateAndCancel() waits on the session's queue, which
    // deadlocks if the last reference goes away on that queue.
    deinit { session.finishTasksAndInvalidate() }

    package func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else { throw .invalidURL(request.url) }
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: max(1, timeoutSeconds.rounded(.up)))
        urlRequest.httpMethod = request.method
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }

        let outcome = Outcome()
        let target = request.url, timeout = timeoutSeconds
        // The handler must not capture self: it runs on the session's queue.
        let task = session.dataTask(with: urlRequest) { data, response, error in
            outcome.finish(HTTPClient.result(url: target, timeout: timeout, data: data, response: response, error: error))
        }
        task.resume()
        // URLSession enforces whole-second timeouts itself; this wait enforces sub-second ones
        // and is a backstop in case it does not.
        let backstop = timeoutSeconds < 1 ? timeoutSeconds : timeoutSeconds + 5
        if outcome.done.wait(timeout: .now() + backstop) == .timedOut {
            task.cancel()
            throw .timedOut(url: request.url, seconds: timeoutSeconds)
        }
        return try outcome.take().get()
    }

    private static func result(url: String, timeout: Double, data: Data?, response: URLResponse?, error: (any Error)?) -> Result<HTTPResponse, HTTPClientError> {
        if let error {
            return .failure(classify(error, url: url, timeout: timeout))
        }
        guard let http = response as? HTTPURLResponse else {
            return .failure(.transport(url: url, reason: "the reply was not an HTTP response"))
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name)] = String(describing: value)
        }
        return .success(HTTPResponse(status: http.statusCode, headers: headers, body: data.map { [UInt8]($0) } ?? []))
    }

    private static func classify(_ error: any Error, url: String, timeout: Double) -> HTTPClientError {
        guard let urlError = error as? URLError else {
            return .transport(url: url, reason: String(describing: error))
        }
        switch urlError.code {
        case .timedOut:
            return .timedOut(url: url, seconds: timeout)
        case .cannotConnectToHost:
            return .connectionRefused(url: url)
        case .cannotFindHost, .dnsLookupFailed:
            return .cannotResolveHost(url: url)
        case .networkConnectionLost:
            return .connectionLost(url: url)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired:
            return .tls(url: url, reason: urlError.localizedDescription)
        default:
            return .transport(url: url, reason: urlError.localizedDescription)
        }
    }

    /// The completion handler's result, handed from URLSession's queue to the blocked caller.
    private final class Outcome: Sendable {
        let done = DispatchSemaphore(value: 0)
        private let value = Mutex<Result<HTTPResponse, HTTPClientError>?>(nil)

        func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
            value.withLock { $0 = result }
            done.signal()
        }

        func take() -> Result<HTTPResponse, HTTPClientError> {
            value.withLock { $0 } ?? .failure(.transport(url: "", reason: "no result was recorded"))
        }
    }
}
