#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP client connection with a connect timeout and a per-call send/receive timeout.
/// Used by the Redis client and `HTTPWireClient`; blocking calls belong on the thread that owns
/// the connection.
package final class TCPClientSocket {
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package enum Kind: Sendable, Equatable { case resolve, connect, timeout, closed, io }
        package let kind: Kind
        package let message: String
        package var description: String { message }
    }

    package let host: String
    package let port: Int
    private var fd: Int32

    /// Connects to `host:port` (a name or a numeric address), giving up after `timeoutMs`;
    /// later sends and receives each give up after `timeoutMs` too.
    package init(host: String, port: Int, timeoutMs: Int) throws(Failure) {
        self.host = host
        self.port = port
        signal(SIGPIPE, SIG_IGN)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(kind: .resolve, message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = Failure(kind: .connect, message: "cannot connect to \(host):\(port)")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let s = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            if s < 0 { continue }
            do throws(Failure) {
                try TCPClientSocket.connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen, host: host, port: port, timeoutMs: timeoutMs)
                var one: Int32 = 1
                setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                var tv = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                fd = s
                return
            } catch {
                Glibc.close(s)
                lastError = error
            }
        }
        throw lastError
    }

    private static func connect(_ s: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t,
                                host: String, port: Int, timeoutMs: Int) throws(Failure) {
        let flags = fcntl(s, F_GETFL, 0)
        _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(s, address, length) != 0 {
            guard errno == EINPROGRESS else {
                throw Failure(kind: .connect, message: "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
            }
            var poller = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
            var ready: Int32
            repeat { ready = poll(&poller, 1, Int32(timeoutMs)) } while ready < 0 && errno == EINTR
            if ready == 0 {
                throw Failure(kind: .timeout, message: "connecting to \(host):\(port) timed out after \(timeoutMs) ms")
            }
            var soError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(s, SOL_SOCKET, SO_ERROR, &soError, &size)
            if ready < 0 || soError != 0 {
                let code = soError != 0 ? soError : errno
                throw Failure(kind: .connect, message: "cannot connect to \(host):\(port): \(String(cString: strerror(code)))")
            }
        }
        _ = fcntl(s, F_SETFL, flags)
    }

    deinit { close() }

    package var isOpen: Bool { fd >= 0 }

    /// The connected socket, for callers that poll and read it themselves (the connection still
    /// owns it and closes it).
    package var descriptor: Int32 { fd }

    /// Sends every byte or throws.
    package func send(_ bytes: [UInt8]) throws(Failure) {
        guard fd >= 0 else { throw Failure(kind: .closed, message: "connection to \(host):\(port) is closed") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno, "sending to")
            }
            offset += n
        }
    }

    /// Receives up to `maximum` bytes, appending them to `buffer`; throws `.closed` when the peer
    /// closed the connection and `.timeout` when nothing arrived in time.
    package func receive(into buffer: inout [UInt8], maximum: Int = 64 * 1024) throws(Failure) {
        guard fd >= 0 else { throw Failure(kind: .closed, message: "connection to \(host):\(port) is closed") }
        var chunk = [UInt8](repeating: 0, count: maximum)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return
            }
            if n == 0 { throw Failure(kind: .closed, message: "\(host):\(port) closed the connection") }
            if errno == EINTR { continue }
            throw failure(errno, "receiving from")
        }
    }

    private func failure(_ code: Int32, _ what: String) -> Failure {
        if code == EAGAIN || code == EWOULDBLOCK {
            return Failure(kind: .timeout, message: "\(what) \(host):\(port) timed out")
        }
        return Failure(kind: .io, message: "\(what) \(host):\(port) failed: \(String(cString: strerror(code)))")
    }

    package func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
