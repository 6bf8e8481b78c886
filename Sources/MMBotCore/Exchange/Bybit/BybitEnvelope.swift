import Foundation
import MMBotSupport

/// A parsed v5 response: `{"retCode":0,"retMsg":"OK","result":{…},"retExtInfo":{},"time":…}`.
package struct BybitEnvelope: Sendable {
    package let retCode: Int64
    package let retMsg: String
    package let result: JSONValue
    /// The venue's clock (ms) when it answered, when the envelope carries `time`.
    package let time: Int64?

    package static func parse(_ body: [UInt8], endpoint: String) throws(BybitError) -> BybitEnvelope {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes: body)
        } catch {
            throw BybitError(.malformed, "\(endpoint) answered with something other than JSON (\(error.description))")
        }
        guard let code = json["retCode"]?.intValue else {
            throw BybitError(.malformed, "\(endpoint) answered JSON without a numeric retCode; is the base URL a Bybit v5 API?")
        }
        return BybitEnvelope(retCode: code, retMsg: json["retMsg"]?.stringValue ?? "", result: json["result"] ?? .object([:]),
                             time: json["time"]?.intValue)
    }
}

/// Field readers that turn a missing or malformed field into a `BybitError` naming it. Numbers
/// Bybit sends as strings are read as exact decimals from the strings, never through Double.
package struct BybitFields {
    let object: JSONValue
    let context: String

    package init(_ object: JSONValue, _ context: String) {
        self.object = object
        self.context = context
    }

    package func string(_ key: String) throws(BybitError) -> String {
        guard let value = object[key]?.stringValue else { throw missing(key, "a string") }
        return value
    }

    package func optionalString(_ key: String) -> String? { object[key]?.stringValue }

    package func decimal(_ key: String) throws(BybitError) -> Fixed {
        guard let text = object[key]?.stringValue, let value = Fixed(text) else { throw missing(key, "a decimal string") }
        return value
    }

    /// A millisecond timestamp sent as a string ("1672364262444") or a number.
    package func millis(_ key: String) throws(BybitError) -> Int64 {
        if let number = object[key]?.intValue { return number }
        guard let text = object[key]?.stringValue, let value = Int64(text) else { throw missing(key, "a millisecond timestamp") }
        return value
    }

    package func bool(_ key: String) throws(BybitError) -> Bool {
        guard let value = object[key]?.boolValue else { throw missing(key, "a boolean") }
        return value
    }

    package func list(_ key: String = "list") throws(BybitError) -> [JSONValue] {
        guard let value = object[key]?.arrayValue else { throw missing(key, "a list") }
        return value
    }

    package func side(_ key: String = "side") throws(BybitError) -> Side {
        switch try string(key) {
        case "Buy": return .buy
        case "Sell": return .sell
        case let other: throw BybitError(.malformed, "\(context): '\(key)' must be Buy or Sell, got '\(other)'")
        }
    }

    package func symbol(_ key: String = "symbol") throws(BybitError) -> Symbol {
        let text = try string(key)
        guard let symbol = Symbol(validating: text) else { throw BybitError(.malformed, "\(context): '\(text)' is not a symbol") }
        return symbol
    }

    private func missing(_ key: String, _ what: String) -> BybitError {
        BybitError(.malformed, "\(context): field '\(key)' is missing or not \(what)")
    }
}

/// The rate-limit headers of one answer (reference facts A4).
package struct BybitRateLimit: Sendable, Equatable {
    /// `X-Bapi-Limit`: requests allowed per window on this endpoint.
    package let limit: Int64
    /// `X-Bapi-Limit-Status`: requests left in the current window.
    package let remaining: Int64
    /// `X-Bapi-Limit-Reset-Timestamp`: when the window resets (ms).
    package let resetAt: Int64

    package init(limit: Int64, remaining: Int64, resetAt: Int64) {
        self.limit = limit
        self.remaining = remaining
        self.resetAt = resetAt
    }

    /// Nil when the answer carries none (public endpoints, errors before the limiter).
    package init?(_ response: HTTPResponse) {
        guard let remaining = response.header("X-Bapi-Limit-Status").flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) })
        else { return nil }
        self.remaining = remaining
        limit = response.header("X-Bapi-Limit").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } ?? remaining
        resetAt = response.header("X-Bapi-Limit-Reset-Timestamp").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } ?? 0
    }
}
