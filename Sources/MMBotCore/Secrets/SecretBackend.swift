import MMBotSupport

/// The three places credentials can live.
package enum SecretBackend: String, Sendable, CaseIterable {
    /// Environment variables `<EXCHANGE>_API_KEY` / `<EXCHANGE>_API_SECRET`; read-only.
    case memory
    /// A JSON file, mode 0600 (`MMBOT_SECRETS_FILE`, default `~/.config/mmbot/secrets.json`).
    case file
    /// AWS Secrets Manager.
    case aws

    /// The variable that picks the backend when no flag does.
    package static let environmentVariable = "SECRETS_BACKEND"
}

/// Everything a secrets backend needs from the outside world, injected so that MMBotCore reads no
/// process state of its own: the environment, the clock, a sleep, fresh idempotency tokens and
/// an HTTP client.
package struct SecretsRuntime: Sendable {
    package var environment: [String: String]
    /// Milliseconds since the epoch (signing time).
    package var now: @Sendable () -> Int64
    /// Blocks for the given milliseconds (retry backoff).
    package var sleep: @Sendable (Int64) -> Void
    /// A fresh ClientRequestToken (32-64 characters; the CLI uses a UUID).
    package var newRequestToken: @Sendable () -> String
    package var http: any HTTPSending
    /// Reads a whole text file, or nil when it cannot be read (AWS shared credentials/config).
    package var readTextFile: @Sendable (String) -> String?

    package init(environment: [String: String], now: @escaping @Sendable () -> Int64, sleep: @escaping @Sendable (Int64) -> Void,
                 newRequestToken: @escaping @Sendable () -> String, http: any HTTPSending,
                 readTextFile: @escaping @Sendable (String) -> String?) {
        self.environment = environment
        self.now = now
        self.sleep = sleep
        self.newRequestToken = newRequestToken
        self.http = http
        self.readTextFile = readTextFile
    }

    /// A non-empty environment value, or nil.
    package func variable(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}

extension SecretBackend {
    /// The store for this backend; AWS resolves its region, credentials and endpoint here.
    package func makeStore(runtime: SecretsRuntime) throws(SecretStoreError) -> any SecretStore {
        switch self {
        case .memory:
            return EnvironmentSecretStore(environment: runtime.environment)
        case .file:
            return FileSecretStore(path: try FileSecretStore.resolvePath(environment: runtime.environment))
        case .aws:
            return AWSSecretStore(settings: try AWSSettings.resolve(runtime: runtime), runtime: runtime)
        }
    }
}
