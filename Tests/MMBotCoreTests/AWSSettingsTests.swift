import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

/// Region, credential and endpoint resolution, with the shared files given as text.
@Suite struct AWSSettingsTests {
    struct NoHTTP: HTTPSending {
        func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse { throw .transport(url: request.url, reason: "offline test") }
    }

    static func runtime(_ environment: [String: String], files: [String: String] = [:]) -> SecretsRuntime {
        SecretsRuntime(environment: environment, now: { 0 }, sleep: { _ in }, newRequestToken: { "token" }, http: NoHTTP(),
                       readTextFile: { files[$0] })
    }

    static func resolve(_ environment: [String: String], files: [String: String] = [:]) throws(SecretStoreError) -> AWSSettings {
        try AWSSettings.resolve(runtime: runtime(environment, files: files))
    }

    static func failure(_ environment: [String: String], files: [String: String] = [:]) -> SecretStoreError? {
        do { _ = try resolve(environment, files: files); return nil } catch { return error }
    }

    static let keys = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_REGION": "us-east-1"]

    @Test func environmentCredentialsAndDefaults() throws {
        let settings = try Self.resolve(Self.keys.merging(["AWS_SESSION_TOKEN": "tok"]) { $1 })
        #expect(settings.credentials.accessKeyID == "AKIDENV")
        #expect(settings.credentials.secretAccessKey.revealed == "env-secret")
        #expect(settings.credentials.sessionToken?.revealed == "tok")
        #expect(settings.credentials.source == "environment")
        #expect(settings.region == "us-east-1")
        #expect(settings.secretsManagerEndpoint == "https://secretsmanager.us-east-1.amazonaws.com")
        #expect(settings.stsEndpoint == "https://sts.us-east-1.amazonaws.com")
        #expect(try Self.resolve(Self.keys.merging(["AWS_SECURITY_TOKEN": "legacy"]) { $1 }).credentials.sessionToken?.revealed == "legacy")
        #expect(try Self.resolve(Self.keys.merging(["AWS_REGION": "cn-north-1"]) { $1 }).secretsManagerEndpoint
                == "https://secretsmanager.cn-north-1.amazonaws.com.cn")
    }

    @Test func halfSetEnvironmentCredentialsAreAnError() {
        let onlyKey = Self.failure(["AWS_ACCESS_KEY_ID": "AKID", "AWS_REGION": "us-east-1"])
        #expect(onlyKey?.kind == .configuration)
        #expect(onlyKey?.message.contains("AWS_SECRET_ACCESS_KEY is not") == true)
        #expect(Self.failure(["AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "us-east-1"])?.message.contains("AWS_ACCESS_KEY_ID is not") == true)
    }

    @Test func regionOrder() throws {
        var env = Self.keys
        env["AWS_DEFAULT_REGION"] = "eu-west-1"
        #expect(try Self.resolve(env).region == "us-east-1")
        env["AWS_REGION"] = nil
        #expect(try Self.resolve(env).region == "eu-west-1")
        #expect(try Self.resolve(env).regionSource == "AWS_DEFAULT_REGION")
        env["AWS_DEFAULT_REGION"] = nil
        env["HOME"] = "/home/u"
        let fromConfig = try Self.resolve(env, files: ["/home/u/.aws/config": "[default]\nregion = ap-south-1\n"])
        #expect(fromConfig.region == "ap-south-1")
        let missing = Self.failure(env)
        #expect(missing?.kind == .configuration)
        #expect(missing?.message.contains("export AWS_REGION") == true)
        env["AWS_REGION"] = "US East"
        #expect(Self.failure(env)?.message.contains("is not an AWS region name") == true)
    }

    @Test func sharedCredentialsFileWithProfiles() throws {
        let credentials = """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [ops]
        aws_access_key_id=AKIDOPS
        aws_secret_access_key=ops-secret
        aws_session_token = ops-token
        s3 =
          max_concurrent_requests = 2
        """
        let files = ["/home/u/.aws/credentials": credentials]
        let base = ["HOME": "/home/u", "AWS_REGION": "us-east-1"]
        let fallback = try Self.resolve(base, files: files)
        #expect(fallback.credentials.accessKeyID == "AKIDDEFAULT")
        #expect(fallback.credentials.source == "shared credentials file /home/u/.aws/credentials [default]")
        let ops = try Self.resolve(base.merging(["AWS_PROFILE": "ops"]) { $1 }, files: files)
        #expect(ops.credentials.accessKeyID == "AKIDOPS")
        #expect(ops.credentials.secretAccessKey.revealed == "ops-secret")
        #expect(ops.credentials.sessionToken?.revealed == "ops-token")
        // The environment wins over the file, as in botocore.
        #expect(try Self.resolve(base.merging(Self.keys) { $1 }.merging(["AWS_PROFILE": "ops"]) { $1 }, files: files).credentials.accessKeyID == "AKIDENV")
        // AWS_SHARED_CREDENTIALS_FILE moves the file.
        let moved = try Self.resolve(base.merging(["AWS_SHARED_CREDENTIALS_FILE": "/etc/creds"]) { $1 }, files: ["/etc/creds": credentials])
        #expect(moved.credentials.accessKeyID == "AKIDDEFAULT")
        let unknown = Self.failure(base.merging(["AWS_PROFILE": "nope"]) { $1 }, files: files)
        #expect(unknown?.message.contains("AWS profile 'nope' is not in") == true)
    }

    @Test func configFileProfileSection() throws {
        let config = "[profile ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\nregion = eu-central-1\n"
        let settings = try Self.resolve(["HOME": "/h", "AWS_PROFILE": "ci"], files: ["/h/.aws/config": config])
        #expect(settings.credentials.accessKeyID == "AKIDCI")
        #expect(settings.region == "eu-central-1")
        let half = Self.failure(["HOME": "/h", "AWS_REGION": "us-east-1"], files: ["/h/.aws/credentials": "[default]\naws_access_key_id = X\n"])
        #expect(half?.message.contains("has only one of") == true)
    }

    @Test func noCredentialsAtAll() {
        let error = Self.failure(["HOME": "/h", "AWS_REGION": "us-east-1"])
        #expect(error?.kind == .configuration)
        #expect(error?.message.hasPrefix("no AWS credentials found") == true)
    }

    @Test func endpointOrder() throws {
        var env = Self.keys
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000/"
        #expect(try Self.resolve(env).secretsManagerEndpoint == "http://127.0.0.1:5000")
        #expect(try Self.resolve(env).stsEndpoint == "http://127.0.0.1:5000")
        env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "http://127.0.0.1:6000"
        env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:7000"
        let specific = try Self.resolve(env)
        #expect(specific.secretsManagerEndpoint == "http://127.0.0.1:6000")
        #expect(specific.secretsManagerEndpointSource == "AWS_ENDPOINT_URL_SECRETS_MANAGER")
        #expect(specific.stsEndpoint == "http://127.0.0.1:7000")
        #expect(specific.stsEndpointSource == "AWS_ENDPOINT_URL_STS")
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try Self.resolve(env).secretsManagerEndpoint == "https://secretsmanager.us-east-1.amazonaws.com")
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = nil
        env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "127.0.0.1:6000"
        #expect(Self.failure(env)?.message.contains("AWS_ENDPOINT_URL_SECRETS_MANAGER '127.0.0.1:6000' is not an endpoint URL") == true)
    }

    @Test func profileFileParser() {
        let parsed = AWSProfileFile.parse("[a]\r\nK = v = w\r\n; c\n[b]\nx=1\n  nested=2\n")
        #expect(parsed["a"]?["k"] == "v = w")
        #expect(parsed["b"] == ["x": "1"])
    }
}
