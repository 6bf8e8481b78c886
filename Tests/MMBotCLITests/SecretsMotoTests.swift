import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// The aws backend against a real Secrets Manager implementation (moto_server, started by
/// `.ci/run`), checked from the other side with boto3. Each test owns one region, emptied first.
@Suite struct SecretsMotoTests {
    typealias CLI = SecretsCLIHarness

    /// Deletes every secret in the environment's region (restoring soft-deleted ones first).
    static func emptyRegion(_ env: [String: String]) throws {
        _ = try SecretsMoto.boto3("""
        found = [s for page in sm.get_paginator("list_secrets").paginate(IncludePlannedDeletion=True) for s in page["SecretList"]]
        for s in found:
            if s.get("DeletedDate"):
                sm.restore_secret(SecretId=s["ARN"])
            sm.delete_secret(SecretId=s["ARN"], ForceDeleteWithoutRecovery=True)
        left = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
        assert not left, "could not empty the region: %d secrets left" % len(left)
        """, environment: env)
    }

    static func prepare(region: String) throws -> [String: String] {
        let env = try SecretsMoto.environment(region: region, home: try CLI.makeHome())
        try emptyRegion(env)
        return env
    }

    private func expectOK(_ result: CLI.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.isEmpty, "\(result.stderr)", sourceLocation: sourceLocation)
    }

    /// RUNBOOK_SHADOW.md "Method 2": save both halves with mmbot, then read them with boto3 and
    /// with `mmbot secrets fetch`.
    @Test func runbookMethod2SaveWithMmbotReadWithBoto3() throws {
        let env = try Self.prepare(region: "us-east-1")
        let key = "mm-key-Ab3dE5gH7jK9", secret = "mm-secret-Zy8xW6vU4tS2"
        var result = try CLI.run(["secrets", "save", "--backend", "aws", "--exchange", "bybit", "--env", "shadow", "--key-type", "api_key", "--value", key], environment: env)
        expectOK(result)
        #expect(result.json?["status"] as? String == "created")
        #expect(result.json?["name"] as? String == "mm-bot/shadow/bybit/api_key")
        let version = result.json?["version_id"] as? String ?? ""
        #expect(version.count >= 32)
        result = try CLI.run(["secrets", "save", "--backend", "aws", "--exchange", "bybit", "--env", "shadow", "--key-type", "api_secret", "--value", "-"],
                             environment: env, stdin: secret + "\n")
        expectOK(result)

        let check = try SecretsMoto.boto3("""
        k = sm.get_secret_value(SecretId="mm-bot/shadow/bybit/api_key")["SecretString"]
        s = sm.get_secret_value(SecretId="mm-bot/shadow/bybit/api_secret")["SecretString"]
        print("OK" if (k, s) == (os.environ["EXPECT_KEY"], os.environ["EXPECT_SECRET"]) else "MISMATCH")
        """, environment: env.merging(["EXPECT_KEY": key, "EXPECT_SECRET": secret]) { $1 })
        #expect(check == "OK")

        result = try CLI.run(["secrets", "fetch", "--backend", "aws", "--exchange", "bybit", "--env", "shadow"], environment: env)
        expectOK(result)
        #expect(result.json?["api_key"] as? String == "mm-...***")
        #expect(result.json?["api_secret"] as? String == "mm-...***")

        // Saving again stores a new version (PutSecretValue), which boto3 sees as current.
        result = try CLI.run(["secrets", "save", "--backend", "aws", "--env", "shadow", "--key-type", "api_key", "--value", "mm-key-second-000"], environment: env)
        expectOK(result)
        #expect(result.json?["status"] as? String == "updated")
        let current = try SecretsMoto.boto3("""
        v = sm.get_secret_value(SecretId="mm-bot/shadow/bybit/api_key")
        print("OK" if v["SecretString"] == "mm-key-second-000" and "AWSCURRENT" in v["VersionStages"] else "MISMATCH")
        """, environment: env)
        #expect(current == "OK")
    }

    @Test func createdWithBoto3FetchedWithMmbot() throws {
        let env = try Self.prepare(region: "us-west-2")
        _ = try SecretsMoto.boto3("""
        sm.create_secret(Name="mm-bot/prod/bybit/api_key", SecretString="boto-key-1234567")
        sm.create_secret(Name="mm-bot/prod/bybit/api_secret", SecretString="shrt")
        """, environment: env)
        let result = try CLI.run(["secrets", "fetch", "--backend", "aws", "--env", "prod"], environment: env)
        expectOK(result)
        #expect(result.json?["api_key"] as? String == "bot...***")
        #expect(result.json?["api_secret"] as? String == "***")
        // The library path exec-demo will use.
        let runtime = SecretsCommandRuntime.make(env)
        let provider = try SecretProvider(backend: .aws, runtime: runtime)
        let pair = try provider.credentials(env: .prod, exchange: .bybit)
        #expect(pair.apiKey.revealed == "boto-key-1234567")
        #expect(pair.apiSecret.revealed == "shrt")
    }

    @Test func notFound() throws {
        let env = try Self.prepare(region: "eu-west-1")
        let result = try CLI.run(["secrets", "fetch", "--backend", "aws", "--env", "soak"], environment: env)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "mmbot secrets fetch: mm-bot/soak/bybit/api_key does not exist in AWS Secrets Manager in region eu-west-1; save it first ('mmbot secrets save --backend aws --env soak --exchange bybit --key-type api_key --value -'), or check AWS_REGION and the env\n")
        let rotate = try CLI.run(["secrets", "rotate", "--backend", "aws", "--env", "soak", "--key-type", "api_key", "--value", "abcdefgh1"], environment: env)
        #expect(rotate.status == 1)
        #expect(rotate.stderr.contains("nothing to rotate"))
        let delete = try CLI.run(["secrets", "delete", "--backend", "aws", "--env", "soak", "--key-type", "api_key"], environment: env)
        #expect(delete.status == 1)
        #expect(delete.stderr.contains("does not exist in AWS Secrets Manager in region eu-west-1"))
    }

    @Test func rotateKeepsThePreviousVersion() throws {
        let env = try Self.prepare(region: "eu-west-2")
        expectOK(try CLI.run(["secrets", "save", "--backend", "aws", "--env", "dev", "--key-type", "api_secret", "--value", "old-secret-0001"], environment: env))
        let same = try CLI.run(["secrets", "rotate", "--backend", "aws", "--env", "dev", "--key-type", "api_secret", "--value", "old-secret-0001"], environment: env)
        #expect(same.status == 1)
        #expect(same.stderr.contains("is the one already stored"))
        let result = try CLI.run(["secrets", "rotate", "--backend", "aws", "--env", "dev", "--key-type", "api_secret", "--value", "-"],
                                 environment: env, stdin: "new-secret-0002")
        expectOK(result)
        #expect(result.json?["status"] as? String == "rotated")
        #expect(result.json?["previous"] as? String == "old...***")
        #expect(result.json?["value"] as? String == "new...***")
        let previousVersion = try #require(result.json?["previous_version_id"] as? String)
        let newVersion = try #require(result.json?["version_id"] as? String)
        #expect(previousVersion != newVersion)
        let check = try SecretsMoto.boto3("""
        cur = sm.get_secret_value(SecretId="mm-bot/dev/bybit/api_secret")
        prev = sm.get_secret_value(SecretId="mm-bot/dev/bybit/api_secret", VersionStage="AWSPREVIOUS")
        ok = (cur["SecretString"] == "new-secret-0002" and cur["VersionId"] == os.environ["NEW"]
              and prev["SecretString"] == "old-secret-0001" and prev["VersionId"] == os.environ["PREV"])
        print("OK" if ok else "MISMATCH")
        """, environment: env.merging(["NEW": newVersion, "PREV": previousVersion]) { $1 })
        #expect(check == "OK")
    }

    @Test func deleteWithAndWithoutRecovery() throws {
        let env = try Self.prepare(region: "eu-central-1")
        for keyType in ["api_key", "api_secret"] {
            expectOK(try CLI.run(["secrets", "save", "--backend", "aws", "--env", "prod", "--key-type", keyType, "--value", "value-\(keyType)"], environment: env))
        }
        var result = try CLI.run(["secrets", "delete", "--backend", "aws", "--env", "prod", "--key-type", "api_key", "--recovery-days", "7"], environment: env)
        expectOK(result)
        #expect(result.json?["status"] as? String == "scheduled_for_deletion")
        let date = try #require(result.json?["deletion_date"] as? String)
        #expect(date.hasSuffix("Z") && date.count >= 20)
        let scheduled = try CLI.run(["secrets", "fetch", "--backend", "aws", "--env", "prod", "--key-type", "api_key"], environment: env)
        #expect(scheduled.status == 1)
        #expect(scheduled.stderr.hasPrefix("mmbot secrets fetch: mm-bot/prod/bybit/api_key is scheduled for deletion in AWS Secrets Manager"))

        result = try CLI.run(["secrets", "delete", "--backend", "aws", "--env", "prod", "--key-type", "api_secret", "--without-recovery"], environment: env)
        expectOK(result)
        #expect(result.json?["status"] as? String == "deleted")
        let gone = try SecretsMoto.boto3("""
        try:
            sm.get_secret_value(SecretId="mm-bot/prod/bybit/api_secret")
            print("STILL THERE")
        except sm.exceptions.ResourceNotFoundException:
            print("GONE")
        """, environment: env)
        #expect(gone == "GONE")
        let listed = try CLI.run(["secrets", "list", "--backend", "aws"], environment: env)
        #expect(listed.json?["count"] as? Int == 0)
    }

    /// More secrets under mm-bot/ than one ListSecrets page (100): the real ones, created last,
    /// are on the second page.
    @Test func listFollowsPagination() throws {
        let env = try Self.prepare(region: "ap-northeast-1")
        _ = try SecretsMoto.boto3("""
        for i in range(105):
            sm.create_secret(Name="mm-bot/filler/%03d" % i, SecretString="x")
        sm.create_secret(Name="unrelated/app", SecretString="x")
        sm.create_secret(Name="mm-bot/soak/bybit/api_key", SecretString="abcdefgh")
        sm.create_secret(Name="mm-bot/dev/bybit/api_secret", SecretString="abcdefgh")
        """, environment: env)
        let result = try CLI.run(["secrets", "list", "--backend", "aws"], environment: env)
        expectOK(result)
        #expect(result.json?["count"] as? Int == 2)
        #expect((result.json?["secrets"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                == ["mm-bot/dev/bybit/api_secret", "mm-bot/soak/bybit/api_key"])
        let unrecognized = result.json?["unrecognized"] as? [String]
        #expect(unrecognized?.count == 105)
        #expect(unrecognized?.first == "mm-bot/filler/000")

        // The same through the library with two secrets a page, counting the requests.
        let counter = CountingHTTP(HTTPClient(timeoutSeconds: 10))
        let runtime = SecretsCommandRuntime.make(env, http: counter)
        let store = AWSSecretStore(settings: try AWSSettings.resolve(runtime: runtime), runtime: runtime, pageSize: 2)
        let listing = try store.list()
        #expect(listing.entries.map(\.name) == ["mm-bot/dev/bybit/api_secret", "mm-bot/soak/bybit/api_key"])
        #expect(listing.unrecognized.count == 105)
        #expect(counter.count == 54)  // 107 names under mm-bot/, two a page
    }

    @Test func whoamiAsksSTS() throws {
        let env = try Self.prepare(region: "ap-south-1")
        let result = try CLI.run(["secrets", "whoami", "--backend", "aws"], environment: env)
        expectOK(result)
        #expect(result.json?["account"] as? String == "123456789012")
        #expect((result.json?["arn"] as? String)?.hasPrefix("arn:aws:sts::123456789012:") == true)
        #expect(result.json?["region"] as? String == "ap-south-1")
        #expect(result.json?["credentials_source"] as? String == "environment")
        #expect(result.json?["access_key_id"] as? String == "tes...***")
        #expect(result.json?["endpoint_source"] as? String == "AWS_ENDPOINT_URL")
    }

    @Test func sharedCredentialsFileAndServiceEndpoint() throws {
        var env = try Self.prepare(region: "sa-east-1")
        let home = env["HOME"]!
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try "[ops]\naws_access_key_id = opskey\naws_secret_access_key = opssecret\n".write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        env["AWS_ACCESS_KEY_ID"] = nil
        env["AWS_SECRET_ACCESS_KEY"] = nil
        env["AWS_PROFILE"] = "ops"
        env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = env["AWS_ENDPOINT_URL"]
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  // must lose to the service-specific variable
        env["AWS_REGION"] = nil  // AWS_DEFAULT_REGION still names sa-east-1
        let result = try CLI.run(["secrets", "save", "--backend", "aws", "--key-type", "api_key", "--value", "profile-key-001"], environment: env)
        expectOK(result)
        var check = env
        check["AWS_ENDPOINT_URL"] = env["AWS_ENDPOINT_URL_SECRETS_MANAGER"]
        check["AWS_REGION"] = "sa-east-1"
        let seen = try SecretsMoto.boto3("""
        print(sm.get_secret_value(SecretId="mm-bot/dev/bybit/api_key")["SecretString"] == "profile-key-001")
        """, environment: check)
        #expect(seen == "True")
    }
}

/// The CLI's runtime for the library-level checks: real clock, real HTTP, UUID tokens.
enum SecretsCommandRuntime {
    static func make(_ environment: [String: String], http: any HTTPSending = HTTPClient(timeoutSeconds: 10)) -> SecretsRuntime {
        SecretsRuntime(environment: environment, now: { Platform.wallClockMillis() }, sleep: { _ in },
                       newRequestToken: { UUID().uuidString }, http: http, readTextFile: { try? String(contentsOfFile: $0, encoding: .utf8) })
    }
}

/// Counts the requests a real client sends.
final class CountingHTTP: HTTPSending, @unchecked Sendable {
    private let inner: any HTTPSending
    private let lock = NSLock()
    private var sent = 0

    init(_ inner: any HTTPSending) { self.inner = inner }

    var count: Int { lock.withLock { sent } }

    func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        lock.withLock { sent += 1 }
        return try inner.send(request)
    }
}
