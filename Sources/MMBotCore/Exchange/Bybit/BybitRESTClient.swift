import MMBotSupport

/// Where a Bybit client reads time and how it waits. Network runs use the system clock and real
/// sleeps; the in-process venue uses the run clock and never sleeps, which keeps its reports
/// byte-identical run to run.
package struct BybitClock: Sendable {
    package var now: @Sendable () -> Millis
    package var sleep: @Sendable (Int64) -> Void

    package init(now: @escaping @Sendable () -> Millis, sleep: @escaping @Sendable (Int64) -> Void) {
        self.now = now
        self.sleep = sleep
    }
}

package struct BybitClientConfig: Sendable {
    /// `https://api-testnet.bybit.com`, `https://api.bybit.com`, or any compatible venue.
    package var baseURL: String
    package var category = "linear"
    /// X-BAPI-RECV-WINDOW in ms (Bybit's default 5000).
    package var recvWindowMs: Int64 = 5_000
    /// Attempts per call for failures that are safe to repeat.
    package var maxAttempts = 4
    /// First back-off after a transient failure; doubles each attempt.
    package var backoffMs: Int64 = 50
    /// Longest single wait for a rate-limit window to reset.
    package var maxRateLimitWaitMs: Int64 = 2_000
    /// After an HTTP 403 (IP limit) no request is sent for this long (Bybit asks for 10 minutes).
    package var ipBanCooldownMs: Int64 = 600_000

    package init(baseURL: String) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
    }
}

/// One v5 REST call before it is sent: parameters in the order they are written on the wire.
package struct BybitCall: Sendable {
    package enum Method: String, Sendable { case get = "GET", post = "POST" }
    package enum Retry: Sendable {
        /// Repeat on any transient failure (reads, cancels: repeating them is harmless).
        case idempotent
        /// Repeat only when the venue certainly did nothing (10002, 10006); an unknown outcome
        /// is thrown to the caller, who must find out before sending again (order creation).
        case onlyWhenNotDone
    }

    package let method: Method
    package let path: String
    package let parameters: [(String, String)]
    package let signed: Bool
    package let retry: Retry

    package init(_ method: Method, _ path: String, _ parameters: [(String, String)], signed: Bool, retry: Retry = .idempotent) {
        self.method = method
        self.path = path
        self.parameters = parameters
        self.signed = signed
        self.retry = retry
    }

    /// `k=v&k=v` as sent and signed, unencoded (values are ids, symbols, numbers and cursors
    /// the venue handed out, which are sent back unchanged).
    package var queryString: String { parameters.map { "\($0.0)=\($0.1)" }.joined(separator: "&") }

    /// The JSON body as sent and signed: the members in order, every value a JSON string.
    package var jsonBody: String {
        var out = "{"
        for (index, (key, value)) in parameters.enumerated() {
            if index > 0 { out.append(",") }
            JSONWriter.writeString(key, to: &out)
            out.append(":")
            JSONWriter.writeString(value, to: &out)
        }
        out.append("}")
        return out
    }
}

/// The v5 REST transport layer: builds and signs requests, parses envelopes, and handles the
/// failures every endpoint shares — clock resync on 10002, waits on 10006 and on an exhausted
/// rate-limit window (X-Bapi-Limit-* headers), a cool-down after HTTP 403, and back-off retries
/// of transient failures where repeating is safe. Single-threaded, like the loop that owns it.
package final class BybitRESTClient {
    package let config: BybitClientConfig
    package let telemetry: VenueTelemetry
    private let credentials: ExchangeCredentials?
    private let transport: any HTTPSending
    private let clock: BybitClock
    private let logger: Logger
    /// Venue clock minus our clock, learned from /v5/market/time.
    package private(set) var clockOffsetMs: Int64 = 0
    private var windows: [String: BybitRateLimit] = [:]
    private var ipBanUntil: Millis?

    package init(config: BybitClientConfig, credentials: ExchangeCredentials?, transport: any HTTPSending, clock: BybitClock,
                 telemetry: VenueTelemetry, logger: Logger) {
        self.config = config
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.telemetry = telemetry
        self.logger = logger
    }

    /// Sends `call`, repeating it as its retry policy allows; returns the `result` of a
    /// retCode 0 answer or throws the last failure.
    package func send(_ call: BybitCall) throws(BybitError) -> JSONValue {
        var attempt = 0
        var resynced = false
        while true {
            attempt += 1
            do {
                return try sendOnce(call)
            } catch {
                telemetry.record(error: error.kind)
                let canRepeat: Bool
                switch error.kind {
                case .clockSkew:
                    canRepeat = !resynced
                    if canRepeat {
                        resynced = true
                        resyncClock()
                    }
                case .rateLimited:
                    canRepeat = true
                case .timeout, .connection, .server:
                    canRepeat = call.retry == .idempotent
                    if canRepeat && attempt < config.maxAttempts { clock.sleep(config.backoffMs << Int64(attempt - 1)) }
                default:
                    canRepeat = false
                }
                guard canRepeat, attempt < config.maxAttempts else { throw error }
                telemetry.record(.retries)
                if logger.isEnabled(.warning) {
                    logger.log(.warning, name: "mm.exchange", component: "bybit_client", event: "bybit_retry", [
                        ("path", .string(call.path)), ("attempt", .int(attempt + 1)), ("error_kind", .string(error.kind.rawValue)),
                        ("error", .string(error.message)),
                    ])
                }
            }
        }
    }

    /// Learns the venue's clock from /v5/market/time (public), measuring around the request.
    package func resyncClock() {
        let before = clock.now()
        do {
            let result = try sendOnce(BybitCall(.get, "/v5/market/time", [], signed: false))
            let after = clock.now()
            let fields = BybitFields(result, "/v5/market/time")
            let server: Int64
            if let nanos = fields.optionalString("timeNano").flatMap({ Int64($0) }) {
                server = nanos / 1_000_000
            } else {
                server = (Int64(try fields.string("timeSecond")) ?? 0) * 1000
            }
            clockOffsetMs = server - (before + after) / 2
            telemetry.record(.clockResyncs)
            logger.log(.warning, name: "mm.exchange", component: "bybit_client", event: "bybit_clock_resynced", [
                ("offset_ms", .int(clockOffsetMs)),
            ])
        } catch {
            telemetry.record(error: error.kind)
            logger.log(.error, name: "mm.exchange", component: "bybit_client", event: "bybit_clock_resync_failed", [
                ("error", .string(error.message)),
            ])
        }
    }

    private func sendOnce(_ call: BybitCall) throws(BybitError) -> JSONValue {
        let endpoint = "\(call.method.rawValue) \(call.path)"
        let now = clock.now()
        if let until = ipBanUntil, now < until {
            throw BybitError(.ipRateLimited, "\(endpoint) not sent: the venue refused this IP with HTTP 403 (IP rate limit); mmbot waits until \(UTCTime.iso(until)) before sending again")
        }
        if let window = windows[call.path], window.remaining <= 0, window.resetAt > now {
            waitForReset(window.resetAt, path: call.path)
        }

        var request = HTTPRequest(method: call.method.rawValue, url: config.baseURL + call.path)
        let payload: String
        switch call.method {
        case .get:
            payload = call.queryString
            if !payload.isEmpty { request.url += "?" + payload }
        case .post:
            payload = call.jsonBody
            request.body = Array(payload.utf8)
            request.setHeader("Content-Type", "application/json")
        }
        if call.signed {
            guard let credentials else {
                throw BybitError(.auth, "\(endpoint) needs API credentials and none were loaded")
            }
            let timestamp = clock.now() + clockOffsetMs
            let key = credentials.apiKey.revealed
            request.setHeader("X-BAPI-API-KEY", key)
            request.setHeader("X-BAPI-TIMESTAMP", String(timestamp))
            request.setHeader("X-BAPI-RECV-WINDOW", String(config.recvWindowMs))
            request.setHeader("X-BAPI-SIGN", BybitSigner.signature(secret: credentials.apiSecret, timestamp: timestamp, apiKey: key,
                                                                   recvWindow: config.recvWindowMs, payload: payload))
            request.setHeader("X-BAPI-SIGN-TYPE", BybitSigner.signType)
        }

        telemetry.record(.requests)
        let response: HTTPResponse
        do {
            response = try transport.send(request)
        } catch {
            switch error {
            case .timedOut:
                throw BybitError(.timeout, "\(endpoint) got no answer in time: \(error.description)")
            case .invalidURL:
                throw BybitError(.connection, "\(endpoint): \(error.description); check --api-base-url / BYBIT_BASE_URL")
            default:
                throw BybitError(.connection, "\(endpoint) failed: \(error.description)")
            }
        }
        if let limit = BybitRateLimit(response) {
            windows[call.path] = limit
            telemetry.record(rateLimit: limit)
        }
        switch response.status {
        case 200:
            break
        case 403:
            ipBanUntil = clock.now() + config.ipBanCooldownMs
            throw BybitError(.ipRateLimited, httpStatus: 403, "\(endpoint) answered HTTP 403: the IP rate limit was breached or this IP is refused; no request is sent for \(config.ipBanCooldownMs / 1000) s")
        case 429, 500...599:
            throw BybitError(.server, httpStatus: response.status, "\(endpoint) answered HTTP \(response.status); the venue may or may not have acted")
        default:
            throw BybitError(.http, httpStatus: response.status, "\(endpoint) answered HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        let envelope = try BybitEnvelope.parse(response.body, endpoint: endpoint)
        guard envelope.retCode != 0 else { return envelope.result }
        let kind = BybitError.kind(retCode: envelope.retCode)
        if kind == .rateLimited {
            let reset = BybitRateLimit(response)?.resetAt ?? (clock.now() + 1_000)
            waitForReset(reset, path: call.path)
        }
        var message = "\(endpoint) was refused with retCode \(envelope.retCode) (\(envelope.retMsg))"
        if kind == .auth { message += ": " + BybitError.advice(retCode: envelope.retCode) }
        throw BybitError(kind, retCode: envelope.retCode, httpStatus: 200, message)
    }

    private func waitForReset(_ resetAt: Millis, path: String) {
        let wait = min(max(resetAt - clock.now(), 1), config.maxRateLimitWaitMs)
        telemetry.record(.rateLimitWaits)
        if logger.isEnabled(.info) {
            logger.log(.info, name: "mm.exchange", component: "bybit_client", event: "bybit_rate_limit_wait", [
                ("path", .string(path)), ("wait_ms", .int(wait)),
            ])
        }
        clock.sleep(wait)
        windows[path] = nil
    }
}
