import Foundation

/// AWS Signature Version 4 for one request, step by step as AWS documents it (canonical request,
/// string to sign, derived signing key, signature), over our SHA-256 and HMAC. Held to the
/// aws-c-auth signing test suite and a botocore-verified Secrets Manager vector in
/// MMBotSupportTests.
///
/// The signer keeps no credentials: the secret access key is passed to `sign` and used only to
/// derive the signing key.
package struct SigV4Signer: Sendable {
    package let region: String
    package let service: String

    /// Headers never signed (hop-by-hop or rewritten by proxies), as botocore leaves them out.
    private static let unsignedHeaders: Set<String> = [
        "authorization", "user-agent", "expect", "connection", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "x-amzn-trace-id", "content-length",
    ]

    package init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// The parts of one signature, kept for tests and for debugging a rejected request. None of
    /// them reveals the secret access key.
    package struct Signature: Sendable {
        package let amzDate: String
        package let credentialScope: String
        package let canonicalRequest: String
        package let signedHeaders: String
        package let stringToSign: String
        package let signature: String
        package let authorization: String
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (when a session token is given) and
    /// `Authorization` to `request`, signing every other header it already carries plus `host`.
    @discardableResult
    package func sign(_ request: inout HTTPRequest, accessKeyID: String, secretAccessKey: String, sessionToken: String?,
                      at millis: Int64) throws(HTTPClientError) -> Signature {
        let amzDate = SigV4Signer.amzDate(millis)
        request.setHeader("X-Amz-Date", amzDate)
        if let sessionToken { request.setHeader("X-Amz-Security-Token", sessionToken) }
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        let parts = try signature(for: request, accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, amzDate: amzDate)
        request.setHeader("Authorization", parts.authorization)
        return parts
    }

    /// The signature of `request` as it stands (it must already carry `X-Amz-Date`).
    package func signature(for request: HTTPRequest, accessKeyID: String, secretAccessKey: String, amzDate: String) throws(HTTPClientError) -> Signature {
        guard let components = URLComponents(string: request.url), let host = components.host, !host.isEmpty else {
            throw .invalidURL(request.url)
        }
        var headers: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            guard !SigV4Signer.unsignedHeaders.contains(name) else { continue }
            headers[name, default: []].append(SigV4Signer.canonicalHeaderValue(header.value))
        }
        if headers["host"] == nil { headers["host"] = [SigV4Signer.hostHeader(components)] }
        let names = headers.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let payloadHash = request.header("x-amz-content-sha256") ?? Hex.encode(SHA256.hash(request.body))
        let canonicalRequest = [
            request.method.uppercased(),
            SigV4Signer.canonicalURI(components.percentEncodedPath),
            SigV4Signer.canonicalQuery(components.percentEncodedQuery),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Hex.encode(SHA256.hash(canonicalRequest)))"
        let key = SigV4Signer.signingKey(secretAccessKey: secretAccessKey, day: day, region: region, service: service)
        let signature = Hex.encode(HMACSHA256.authenticationCode(key: key, message: stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(amzDate: amzDate, credentialScope: scope, canonicalRequest: canonicalRequest, signedHeaders: signedHeaders,
                         stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    package static func signingKey(secretAccessKey: String, day: String, region: String, service: String) -> [UInt8] {
        let kDate = HMACSHA256.authenticationCode(key: Array(("AWS4" + secretAccessKey).utf8), message: day)
        let kRegion = HMACSHA256.authenticationCode(key: kDate, message: region)
        let kService = HMACSHA256.authenticationCode(key: kRegion, message: service)
        return HMACSHA256.authenticationCode(key: kService, message: "aws4_request")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC for epoch milliseconds.
    package static func amzDate(_ millis: Int64) -> String {
        let iso = UTCTime.iso(millis - ((millis % 1000) + 1000) % 1000)  // whole seconds, e.g. 2015-08-30T12:36:00Z
        return String(iso.filter { $0 != "-" && $0 != ":" })
    }

    /// `host` as the signature sees it: the port only when it is not the scheme's default.
    package static func hostHeader(_ components: URLComponents) -> String {
        let host = (components.host ?? "").lowercased()
        guard let port = components.port else { return host }
        let scheme = components.scheme?.lowercased()
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }

    /// Trimmed, with runs of spaces and tabs collapsed to one space.
    private static func canonicalHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The path with each byte outside RFC 3986's unreserved set and `/` percent-encoded; the
    /// path is taken as sent (already encoded), so an encoded byte is encoded again, as AWS
    /// requires for every service but S3.
    private static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, keepSlash: true)
    }

    /// Query parameters decoded, re-encoded strictly and sorted by name, then value.
    private static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            let raw = parts.count > 1 ? String(parts[1]) : ""
            let value = raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
            return (uriEncode(name, keepSlash: false), uriEncode(value, keepSlash: false))
        }
        return pairs.sorted {
            $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8)
        }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    package static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
