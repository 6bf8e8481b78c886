#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Testing

/// `mmbot secrets` end to end, memory and file backends, and every kind of bad input: the exit
/// code, stdout and one line on stderr.
@Suite struct SecretsCommandTests {
    typealias CLI = SecretsCLIHarness

    private func expectUsage(_ arguments: [String], _ environment: [String: String] = [:], stdin: String? = nil, message: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        var env = environment
        if env["HOME"] == nil { env["HOME"] = try CLI.makeHome() }
        let result = try CLI.run(["secrets"] + arguments, environment: env, stdin: stdin)
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("--help"), sourceLocation: sourceLocation)
    }

    private func expectFailure(_ result: CLI.Result, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    /// RUNBOOK_SHADOW.md "Method 1", exactly as written there.
    @Test func runbookMethod1EnvironmentVariablesAndFetch() throws {
        let result = try CLI.run(["secrets", "fetch", "--exchange", "bybit", "--env", "dev"], environment: [
            "HOME": try CLI.makeHome(), "BYBIT_API_KEY": "test_api_key_for_shadow", "BYBIT_API_SECRET": "test_api_secret_for_shadow",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == """
        {
          "api_key": "tes...***",
          "api_secret": "tes...***",
          "backend": "memory",
          "env": "dev",
          "exchange": "bybit"
        }

        """)
    }

    @Test func defaultsComeFromSecretsBackendAndMMEnv() throws {
        let home = try CLI.makeHome()
        let file = home + "/s.json"
        let saved = try CLI.run(["secrets", "save", "--key-type", "api_key", "--value", "-"],
                                environment: ["HOME": home, "SECRETS_BACKEND": "file", "MM_ENV": "soak", "MMBOT_SECRETS_FILE": file],
                                stdin: "soak-key-0001\n")
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.json?["name"] as? String == "mm-bot/soak/bybit/api_key")
        #expect(saved.json?["backend"] as? String == "file")
        #expect(saved.json?["status"] as? String == "created")
        #expect(saved.json?["value"] as? String == "soa...***")
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(stored.contains("\"mm-bot/soak/bybit/api_key\": \"soak-key-0001\""))
    }

    @Test func shortValuesAreMaskedCompletely() throws {
        let result = try CLI.run(["secrets", "fetch", "--key-type", "api_secret"],
                                 environment: ["HOME": try CLI.makeHome(), "BYBIT_API_SECRET": "abcdef"])
        #expect(result.status == 0)
        #expect(result.json?["api_secret"] as? String == "***")
        #expect(result.json?["api_key"] == nil)
    }

    @Test func fileBackendLifecycle() throws {
        let home = try CLI.makeHome()
        let env = ["HOME": home]
        let path = home + "/.config/mmbot/secrets.json"
        var result = try CLI.run(["secrets", "save", "--backend", "file", "--env", "prod", "--key-type", "api_key", "--value", "prod-key-00001"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        result = try CLI.run(["secrets", "save", "--backend", "file", "--env", "prod", "--key-type", "api_secret", "--value", "-"],
                             environment: env, stdin: "prod-secret-0002\r\n")
        #expect(result.status == 0, "\(result.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        result = try CLI.run(["secrets", "fetch", "--backend", "file", "--env", "prod"], environment: env)
        #expect(result.status == 0)
        #expect(result.json?["api_key"] as? String == "pro...***")
        #expect(result.json?["api_secret"] as? String == "pro...***")

        result = try CLI.run(["secrets", "rotate", "--backend", "file", "--env", "prod", "--key-type", "api_key", "--value", "next-key-00003"], environment: env)
        #expect(result.status == 0)
        #expect(result.json?["previous"] as? String == "pro...***")
        #expect(result.json?["value"] as? String == "nex...***")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("next-key-00003"))

        result = try CLI.run(["secrets", "list", "--backend", "file"], environment: env)
        #expect(result.status == 0)
        #expect(result.json?["count"] as? Int == 2)
        #expect((result.json?["secrets"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                == ["mm-bot/prod/bybit/api_key", "mm-bot/prod/bybit/api_secret"])

        result = try CLI.run(["secrets", "whoami", "--backend", "file"], environment: env)
        #expect(result.json?["path"] as? String == path)
        #expect(result.json?["entries"] as? Int == 2)

        result = try CLI.run(["secrets", "delete", "--backend", "file", "--env", "prod", "--key-type", "api_key"], environment: env)
        #expect(result.status == 0)
        #expect(result.json?["status"] as? String == "deleted")
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "file", "--env", "prod"], environment: env),
                      "mmbot secrets fetch: mm-bot/prod/bybit/api_key is not in \(path)")
        expectFailure(try CLI.run(["secrets", "delete", "--backend", "file", "--env", "prod", "--key-type", "api_key"], environment: env),
                      "is not in")
    }

    @Test func worldReadableFileIsRefused() throws {
        let home = try CLI.makeHome()
        let path = home + "/secrets.json"
        let env = ["HOME": home, "MMBOT_SECRETS_FILE": path]
        #expect(try CLI.run(["secrets", "save", "--backend", "file", "--key-type", "api_key", "--value", "dev-key-000001"], environment: env).status == 0)
        #expect(chmod(path, 0o644) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "file"], environment: env),
                      "has mode 0644, so group or others can access it; mmbot refuses such a secrets file, as ssh does a private key: run 'chmod 600 \(path)'")
        expectFailure(try CLI.run(["secrets", "save", "--backend", "file", "--key-type", "api_secret", "--value", "x1234567"], environment: env), "chmod 600")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func malformedFileIsRefusedAndUntouched() throws {
        let home = try CLI.makeHome()
        let path = home + "/secrets.json"
        let text = "{\"secrets\": {\"mm-bot/dev/bybit/api_key\": \"abc\""
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
        let env = ["HOME": home, "MMBOT_SECRETS_FILE": path]
        for arguments in [["fetch"], ["save", "--key-type", "api_secret", "--value", "value-000001"], ["list"],
                          ["delete", "--key-type", "api_key"], ["rotate", "--key-type", "api_key", "--value", "value-000002"]] {
            expectFailure(try CLI.run(["secrets"] + arguments + ["--backend", "file"], environment: env),
                          "\(path) is not a valid mmbot secrets file: it is not valid JSON (error at byte \(text.utf8.count)); mmbot left it untouched")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func unreadableFileIsOneClearLine() throws {
        let home = try CLI.makeHome()
        #expect(FileManager.default.createFile(atPath: home + "/blocker", contents: Data("x".utf8)))
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "file"], environment: ["HOME": home, "MMBOT_SECRETS_FILE": home + "/blocker/secrets.json"]),
                      "could not open \(home)/blocker/secrets.json: Not a directory")
        try FileManager.default.createDirectory(atPath: home + "/dir.json", withIntermediateDirectories: true)
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "file"], environment: ["HOME": home, "MMBOT_SECRETS_FILE": home + "/dir.json"]),
                      "is not a regular file")
    }

    @Test func memoryBackendIsReadOnlyAndSaysWhatToDo() throws {
        let env = ["HOME": try CLI.makeHome()]
        expectFailure(try CLI.run(["secrets", "save", "--key-type", "api_key", "--value", "value-000001"], environment: env),
                      "mmbot secrets save: the memory backend is read-only")
        expectFailure(try CLI.run(["secrets", "fetch"], environment: env), "BYBIT_API_KEY is not set; export BYBIT_API_KEY")
        let listed = try CLI.run(["secrets", "list"], environment: env.merging(["BYBIT_API_SECRET": "abcdefgh"]) { $1 })
        #expect(listed.json?["count"] as? Int == 1)
        let who = try CLI.run(["secrets", "whoami"], environment: env.merging(["BYBIT_API_KEY": "abcdefgh"]) { $1 })
        #expect((who.json?["variables"] as? [String: String]) == ["BYBIT_API_KEY": "set", "BYBIT_API_SECRET": "unset"])
    }

    @Test func badInputIsAUsageError() throws {
        try expectUsage([], message: "mmbot secrets: missing action; expected one of fetch|save|delete|list|rotate|whoami")
        try expectUsage(["peek"], message: "unknown action 'peek'")
        try expectUsage(["fetch", "--backend", "vault"], message: "--backend must be one of memory|file|aws, got 'vault'")
        try expectUsage(["fetch", "--env", "live"], message: "--env must be one of dev|shadow|soak|prod, got 'live'")
        try expectUsage(["fetch", "--exchange", "binance"], message: "--exchange must be one of bybit, got 'binance'")
        try expectUsage(["fetch", "--key-type", "password"], message: "--key-type must be one of api_key|api_secret, got 'password'")
        try expectUsage(["save", "--key-type", "api_key"], message: "mmbot secrets save: save needs --value VALUE, or --value - to read it from stdin")
        try expectUsage(["save", "--value", "abc"], message: "save needs --key-type api_key|api_secret")
        try expectUsage(["save", "--key-type", "api_key", "--value"], message: "--value needs a value (VALUE)")
        try expectUsage(["save", "--key-type", "api_key", "--value", ""], message: "--value is empty")
        try expectUsage(["save", "--key-type", "api_key", "--value", "-"], stdin: "", message: "--value - read an empty value from stdin")
        try expectUsage(["save", "--key-type", "api_key", "--value", "-"], stdin: "two\nlines\n", message: "--value contains a line break")
        try expectUsage(["fetch", "--value", "abc"], message: "--value is not used by fetch")
        try expectUsage(["list", "--env", "dev"], message: "--env is not used by list")
        try expectUsage(["delete", "--key-type", "api_key", "--recovery-days", "7", "--backend", "file"], message: "--recovery-days applies only to --backend aws")
        try expectUsage(["delete", "--key-type", "api_key", "--recovery-days", "3", "--backend", "aws"], message: "--recovery-days must be a whole number from 7 to 30")
        try expectUsage(["delete", "--key-type", "api_key", "--recovery-days", "7", "--without-recovery", "--backend", "aws"], message: "exclude each other")
        try expectUsage(["fetch", "--bogus"], message: "unknown option '--bogus'")
        try expectUsage(["fetch"], ["SECRETS_BACKEND": "vault"], message: "SECRETS_BACKEND must be one of memory|file|aws, got 'vault'")
        try expectUsage(["fetch"], ["MM_ENV": "staging"], message: "MM_ENV must be one of dev|shadow|soak|prod, got 'staging'")
    }

    @Test func helpListsTheActionsAndExitsZero() throws {
        let result = try CLI.run(["secrets", "--help"])
        #expect(result.status == 0)
        for word in ["fetch", "save", "delete", "list", "rotate", "whoami", "--value", "SECRETS_BACKEND", "MMBOT_SECRETS_FILE"] {
            #expect(result.stdout.contains(word), "\(word)")
        }
        let root = try CLI.run(["--help"])
        #expect(root.stdout.contains("secrets"))
    }

    @Test func missingAWSConfigurationIsARuntimeError() throws {
        let home = try CLI.makeHome()
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "aws"], environment: ["HOME": home, "AWS_REGION": "us-east-1"]),
                      "mmbot secrets fetch: no AWS credentials found")
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "aws"], environment: ["HOME": home, "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]),
                      "no AWS region set: export AWS_REGION")
    }

    @Test func awsEndpointDownIsOneClearLine() throws {
        let env = ["HOME": try CLI.makeHome(), "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "us-east-1",
                   "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:9"]
        let started = Date()
        expectFailure(try CLI.run(["secrets", "fetch", "--backend", "aws"], environment: env),
                      "mmbot secrets fetch: could not reach AWS Secrets Manager for GetSecretValue on mm-bot/dev/bybit/api_key: could not connect to http://127.0.0.1:9/: connection refused")
        #expect(Date().timeIntervalSince(started) < 10)
        expectFailure(try CLI.run(["secrets", "save", "--backend", "aws", "--key-type", "api_key", "--value", "abcdefgh"], environment: env),
                      "(http://127.0.0.1:9, AWS_ENDPOINT_URL_SECRETS_MANAGER)")
    }
}
