import MMBotSupport

/// The `memory` backend: credentials from environment variables `<EXCHANGE>_API_KEY` and
/// `<EXCHANGE>_API_SECRET` (e.g. BYBIT_API_KEY), the same for every env. Read-only: mmbot cannot
/// change its parent shell's environment, so writes name the backends that can store.
package struct EnvironmentSecretStore: SecretStore {
    package let backend = SecretBackend.memory
    private let environment: [String: String]

    package init(environment: [String: String]) { self.environment = environment }

    package func fetch(_ id: SecretIdentifier) throws(SecretStoreError) -> Secret {
        let variable = id.environmentVariable
        guard let value = environment[variable] else {
            throw SecretStoreError(.notFound, "\(variable) is not set; export \(variable) (the memory backend reads \(id.exchange.environmentPrefix)_API_KEY and \(id.exchange.environmentPrefix)_API_SECRET), or pick a backend that stores secrets (SECRETS_BACKEND=file|aws, or --backend file|aws for mmbot secrets)")
        }
        guard !value.isEmpty else {
            throw SecretStoreError(.notFound, "\(variable) is set but empty; export it with the \(id.keyType.rawValue) value")
        }
        return Secret(value)
    }

    package func save(_ id: SecretIdentifier, value: Secret) throws(SecretStoreError) -> SecretWriteReceipt {
        throw readOnly("save", id)
    }

    package func rotate(_ id: SecretIdentifier, to value: Secret) throws(SecretStoreError) -> SecretRotationReceipt {
        throw readOnly("rotate", id)
    }

    package func delete(_ id: SecretIdentifier, options: SecretDeleteOptions) throws(SecretStoreError) -> SecretDeletionReceipt {
        throw SecretStoreError(.readOnly, "the memory backend is read-only: it reads \(id.environmentVariable) from the environment; to delete it, unset \(id.environmentVariable) in your shell, or use --backend file|aws for stored secrets")
    }

    package func list() throws(SecretStoreError) -> SecretListing {
        var entries: [SecretListEntry] = []
        for exchange in CredentialExchange.allCases {
            for keyType in SecretKeyType.allCases {
                let variable = exchange.environmentPrefix + keyType.environmentSuffix
                if let value = environment[variable], !value.isEmpty {
                    entries.append(SecretListEntry(name: variable, env: nil, exchange: exchange, keyType: keyType))
                }
            }
        }
        return SecretListing(entries: entries, unrecognized: [])
    }

    package func whoami() throws(SecretStoreError) -> [String: JSONValue] {
        var variables: [String: JSONValue] = [:]
        for exchange in CredentialExchange.allCases {
            for keyType in SecretKeyType.allCases {
                let variable = exchange.environmentPrefix + keyType.environmentSuffix
                let value = environment[variable]
                variables[variable] = .string(value == nil ? "unset" : (value!.isEmpty ? "empty" : "set"))
            }
        }
        return ["backend": .string(backend.rawValue), "source": "environment variables", "variables": .object(variables)]
    }

    private func readOnly(_ action: String, _ id: SecretIdentifier) -> SecretStoreError {
        SecretStoreError(.readOnly, "the memory backend is read-only: it reads \(id.environmentVariable) from the environment and cannot \(action) it; export \(id.environmentVariable) instead, or \(action) with --backend file (a 0600 JSON file on this machine) or --backend aws (AWS Secrets Manager)")
    }
}
