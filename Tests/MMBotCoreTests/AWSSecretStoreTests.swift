import Foundation
import Synchronization
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// What moto cannot show: throttling, 5xx, access-denied and expired-token answers, retried and
/// explained. A scripted transport stands in for AWS here; everything else about the AWS backend
/// runs against moto in MMBotCLITests.
@Suite struct AWSSecretStoreTests {
    final class ScriptedHTTP: HTTPSending {
        private let state: Mutex<(replies: [HTTPResponse], requests: [HTTPRequest])>

        init(_ replies: [HTTPResponse]) { state = Mutex((replies, [])) }

        var requests: [HTTPRequest] { state.withLock { $0.requests } }

        func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
            let reply: HTTPResponse? = state.withLock { s in
                s.requests.append(request)
                return s.replies.isEmpty ? nil : s.replies.removeFirst()
            }
            guard let reply else { throw .transport(url: request.url, reason: "no scripted reply left") }
            return reply
        }
    }

    final class Sleeps: Sendable {
        let values = Mutex<[Int64]>([])
    }

    static func reply(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    static func error(_ status: Int, _ type: String, _ message: String) -> HTTPResponse {
        reply(status, #"{"__type":"\#(type)","message":"\#(message)"}"#)
    }

    static let id = SecretIdentifier(env: .prod, exchange: .bybit, keyType: .apiKey)

    static func store(_ http: ScriptedHTTP, sleeps: Sleeps = Sleeps(), tokens: [String] = ["token-1", "token-2", "token-3"]) -> AWSSecretStore {
        let queue = Mutex(tokens)
        let runtime = SecretsRuntime(
            environment: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "eu-west-1",
                          "AWS_ENDPOINT_URL": "https://sm.example.test"],
            now: { 1_440_938_160_000 }, sleep: { ms in sleeps.values.withLock { $0.append(ms) } },
            newRequestToken: { queue.withLock { $0.isEmpty ? "exhausted" : $0.removeFirst() } }, http: http, readTextFile: { _ in nil })
        let settings = try! AWSSettings.resolve(runtime: runtime)
        return AWSSecretStore(settings: settings, runtime: runtime)
    }

    private func failure(_ body: () throws -> Void) -> SecretStoreError? {
        do {
            try body()
            return nil
        } catch let error as SecretStoreError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func requestsAreSignedAwsJson() throws {
        let http = ScriptedHTTP([Self.reply(200, #"{"Name":"mm-bot/prod/bybit/api_key","SecretString":"abcdefgh","VersionId":"v1","CreatedDate":1.523477145713E9}"#)])
        let value = try Self.store(http).fetch(Self.id)
        #expect(value.revealed == "abcdefgh")
        let request = try #require(http.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://sm.example.test/")
        #expect(request.header("X-Amz-Target") == "secretsmanager.GetSecretValue")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
        #expect(request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/20150830/eu-west-1/secretsmanager/aws4_request, SignedHeaders=accept-encoding;content-type;host;x-amz-date;x-amz-target, Signature=") == true)
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"SecretId":"mm-bot/prod/bybit/api_key"}"#)
    }

    @Test func throttlingAndServerErrorsAreRetriedWithBackoff() throws {
        let http = ScriptedHTTP([
            Self.error(400, "ThrottlingException", "Rate exceeded"),
            Self.reply(503, "<html>Service Unavailable</html>"),
            Self.error(500, "InternalServiceError", "oops"),
            Self.reply(200, #"{"ARN":"arn","Name":"mm-bot/prod/bybit/api_key","VersionId":"v2"}"#),
        ])
        let sleeps = Sleeps()
        let receipt = try Self.store(http, sleeps: sleeps).save(Self.id, value: Secret("new-value-1234"))
        #expect(receipt == SecretWriteReceipt(created: false, versionID: "v2"))
        #expect(sleeps.values.withLock { $0 } == [200, 400, 800])
        // Every attempt carries the same ClientRequestToken, so a retried write is idempotent.
        let bodies = http.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(bodies.count == 4)
        #expect(Set(bodies).count == 1)
        #expect(bodies[0].contains(#""ClientRequestToken":"token-1""#))
    }

    @Test func retriesStopAfterTheLastAttempt() {
        let http = ScriptedHTTP(Array(repeating: Self.error(429, "TooManyRequestsException", "slow down"), count: 4))
        let error = failure { _ = try Self.store(http).fetch(Self.id) }
        #expect(error?.kind == .service)
        #expect(error?.message == "AWS Secrets Manager kept throttling on GetSecretValue on mm-bot/prod/bybit/api_key (TooManyRequestsException: slow down) after 4 attempts; retry later")
        #expect(http.requests.count == 4)
    }

    @Test func clientErrorsAreNotRetried() {
        let http = ScriptedHTTP([Self.error(400, "com.amazonaws.secretsmanager#AccessDeniedException:extra", "User arn:aws:iam::1:user/x is not authorized")])
        let error = failure { _ = try Self.store(http).fetch(Self.id) }
        #expect(error?.kind == .accessDenied)
        #expect(error?.message.contains("(AccessDeniedException: User arn:aws:iam::1:user/x is not authorized)") == true)
        #expect(http.requests.count == 1)
    }

    @Test(arguments: [
        ("UnrecognizedClientException", SecretStoreError.Kind.accessDenied, "check the access key id and secret access key"),
        ("InvalidSignatureException", .accessDenied, "check the access key id"),
        ("ExpiredTokenException", .expiredCredentials, "has expired"),
        ("RequestExpired", .expiredCredentials, "clock"),
        ("ResourceNotFoundException", .notFound, "does not exist in AWS Secrets Manager in region eu-west-1"),
        ("InvalidParameterException", .service, "refused GetSecretValue on mm-bot/prod/bybit/api_key with HTTP 400"),
    ])
    func errorsBecomeOneSentence(code: String, kind: SecretStoreError.Kind, text: String) {
        let error = failure { _ = try Self.store(ScriptedHTTP([Self.error(400, code, "details")])).fetch(Self.id) }
        #expect(error?.kind == kind)
        #expect(error?.message.contains(text) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("\n") == false)
    }

    @Test func headerErrorTypeAndNonJSONBodies() {
        let http = ScriptedHTTP([Self.reply(403, "<html>Forbidden</html>", headers: ["x-amzn-ErrorType": "AccessDeniedException:http://internal"])])
        #expect(failure { _ = try Self.store(http).fetch(Self.id) }?.kind == .accessDenied)
        let garbage = ScriptedHTTP([Self.reply(200, "<ListAllMyBucketsResult/>")])
        let error = failure { _ = try Self.store(garbage).fetch(Self.id) }
        #expect(error?.message.contains("answered GetSecretValue with HTTP 200 and a body that is not AWS Secrets Manager's") == true)
    }

    @Test func echoedValuesAreRedactedFromErrors() {
        let canary = "CANARY-echoed-4b7e"
        let http = ScriptedHTTP([Self.error(400, "InvalidParameterException", "bad value \(canary)")])
        let error = failure { _ = try Self.store(http).save(Self.id, value: Secret(canary)) }
        #expect(error?.message.contains(canary) == false)
        #expect(error?.message.contains("<redacted>") == true)
    }

    @Test func saveCreatesWhenAbsentWithAFreshToken() throws {
        let http = ScriptedHTTP([
            Self.error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
            Self.reply(200, #"{"ARN":"arn","Name":"mm-bot/prod/bybit/api_key","VersionId":"token-2"}"#),
        ])
        let receipt = try Self.store(http).save(Self.id, value: Secret("value-00001"))
        #expect(receipt == SecretWriteReceipt(created: true, versionID: "token-2"))
        #expect(http.requests.map { $0.header("X-Amz-Target") } == ["secretsmanager.PutSecretValue", "secretsmanager.CreateSecret"])
        let create = String(decoding: http.requests[1].body, as: UTF8.self)
        #expect(create.contains(#""ClientRequestToken":"token-2""#))
        #expect(create.contains(#""Name":"mm-bot/prod/bybit/api_key""#))
    }

    @Test func networkFailuresAreNotRetried() {
        final class Refusing: HTTPSending {
            func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse { throw .connectionRefused(url: request.url) }
        }
        let runtime = SecretsRuntime(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B", "AWS_REGION": "us-east-1",
                                                   "AWS_ENDPOINT_URL": "http://127.0.0.1:9"],
                                     now: { 0 }, sleep: { _ in Issue.record("slept on a network failure") }, newRequestToken: { "t" },
                                     http: Refusing(), readTextFile: { _ in nil })
        let store = AWSSecretStore(settings: try! AWSSettings.resolve(runtime: runtime), runtime: runtime)
        let error = failure { _ = try store.fetch(Self.id) }
        #expect(error?.kind == .network)
        #expect(error?.message.hasPrefix("could not reach AWS Secrets Manager for GetSecretValue on mm-bot/prod/bybit/api_key: could not connect to http://127.0.0.1:9/: connection refused") == true)
    }

    @Test func backoffPolicy() {
        let policy = AWSRetryPolicy(maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 5_000)
        #expect((1...7).map(policy.delay(afterAttempt:)) == [200, 400, 800, 1_600, 3_200, 5_000, 5_000])
        #expect(AWSServiceError.normalize(code: "aws.protocoltests#FooError:http://x") == "FooError")
    }
}
