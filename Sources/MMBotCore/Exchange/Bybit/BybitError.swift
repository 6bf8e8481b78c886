/// A failed Bybit call, typed by what the caller should do about it (reference facts A3).
package struct BybitError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable, CaseIterable {
        /// No answer within the client timeout: the request may or may not have been carried out.
        case timeout
        /// Connection refused, lost or unresolvable: the request may or may not have arrived.
        case connection
        /// HTTP 5xx, or retCode 10000 / 10016 / 429: the venue failed; the outcome is unknown.
        case server
        /// retCode 10006: the per-key (per-UID) rate limit; nothing was done.
        case rateLimited = "rate_limited"
        /// HTTP 403: the per-IP limit was breached (or the IP is refused); back off for minutes.
        case ipRateLimited = "ip_rate_limited"
        /// retCode 10002 (or -1): the timestamp was outside the receive window; nothing was done.
        case clockSkew = "clock_skew"
        /// retCode 10003/10004/10005/10007/10009/10010/10028/10029/33004: a key, signature or
        /// permission problem; retrying cannot help.
        case auth
        /// The venue refused the request itself (a parameter error, an unknown or closed order, …).
        case rejected
        /// Any other HTTP status.
        case http
        /// The answer was not a Bybit envelope (not JSON, or a field missing or malformed).
        case malformed

        /// Whether the request may have been carried out although no success was seen.
        package var outcomeUnknown: Bool { self == .timeout || self == .connection || self == .server }
    }

    package let kind: Kind
    /// The venue's retCode, when there was an envelope.
    package let retCode: Int64?
    package let httpStatus: Int?
    /// One sentence: what happened on which endpoint, and what to do.
    package let message: String

    package init(_ kind: Kind, retCode: Int64? = nil, httpStatus: Int? = nil, _ message: String) {
        self.kind = kind
        self.retCode = retCode
        self.httpStatus = httpStatus
        self.message = message
    }

    package var description: String { message }

    /// What a non-zero retCode means for a caller (reference facts A3).
    package static func kind(retCode: Int64) -> Kind {
        switch retCode {
        case 10002, -1: return .clockSkew
        case 10006, 170005, 170222: return .rateLimited
        case 10000, 10016, 429, 170001, 170007: return .server
        case 10003, 10004, 10005, 10007, 10008, 10009, 10010, 10024, 10027, 10028, 10029, 33004, -2015: return .auth
        default: return .rejected
        }
    }

    /// What an operator should do, appended to auth errors.
    static func advice(retCode: Int64) -> String {
        switch retCode {
        case 10003: return "the API key is not valid for this venue: check --api-env, the credentials, and that the key belongs to this environment (mainnet, testnet and demo keys differ)"
        case 10004: return "the signature was refused: the API secret does not match the key"
        case 10005: return "the key lacks a permission this call needs (read + trade)"
        case 10010: return "the key is bound to other IP addresses"
        default: return "check the key's settings on the venue"
        }
    }
}
