/// A failure talking to Redis. `server` carries an error reply; the others mean the connection
/// could not be used.
package struct RedisError: Error, Sendable, CustomStringConvertible, Equatable {
    package enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke and reconnecting gave up.
        case unreachable
        /// Redis answered with an error reply (`-ERR ...`).
        case server
        /// AUTH or SELECT was refused.
        case login
        /// Redis sent something that is not RESP2.
        case protocolError
    }

    package let kind: Kind
    package let message: String
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    package var description: String { message }
}

/// Our Redis client: RESP2 over one blocking TCP connection, commands sent alone or pipelined.
///
/// It logs in with AUTH and SELECT from the URL on every (re)connection. A send or receive that
/// fails or times out closes the connection; the client then reconnects with exponential backoff
/// (`retryDelaysMs`) and sends the whole pipeline again, so callers must only pipeline commands
/// that are safe to repeat (SET, SADD, SREM, DEL, EXPIRE are; INCR is not). When every retry fails
/// the call throws `.unreachable`.
package final class RedisClient {
    package struct Options: Sendable {
        /// Connect, send and receive timeout for each attempt.
        package var timeoutMs: Int
        /// Pauses before each reconnection attempt; their count is the number of retries.
        package var retryDelaysMs: [Int64]
        package init(timeoutMs: Int = 2_000, retryDelaysMs: [Int64] = [50, 100, 200, 400, 800]) {
            self.timeoutMs = timeoutMs
            self.retryDelaysMs = retryDelaysMs
        }
    }

    package enum Event: Sendable {
        /// An attempt failed; the client waits `delayMs` and reconnects.
        case retrying(error: String, attempt: Int, delayMs: Int64)
        /// A new connection is logged in.
        case connected(reconnect: Bool)
    }

    package let url: RedisURL
    package let options: Options
    /// Told about retries and reconnections (the store logs them).
    package var onEvent: ((Event) -> Void)?
    package private(set) var reconnects = 0
    package private(set) var roundTrips = 0
    private var socket: TCPClientSocket?
    private var parser = RESPParser()
    private var everConnected = false

    package init(url: RedisURL, options: Options = Options()) {
        self.url = url
        self.options = options
    }

    /// Connects and logs in now (otherwise the first command does).
    package func connect() throws(RedisError) {
        _ = try withRetries { () throws(RedisError) in try ensureConnected() }
    }

    /// One command; an error reply throws `.server`.
    @discardableResult
    package func command(_ arguments: [String]) throws(RedisError) -> RESPValue {
        let reply = try pipeline([arguments])[0]
        if case .error(let message) = reply { throw RedisError(.server, "Redis refused \(arguments.first ?? ""): \(message)") }
        return reply
    }

    /// Sends every command in one write and reads one reply per command, in order. Error
    /// replies are returned in place, not thrown.
    package func pipeline(_ commands: [[String]]) throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        var bytes: [UInt8] = []
        for command in commands { RESPEncoder.append(command, to: &bytes) }
        return try pipeline(encoded: bytes, count: commands.count)
    }

    /// `pipeline` for commands already encoded with `RESPEncoder`.
    package func pipeline(encoded bytes: [UInt8], count: Int) throws(RedisError) -> [RESPValue] {
        try withRetries { () throws(RedisError) -> [RESPValue] in
            try ensureConnected()
            return try exchange(bytes, count: count)
        }
    }

    package func close() {
        socket?.close()
        socket = nil
    }

    // MARK: Internals

    private func withRetries<T>(_ body: () throws(RedisError) -> T) throws(RedisError) -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch {
                guard error.kind == .unreachable || error.kind == .protocolError, attempt < options.retryDelaysMs.count else {
                    throw error
                }
                close()
                let delay = options.retryDelaysMs[attempt]
                attempt += 1
                onEvent?(.retrying(error: error.message, attempt: attempt, delayMs: delay))
                Platform.sleep(milliseconds: delay)
            }
        }
    }

    private func ensureConnected() throws(RedisError) {
        if socket != nil { return }
        let connection: TCPClientSocket
        do {
            connection = try TCPClientSocket(host: url.host, port: url.port, timeoutMs: options.timeoutMs)
        } catch {
            throw RedisError(.unreachable, "Redis at \(url) is unreachable: \(error.message)")
        }
        socket = connection
        parser = RESPParser()
        var login: [[String]] = []
        if let password = url.password {
            login.append(url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if url.database != 0 { login.append(["SELECT", String(url.database)]) }
        if !login.isEmpty {
            var bytes: [UInt8] = []
            for command in login { RESPEncoder.append(command, to: &bytes) }
            let replies: [RESPValue]
            do {
                replies = try exchange(bytes, count: login.count)
            } catch {
                close()
                throw error
            }
            for (command, reply) in zip(login, replies) {
                if case .error(let message) = reply {
                    close()
                    throw RedisError(.login, "Redis at \(url) refused \(command[0]): \(message)")
                }
            }
        }
        if everConnected { reconnects += 1 }
        onEvent?(.connected(reconnect: everConnected))
        everConnected = true
    }

    private func exchange(_ bytes: [UInt8], count: Int) throws(RedisError) -> [RESPValue] {
        guard let socket else { throw RedisError(.unreachable, "Redis at \(url) is not connected") }
        roundTrips += 1
        var replies: [RESPValue] = []
        replies.reserveCapacity(count)
        do {
            try socket.send(bytes)
            var incoming: [UInt8] = []
            while replies.count < count {
                if let reply = try parser.next() {
                    replies.append(reply)
                    continue
                }
                incoming.removeAll(keepingCapacity: true)
                try socket.receive(into: &incoming)
                parser.feed(incoming)
            }
        } catch let failure as TCPClientSocket.Failure {
            close()
            throw RedisError(.unreachable, "Redis at \(url) is unreachable: \(failure.message)")
        } catch let failure as RESPParser.ProtocolError {
            close()
            throw RedisError(.protocolError, "Redis at \(url): \(failure.reason)")
        } catch {
            close()
            throw RedisError(.unreachable, "Redis at \(url): \(error)")
        }
        return replies
    }
}
