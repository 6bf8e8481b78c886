/// An exchange API credential pair. Prints as `<redacted>`, like its parts.
package struct ExchangeCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package let apiKey: Secret
    package let apiSecret: Secret

    package init(apiKey: Secret, apiSecret: Secret) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(self, children: ["apiKey": "<redacted>", "apiSecret": "<redacted>"], displayStyle: .struct) }
}

/// What the engine asks for credentials: "the API key and secret for this env and exchange",
/// from whichever backend the operator chose. exec-demo's Bybit path takes one of these.
package struct SecretProvider: Sendable {
    /// The variable that picks the default env (`dev` when unset).
    package static let envVariable = "MM_ENV"

    package let store: any SecretStore

    package init(store: any SecretStore) { self.store = store }

    /// The provider for `backend` (nil: `SECRETS_BACKEND`, else memory) over `runtime`.
    package init(backend: SecretBackend?, runtime: SecretsRuntime) throws(SecretStoreError) {
        let chosen: SecretBackend
        if let backend { chosen = backend } else { chosen = try SecretProvider.defaultBackend(environment: runtime.environment) }
        store = try chosen.makeStore(runtime: runtime)
    }

    package func apiKey(env: DeploymentEnv, exchange: CredentialExchange) throws(SecretStoreError) -> Secret {
        try store.fetch(SecretIdentifier(env: env, exchange: exchange, keyType: .apiKey))
    }

    package func apiSecret(env: DeploymentEnv, exchange: CredentialExchange) throws(SecretStoreError) -> Secret {
        try store.fetch(SecretIdentifier(env: env, exchange: exchange, keyType: .apiSecret))
    }

    package func credentials(env: DeploymentEnv, exchange: CredentialExchange) throws(SecretStoreError) -> ExchangeCredentials {
        ExchangeCredentials(apiKey: try apiKey(env: env, exchange: exchange), apiSecret: try apiSecret(env: env, exchange: exchange))
    }

    /// `SECRETS_BACKEND` when set (it must name a backend), else memory.
    package static func defaultBackend(environment: [String: String]) throws(SecretStoreError) -> SecretBackend {
        guard let text = environment[SecretBackend.environmentVariable], !text.isEmpty else { return .memory }
        guard let backend = SecretBackend(rawValue: text.lowercased()) else {
            throw SecretStoreError(.configuration, "\(SecretBackend.environmentVariable) must be one of memory|file|aws, got '\(text)'")
        }
        return backend
    }

    /// `MM_ENV` when set (it must name an env), else dev.
    package static func defaultEnv(environment: [String: String]) throws(SecretStoreError) -> DeploymentEnv {
        guard let text = environment[envVariable], !text.isEmpty else { return .dev }
        guard let env = DeploymentEnv(rawValue: text.lowercased()) else {
            throw SecretStoreError(.configuration, "\(envVariable) must be one of dev|shadow|soak|prod, got '\(text)'")
        }
        return env
    }
}
