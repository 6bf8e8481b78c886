import Dispatch
import Foundation
import Synchronization

/// Why the server could not start.
package struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    package let message: String
    package let addressInUse: Bool
    package var description: String { message }
}

/// A small HTTP/1.1 server: one thread accepts, one thread per connection reads, calls the
/// handler and writes (blocking I/O on dedicated threads, never Swift's cooperative pool).
/// Keep-alive and pipelining are supported; every wait has a deadline (`HTTPServerLimits`), so
/// a slow or silent client costs one thread for at most the request or idle timeout, and the
/// number of such threads is capped by `maxConnections`.
package final class HTTPServer: Sendable {
    private struct State {
        var stopping = false
        var connections: Set<Int32> = []
    }

    /// The port actually bound (the requested one, or the one the kernel chose for port 0).
    package let port: UInt16
    package let host: Socket.Host
    package let limits: HTTPServerLimits
    private let listener: Int32
    private let handler: HTTPRouter.Handler
    private let state = Mutex(State())
    private let threads = DispatchGroup()

    /// Binds and listens at once (so a port conflict is reported before anything else runs);
    /// `start()` begins serving.
    package init(host: Socket.Host, port: UInt16, limits: HTTPServerLimits = HTTPServerLimits(),
                 handler: @escaping HTTPRouter.Handler) throws(HTTPServerError) {
        do {
            let bound = try Socket.listen(host: host, port: port)
            listener = bound.fd
            self.port = bound.port
        } catch {
            throw HTTPServerError(message: error.description, addressInUse: error.isAddressInUse)
        }
        self.host = host
        self.limits = limits
        self.handler = handler
    }

    package convenience init(host: Socket.Host, port: UInt16, limits: HTTPServerLimits = HTTPServerLimits(),
                             router: HTTPRouter) throws(HTTPServerError) {
        try self.init(host: host, port: port, limits: limits, handler: { router.respond(to: $0) })
    }

    /// `host:port` as bound.
    package var address: String { host.display(port: port) }

    package func start() {
        threads.enter()
        let thread = Thread { [self] in
            acceptLoop()
            threads.leave()
        }
        thread.name = "mmbot.http.accept"
        thread.start()
    }

    /// Stops accepting, closes every connection and waits (up to `timeoutMs`) for the threads.
    package func stop(timeoutMs: Int = 2_000) {
        let open = state.withLock { s -> Set<Int32> in
            s.stopping = true
            return s.connections
        }
        Socket.shutdown(listener)
        for fd in open { Socket.shutdown(fd) }
        _ = threads.wait(timeout: .now() + .milliseconds(timeoutMs))
        Socket.close(listener)
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func acceptLoop() {
        while !isStopping {
            guard let fd = Socket.accept(listener, timeoutMs: 200) else { continue }
            let admitted = state.withLock { s -> Bool in
                guard !s.stopping, s.connections.count < limits.maxConnections else { return false }
                s.connections.insert(fd)
                return true
            }
            guard admitted else {
                let response = HTTPServerResponse.text(503, "too many connections (at most \(limits.maxConnections)); retry later")
                Socket.sendAll(fd, response.serialized(headRequest: false, keepAlive: false), timeoutMs: 100)
                Socket.close(fd)
                continue
            }
            threads.enter()
            let thread = Thread { [self] in
                serve(fd)
                state.withLock { _ = $0.connections.remove(fd) }
                Socket.close(fd)
                threads.leave()
            }
            thread.name = "mmbot.http.conn"
            thread.start()
        }
    }

    /// Reads requests from one connection until it closes, errs, idles out or the server stops.
    private func serve(_ fd: Int32) {
        let parser = HTTPRequestParser(limits: limits)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        var requestStarted: UInt64?
        var idleSince = Platform.monotonicNanos()
        while !isStopping {
            if !buffer.isEmpty {
                switch parser.parse(buffer) {
                case .complete(let request, let consumed):
                    buffer.removeFirst(consumed)
                    let keepAlive = request.wantsKeepAlive
                    let response = handler(request)
                    if response.closeWithoutResponse { return }
                    guard Socket.sendAll(fd, response.serialized(headRequest: request.method == "HEAD", keepAlive: keepAlive),
                                         timeoutMs: limits.writeTimeoutMs), keepAlive else { return }
                    requestStarted = buffer.isEmpty ? nil : Platform.monotonicNanos()
                    idleSince = Platform.monotonicNanos()
                    continue
                case .failed(let error):
                    Socket.sendAll(fd, HTTPServerResponse.text(error.status, error.message).serialized(headRequest: false, keepAlive: false),
                                   timeoutMs: 100)
                    return
                case .incomplete:
                    if requestStarted == nil { requestStarted = Platform.monotonicNanos() }
                }
            }
            let now = Platform.monotonicNanos()
            let remainingMs: Int64
            if let started = requestStarted {
                remainingMs = Int64(limits.requestTimeoutMs) - Int64((now - started) / 1_000_000)
                if remainingMs <= 0 {
                    let response = HTTPServerResponse.text(408, "the request was not completed within \(limits.requestTimeoutMs) ms")
                    Socket.sendAll(fd, response.serialized(headRequest: false, keepAlive: false), timeoutMs: 100)
                    return
                }
            } else {
                remainingMs = Int64(limits.idleTimeoutMs) - Int64((now - idleSince) / 1_000_000)
                if remainingMs <= 0 { return }
            }
            switch Socket.receive(fd, into: &buffer, timeoutMs: Int32(min(remainingMs, 250))) {
            case .bytes: continue
            case .timedOut: continue
            case .closed, .failed: return
            }
        }
    }
}
