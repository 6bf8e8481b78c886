#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket operation that failed, with the errno it failed with.
package struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    package let operation: String
    package let address: String
    package let code: Int32

    package init(operation: String, address: String, code: Int32) {
        self.operation = operation
        self.address = address
        self.code = code
    }

    package var isAddressInUse: Bool { code == EADDRINUSE }

    package var description: String {
        if code == EADDRINUSE {
            return "cannot listen on \(address): the address is already in use (another process has that port)"
        }
        if code == EACCES {
            return "cannot listen on \(address): permission denied (ports below 1024 need privileges)"
        }
        if code == EADDRNOTAVAIL {
            return "cannot listen on \(address): that address does not belong to this machine"
        }
        return "could not \(operation) \(address): \(String(cString: strerror(code)))"
    }
}

/// Blocking TCP sockets for the HTTP server and its tests: every wait is a `poll` with a
/// timeout, so a thread blocked here notices a stop request within that timeout.
package enum Socket {
    /// What one `receive` got.
    package enum Received: Equatable, Sendable {
        case bytes(Int)
        case closed
        case timedOut
        case failed(Int32)
    }

    /// An IP literal or `localhost`, as a socket address family and bytes.
    package enum Host: Sendable, Equatable {
        case ipv4(String)
        case ipv6(String)

        /// Accepts IPv4 literals (127.0.0.1, 0.0.0.0), IPv6 literals (::1, ::) and `localhost`
        /// (127.0.0.1); nil for anything else, since the server never resolves names.
        package init?(_ text: String) {
            if text == "localhost" { self = .ipv4("127.0.0.1"); return }
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 { self = .ipv4(text); return }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 { self = .ipv6(text); return }
            return nil
        }

        /// `host:port`, with IPv6 literals in brackets.
        package func display(port: UInt16) -> String {
            switch self {
            case .ipv4(let a): return "\(a):\(port)"
            case .ipv6(let a): return "[\(a)]:\(port)"
            }
        }
    }

    /// Binds and listens; returns the socket and the port actually bound (useful for port 0).
    package static func listen(host: Host, port: UInt16, backlog: Int32 = 128) throws(SocketError) -> (fd: Int32, port: UInt16) {
        let address = host.display(port: port)
        let family: Int32
        switch host {
        case .ipv4: family = AF_INET
        case .ipv6: family = AF_INET6
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "create a socket for", address: address, code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bindResult: Int32
        switch host {
        case .ipv4(let text):
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(port).bigEndian
            inet_pton(AF_INET, text, &addr.sin_addr)
            bindResult = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6(let text):
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(port).bigEndian
            inet_pton(AF_INET6, text, &addr.sin6_addr)
            bindResult = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        if bindResult != 0 {
            let code = errno
            Glibc.close(fd)
            throw SocketError(operation: "bind", address: address, code: code)
        }
        if Glibc.listen(fd, backlog) != 0 {
            let code = errno
            Glibc.close(fd)
            throw SocketError(operation: "listen on", address: address, code: code)
        }
        return (fd, boundPort(fd))
    }

    /// The local port of a bound socket.
    package static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// Waits up to `timeoutMs` for a connection; nil on timeout or error.
    package static func accept(_ fd: Int32, timeoutMs: Int32) -> Int32? {
        guard waitReadable(fd, timeoutMs: timeoutMs) == .ready else { return nil }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { return nil }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return client
    }

    package enum Readiness { case ready, timedOut, failed }

    package static func waitReadable(_ fd: Int32, timeoutMs: Int32) -> Readiness {
        wait(fd, events: Int16(POLLIN), timeoutMs: timeoutMs)
    }

    private static func wait(_ fd: Int32, events: Int16, timeoutMs: Int32) -> Readiness {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let n = poll(&entry, 1, timeoutMs)
            if n > 0 { return .ready }
            if n == 0 { return .timedOut }
            if errno == EINTR { continue }
            return .failed
        }
    }

    /// Receives up to `capacity` bytes appended to `buffer`, waiting at most `timeoutMs`.
    package static func receive(_ fd: Int32, into buffer: inout [UInt8], capacity: Int = 16 * 1024, timeoutMs: Int32) -> Received {
        switch waitReadable(fd, timeoutMs: timeoutMs) {
        case .timedOut: return .timedOut
        case .failed: return .failed(errno)
        case .ready: break
        }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: capacity))
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress! + start, capacity, 0) }
            if n > 0 {
                buffer.removeLast(capacity - n)
                return .bytes(n)
            }
            if n < 0 && errno == EINTR { continue }
            let code = errno
            buffer.removeLast(capacity)
            return n == 0 ? .closed : .failed(code)
        }
    }

    /// Sends every byte, waiting at most `timeoutMs` for room each time the peer's window is
    /// full. False when the peer is gone or too slow.
    @discardableResult
    package static func sendAll(_ fd: Int32, _ bytes: [UInt8], timeoutMs: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard var base = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let n = send(fd, base, remaining, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                if n > 0 {
                    remaining -= n
                    base += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    guard wait(fd, events: Int16(POLLOUT), timeoutMs: timeoutMs) == .ready else { return false }
                    continue
                }
                return false
            }
            return true
        }
    }

    /// Stops both directions; a thread blocked in `poll` on `fd` wakes up.
    package static func shutdown(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    package static func close(_ fd: Int32) { _ = Glibc.close(fd) }
}
