#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Testing

/// The leak test: every secrets command (and exec-demo) runs with canary credentials in every
/// backend; the full canary values must appear nowhere in stdout, stderr, or any file written
/// except the secrets file itself.
@Suite struct SecretsLeakTests {
    typealias CLI = SecretsCLIHarness

    static let canaries = [
        "CANARYKEY-9f8e7d6c5b4a3210", "CANARYSECRET-1a2b3c4d5e6f7890", "CANARYROTATED-5e4d3c2b1a09",
        "CANARYAWS-0z9y8x7w6v5u4t3s", "CANARYTOKEN-7h6g5f4e3d2c1b0a",
    ]

    final class Transcript {
        var outputs: [(String, CLI.Result)] = []

        func run(_ arguments: [String], _ environment: [String: String], stdin: String? = nil) throws {
            outputs.append((arguments.joined(separator: " "), try CLI.run(arguments, environment: environment, stdin: stdin)))
        }
    }

    private func expectNoCanary(in text: String, _ place: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for canary in Self.canaries where text.contains(canary) {
            Issue.record("a canary credential (\(canary.prefix(9))…) leaked into \(place)", sourceLocation: sourceLocation)
        }
    }

    /// Every regular file under `directory` except `excluding`.
    private func files(under directory: String, excluding: Set<String>) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        for case let relative as String in walker {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue, !excluding.contains(path) {
                found.append(path)
            }
        }
        return found
    }

    @Test func noCommandRevealsACredential() throws {
        let home = try CLI.makeHome()
        let (key, secret, rotated, awsSecret, awsToken) = (Self.canaries[0], Self.canaries[1], Self.canaries[2], Self.canaries[3], Self.canaries[4])
        let moto = try SecretsMoto.url()
        var env = try SecretsMoto.environment(region: "ca-central-1", home: home)
        try SecretsMotoTests.emptyRegion(env)
        env["AWS_SECRET_ACCESS_KEY"] = awsSecret
        env["AWS_SESSION_TOKEN"] = awsToken
        env["BYBIT_API_KEY"] = key
        env["BYBIT_API_SECRET"] = secret
        env["MM_FREEZE_UTC_ISO"] = "2025-01-01T00:00:00Z"
        let secretsFile = home + "/.config/mmbot/secrets.json"
        let t = Transcript()

        // memory
        for arguments in [["fetch"], ["fetch", "--key-type", "api_secret"], ["list"], ["whoami"],
                          ["save", "--key-type", "api_key", "--value", key], ["rotate", "--key-type", "api_key", "--value", rotated],
                          ["delete", "--key-type", "api_key"], ["fetch", "--env", "prod", "--key-type", "api_key"]] {
            try t.run(["secrets"] + arguments + ["--backend", "memory"], env)
        }
        // file and aws: the same life cycle, values through stdin and on the command line
        for backend in ["file", "aws"] {
            try t.run(["secrets", "save", "--backend", backend, "--env", "prod", "--key-type", "api_key", "--value", "-"], env, stdin: key + "\n")
            try t.run(["secrets", "save", "--backend", backend, "--env", "prod", "--key-type", "api_secret", "--value", secret], env)
            try t.run(["secrets", "fetch", "--backend", backend, "--env", "prod"], env)
            try t.run(["secrets", "rotate", "--backend", backend, "--env", "prod", "--key-type", "api_secret", "--value", secret], env)
            try t.run(["secrets", "rotate", "--backend", backend, "--env", "prod", "--key-type", "api_secret", "--value", "-"], env, stdin: rotated)
            try t.run(["secrets", "fetch", "--backend", backend, "--env", "prod"], env)
            try t.run(["secrets", "list", "--backend", backend], env)
            try t.run(["secrets", "whoami", "--backend", backend], env)
            try t.run(["secrets", "delete", "--backend", backend, "--env", "prod", "--key-type", "api_key"] + (backend == "aws" ? ["--without-recovery"] : []), env)
            try t.run(["secrets", "fetch", "--backend", backend, "--env", "prod"], env)
        }
        // failures: a refused file, a bad flag next to a value, AWS unreachable and rejecting
        #expect(chmod(secretsFile, 0o644) == 0)
        try t.run(["secrets", "fetch", "--backend", "file", "--env", "prod"], env)
        #expect(chmod(secretsFile, 0o600) == 0)
        try t.run(["secrets", "save", "--backend", "file", "--key-type", "api_key", "--value", key, "--recovery-days", "7"], env)
        try t.run(["secrets", "fetch", "--backend", "aws"], env.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:9"]) { $1 })
        try t.run(["secrets", "save", "--backend", "aws", "--key-type", "api_key", "--value", key],
                  env.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:9"]) { $1 })
        try t.run(["secrets", "fetch", "--backend", "aws"], env.merging(["AWS_ACCESS_KEY_ID": ""]) { $1 })
        // exec-demo with the same environment, writing its report to a file
        try t.run(["exec-demo", "--shadow", "--iterations", "5", "--log-level", "debug", "--out", home + "/report.json"], env)
        try t.run(["secrets", "--help"], env)

        #expect(t.outputs.count == 35)
        for (command, result) in t.outputs {
            expectNoCanary(in: result.stdout, "stdout of '\(command.prefix(60))'")
            expectNoCanary(in: result.stderr, "stderr of '\(command.prefix(60))'")
        }
        // Sanity: the runs did what they should, so the checks above saw real output.
        #expect(t.outputs.filter { $0.1.status == 0 }.count >= 20)
        #expect(t.outputs.contains { $0.1.stdout.contains("\"api_key\": \"CAN...***\"") })
        #expect(FileManager.default.fileExists(atPath: home + "/report.json"))
        let written = files(under: home, excluding: [secretsFile])
        #expect(written.contains(home + "/report.json"))
        for path in written {
            expectNoCanary(in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "", path)
        }
        // The secrets file itself holds the values (so the scan above could have found them).
        let stored = try String(contentsOfFile: secretsFile, encoding: .utf8)
        #expect(stored.contains(rotated))
        _ = moto
    }
}
