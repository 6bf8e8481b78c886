import Foundation
import MMBotSupport

/// An error answer from an AWS service, with the error code normalized the way botocore does it
/// (the part after the last `#`, before any `:`).
package struct AWSServiceError: Error, Sendable, Equatable {
    package let status: Int
    package let code: String
    package let message: String

    package init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    package static func normalize(code raw: String) -> String {
        var code = raw
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        return code.trimmingCharacters(in: .whitespaces)
    }

    /// Throttling codes AWS services use; these and HTTP 429 / 5xx are worth another attempt.
    private static let throttlingCodes: Set<String> = [
        "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "RequestThrottled",
        "RequestThrottledException", "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "TransactionInProgressException",
    ]

    package var isThrottling: Bool { status == 429 || AWSServiceError.throttlingCodes.contains(code) }
    package var isRetryable: Bool { isThrottling || status >= 500 }
}

/// Why an AWS call failed: no HTTP answer, an error answer, or an answer we could not read.
package enum AWSCallError: Error, Sendable, Equatable {
    case network(HTTPClientError)
    /// The error of the last attempt and how many attempts were made.
    case service(AWSServiceError, attempts: Int)
    case malformedResponse(status: Int)
}

/// Retries for throttling and 5xx answers: `maxAttempts` in all, waiting `baseDelayMs`, then
/// twice that, and so on up to `maxDelayMs`. Network failures are not retried: the caller gets a
/// clear error at once rather than a long hang against an endpoint that is down.
package struct AWSRetryPolicy: Sendable, Equatable {
    package var maxAttempts: Int
    package var baseDelayMs: Int64
    package var maxDelayMs: Int64

    package init(maxAttempts: Int = 4, baseDelayMs: Int64 = 200, maxDelayMs: Int64 = 5_000) {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1")
        self.maxAttempts = maxAttempts
        self.baseDelayMs = baseDelayMs
        self.maxDelayMs = maxDelayMs
    }

    /// The wait after failed attempt `attempt` (1-based).
    package func delay(afterAttempt attempt: Int) -> Int64 {
        let shift = min(attempt - 1, 30)
        return min(maxDelayMs, baseDelayMs << Int64(shift))
    }
}

/// Signs (SigV4, a fresh X-Amz-Date per attempt), sends, and retries one AWS request.
package struct AWSRequestSender: Sendable {
    package let service: String
    package let endpoint: String
    package let region: String
    package let credentials: AWSCredentials
    package let runtime: SecretsRuntime
    package let retry: AWSRetryPolicy

    package init(service: String, endpoint: String, region: String, credentials: AWSCredentials, runtime: SecretsRuntime,
                 retry: AWSRetryPolicy = AWSRetryPolicy()) {
        self.service = service
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.runtime = runtime
        self.retry = retry
    }

    /// POSTs `body` to the endpoint's root with `headers`; returns a 2xx response, or throws.
    /// `parseError` reads the service's error body; `redacting` lists values that must not
    /// survive into an error message even if the service echoes them.
    package func post(headers: [(name: String, value: String)], body: [UInt8], redacting: [String],
                      parseError: (HTTPResponse) -> (code: String, message: String)?) throws(AWSCallError) -> HTTPResponse {
        let signer = SigV4Signer(region: region, service: service)
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPRequest(method: "POST", url: endpoint + "/", headers: headers, body: body)
            let response: HTTPResponse
            do {
                try signer.sign(&request, accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey.revealed,
                                sessionToken: credentials.sessionToken?.revealed, at: runtime.now())
                response = try runtime.http.send(request)
            } catch {
                throw .network(error)
            }
            if (200..<300).contains(response.status) { return response }
            let parsed = parseError(response)
            let headerCode = response.header("x-amzn-errortype").map(AWSServiceError.normalize(code:))
            let code = parsed.map { AWSServiceError.normalize(code: $0.code) } ?? headerCode ?? "HTTP\(response.status)"
            var message = (parsed?.message ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for value in redacting where !value.isEmpty { message = message.replacingOccurrences(of: value, with: "<redacted>") }
            let error = AWSServiceError(status: response.status, code: code.isEmpty ? "HTTP\(response.status)" : code, message: message)
            guard error.isRetryable, attempt < retry.maxAttempts else { throw .service(error, attempts: attempt) }
            runtime.sleep(retry.delay(afterAttempt: attempt))
        }
    }
}
