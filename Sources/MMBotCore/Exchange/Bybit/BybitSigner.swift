import MMBotSupport

/// Bybit v5 HMAC request signing (reference facts A2): the lower-case hex HMAC-SHA256, keyed by
/// the API secret, of `timestamp + apiKey + recvWindow + payload`, where the payload is the exact
/// query string sent (GET, without `?`) or the exact JSON body bytes sent (POST). The client
/// signs with it and `mmbot exchange-sim` verifies with it.
package enum BybitSigner {
    /// The value of `X-BAPI-SIGN-TYPE` for HMAC-SHA256.
    package static let signType = "2"

    /// The string that is signed, exactly as pybit's `_auth` builds it.
    package static func prehash(timestamp: Int64, apiKey: String, recvWindow: Int64, payload: String) -> String {
        String(timestamp) + apiKey + String(recvWindow) + payload
    }

    package static func signature(secret: Secret, timestamp: Int64, apiKey: String, recvWindow: Int64, payload: String) -> String {
        let message = prehash(timestamp: timestamp, apiKey: apiKey, recvWindow: recvWindow, payload: payload)
        return Hex.encode(HMACSHA256.authenticationCode(key: Array(secret.revealed.utf8), message: message))
    }

    /// Constant-time comparison of two signatures (so a verifier leaks nothing through timing).
    package static func matches(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
