import Foundation
import MMBotCore
import MMBotSupport

/// `mmbot secrets fetch|save|delete|list|rotate|whoami`: credential storage from the command
/// line. One JSON object on stdout; values only ever masked; errors as one line on stderr.
package enum SecretsCommand {
    package static let name = "mmbot secrets"

    package enum Action: String, CaseIterable, Sendable {
        case fetch, save, delete, list, rotate, whoami
    }

    package static let specs: [OptionSpec] = [
        OptionSpec("--backend", value: "NAME", default: "$SECRETS_BACKEND, else memory",
                   help: "memory (read-only: <EXCHANGE>_API_KEY/_SECRET variables), file (0600 JSON file) or aws (Secrets Manager)."),
        OptionSpec("--exchange", value: "NAME", default: "bybit", help: "The exchange the credential is for: bybit."),
        OptionSpec("--env", value: "ENV", default: "$MM_ENV, else dev", help: "dev, shadow, soak or prod."),
        OptionSpec("--key-type", value: "TYPE",
                   help: "api_key or api_secret; required by save, rotate and delete; fetch shows both when omitted."),
        OptionSpec("--value", value: "VALUE",
                   help: "The value to save or rotate to; '-' reads it from stdin (keeps it out of shell history)."),
        OptionSpec("--recovery-days", value: "DAYS", default: "AWS's 30",
                   help: "delete with --backend aws: days (7-30) AWS keeps the secret restorable."),
        OptionSpec("--without-recovery", help: "delete with --backend aws: delete at once, with no recovery window."),
    ]

    package static let usage = "mmbot secrets <fetch|save|delete|list|rotate|whoami> [options]"
    package static let summary = """
    Stores and reads exchange API credentials. Secret names are mm-bot/<env>/<exchange>/<key_type>
    (file and aws backends). Output is one JSON object on stdout; a value is never printed, only
    masked: its first three characters then '...***', or '***' for six characters or fewer.

    ACTIONS:
      fetch    Show the api_key and api_secret (masked) for --env and --exchange.
      save     Store --value as --key-type, creating the secret when absent.
      rotate   Replace an existing --key-type with a different --value (AWS keeps the old one as AWSPREVIOUS).
      delete   Delete --key-type.
      list     List the credentials the backend holds (names only).
      whoami   Show where the backend reads from (aws: region, endpoint, credential source, and the
               caller identity from STS GetCallerIdentity).
    """
    package static let footer = """
    ENVIRONMENT:
      SECRETS_BACKEND                   Default for --backend.
      MM_ENV                            Default for --env.
      BYBIT_API_KEY, BYBIT_API_SECRET   The memory backend's values.
      MMBOT_SECRETS_FILE                The file backend's file (default ~/.config/mmbot/secrets.json).
      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE,
      AWS_CONFIG_FILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL,
      AWS_ENDPOINT_URL_STS              The aws backend's credentials, region and endpoints (docs/secrets.md).

    EXIT CODES: 0 success, 1 runtime failure (not found, refused file, AWS error, endpoint down), 2 bad input.
    """

    /// One validated invocation.
    package struct Invocation: Sendable {
        package var action: Action
        package var backend: SecretBackend
        package var env: DeploymentEnv
        package var exchange: CredentialExchange
        package var keyType: SecretKeyType?
        package var value: Secret?
        package var deleteOptions: SecretDeleteOptions
    }

    /// Parses and validates; `readStdin` is called only for `--value -`.
    package static func parse(_ arguments: [String], environment: [String: String], readStdin: () -> [UInt8]) throws(UsageError) -> Invocation {
        let o = try OptionParser.parse(arguments, specs: specs, command: name, allowPositionals: 1)
        guard let actionText = o.positionals.first else {
            throw UsageError(name, "missing action; expected one of \(Action.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        guard let action = Action(rawValue: actionText.lowercased()) else {
            throw UsageError(name, "unknown action '\(actionText)'; expected one of \(Action.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        let command = "\(name) \(action.rawValue)"

        let backend: SecretBackend
        if o.isSet("--backend") {
            backend = try o.choice("--backend", default: .memory)
        } else {
            do { backend = try SecretProvider.defaultBackend(environment: environment) } catch { throw UsageError(command, error.message) }
        }
        let env: DeploymentEnv
        if o.isSet("--env") {
            env = try o.choice("--env", default: .dev)
        } else {
            do { env = try SecretProvider.defaultEnv(environment: environment) } catch { throw UsageError(command, error.message) }
        }
        let exchange: CredentialExchange = try o.choice("--exchange", default: .bybit)
        let keyType: SecretKeyType? = o.isSet("--key-type") ? try o.choice("--key-type", default: .apiKey) : nil

        func refuse(_ flag: String, _ usedBy: String) throws(UsageError) {
            if o.isSet(flag) { throw UsageError(command, "\(flag) is not used by \(action.rawValue) (only by \(usedBy)); drop it") }
        }
        switch action {
        case .fetch:
            try refuse("--value", "save and rotate")
        case .save, .rotate, .delete:
            guard keyType != nil else {
                throw UsageError(command, "\(action.rawValue) needs --key-type api_key|api_secret")
            }
            if action == .delete { try refuse("--value", "save and rotate") }
        case .list, .whoami:
            try refuse("--env", "fetch, save, rotate and delete")
            try refuse("--exchange", "fetch, save, rotate and delete")
            try refuse("--key-type", "fetch, save, rotate and delete")
            try refuse("--value", "save and rotate")
        }
        if action != .delete {
            try refuse("--recovery-days", "delete with --backend aws")
            try refuse("--without-recovery", "delete with --backend aws")
        } else if backend != .aws {
            for flag in ["--recovery-days", "--without-recovery"] where o.isSet(flag) {
                throw UsageError(command, "\(flag) applies only to --backend aws (the \(backend.rawValue) backend deletes at once); drop it")
            }
        }
        var deleteOptions = SecretDeleteOptions()
        if action == .delete {
            if o.isSet("--recovery-days") {
                deleteOptions.recoveryDays = Int(try o.integer("--recovery-days", default: 30, range: 7...30))
            }
            deleteOptions.withoutRecovery = o.flag("--without-recovery", default: false)
            if deleteOptions.recoveryDays != nil && deleteOptions.withoutRecovery {
                throw UsageError(command, "--recovery-days and --without-recovery exclude each other; choose one")
            }
        }

        var value: Secret?
        if action == .save || action == .rotate {
            guard let text = o.string("--value") else {
                throw UsageError(command, "\(action.rawValue) needs --value VALUE, or --value - to read it from stdin")
            }
            value = try readValue(text, command: command, readStdin: readStdin)
        }
        return Invocation(action: action, backend: backend, env: env, exchange: exchange, keyType: keyType, value: value,
                          deleteOptions: deleteOptions)
    }

    /// The value itself, or stdin for `-` (one trailing line break dropped). Messages never
    /// contain the value.
    private static func readValue(_ text: String, command: String, readStdin: () -> [UInt8]) throws(UsageError) -> Secret {
        var value = text
        if text == "-" {
            var bytes = readStdin()
            if bytes.last == 0x0A { bytes.removeLast() }
            if bytes.last == 0x0D { bytes.removeLast() }
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw UsageError(command, "--value - read bytes from stdin that are not UTF-8 text")
            }
            guard !decoded.isEmpty else { throw UsageError(command, "--value - read an empty value from stdin; pipe or type the value, then end with Ctrl-D") }
            value = decoded
        }
        guard !value.isEmpty else { throw UsageError(command, "--value is empty; give the value, or - to read it from stdin") }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw UsageError(command, "--value contains a line break or another control character; a credential is one line of text")
        }
        guard value.utf8.count <= 65_536 else { throw UsageError(command, "--value is longer than 65536 bytes, the Secrets Manager limit") }
        return Secret(value)
    }

    /// Carries out the invocation and prints the result. Returns the exit code.
    package static func run(_ invocation: Invocation, runtime: SecretsRuntime) -> ExitCode {
        let command = "\(name) \(invocation.action.rawValue)"
        do {
            let store = try invocation.backend.makeStore(runtime: runtime)
            let result = try perform(invocation, store: store)
            Platform.writeStdout(JSONWriter.string(.object(result), pretty: true) + "\n")
            return .success
        } catch {
            Platform.writeStderr("\(command): \(error.message)\n")
            return .failure
        }
    }

    private static func perform(_ inv: Invocation, store: any SecretStore) throws(SecretStoreError) -> [String: JSONValue] {
        var out: [String: JSONValue] = ["backend": .string(inv.backend.rawValue)]
        func identify(_ keyType: SecretKeyType) -> SecretIdentifier {
            let id = SecretIdentifier(env: inv.env, exchange: inv.exchange, keyType: keyType)
            out["env"] = .string(inv.env.rawValue)
            out["exchange"] = .string(inv.exchange.rawValue)
            out["key_type"] = .string(keyType.rawValue)
            out["name"] = .string(inv.backend == .memory ? id.environmentVariable : id.name)
            return id
        }
        switch inv.action {
        case .fetch:
            out["env"] = .string(inv.env.rawValue)
            out["exchange"] = .string(inv.exchange.rawValue)
            for keyType in inv.keyType.map({ [$0] }) ?? SecretKeyType.allCases {
                let id = SecretIdentifier(env: inv.env, exchange: inv.exchange, keyType: keyType)
                out[keyType.rawValue] = .string(try store.fetch(id).masked)
            }
        case .save:
            let receipt = try store.save(identify(inv.keyType!), value: inv.value!)
            out["status"] = .string(receipt.created ? "created" : "updated")
            out["value"] = .string(inv.value!.masked)
            if let version = receipt.versionID { out["version_id"] = .string(version) }
        case .rotate:
            let receipt = try store.rotate(identify(inv.keyType!), to: inv.value!)
            out["status"] = "rotated"
            out["value"] = .string(inv.value!.masked)
            out["previous"] = .string(receipt.previous.masked)
            if let version = receipt.versionID { out["version_id"] = .string(version) }
            if let version = receipt.previousVersionID { out["previous_version_id"] = .string(version) }
        case .delete:
            let receipt = try store.delete(identify(inv.keyType!), options: inv.deleteOptions)
            if let date = receipt.deletionDate {
                out["status"] = "scheduled_for_deletion"
                out["deletion_date"] = .string(UTCTime.iso(date))
            } else {
                out["status"] = "deleted"
            }
        case .list:
            let listing = try store.list()
            out["count"] = .int(listing.entries.count)
            out["secrets"] = .array(listing.entries.map { entry in
                var item: [String: JSONValue] = [
                    "name": .string(entry.name), "exchange": .string(entry.exchange.rawValue), "key_type": .string(entry.keyType.rawValue),
                ]
                if let env = entry.env { item["env"] = .string(env.rawValue) }
                return .object(item)
            })
            if !listing.unrecognized.isEmpty { out["unrecognized"] = .array(listing.unrecognized.map { .string($0) }) }
        case .whoami:
            out = try store.whoami()
        }
        return out
    }

    /// The runtime of a real invocation: the process environment, the system clock, real sleeps,
    /// UUID request tokens and a URLSession client.
    package static func liveRuntime(environment: [String: String]) -> SecretsRuntime {
        SecretsRuntime(
            environment: environment, now: { Platform.wallClockMillis() },
            sleep: { milliseconds in Thread.sleep(forTimeInterval: Double(milliseconds) / 1000) },
            newRequestToken: { UUID().uuidString }, http: HTTPClient(timeoutSeconds: 15),
            readTextFile: { path in try? String(contentsOfFile: path, encoding: .utf8) })
    }

    /// All of stdin.
    package static func readAllStdin() -> [UInt8] {
        [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }
}
