/// The deployment a credential belongs to.
package enum DeploymentEnv: String, Sendable, CaseIterable, Comparable {
    case dev, shadow, soak, prod

    package static func < (lhs: DeploymentEnv, rhs: DeploymentEnv) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The exchanges mmbot keeps credentials for.
package enum CredentialExchange: String, Sendable, CaseIterable {
    case bybit

    /// The prefix of its environment variables: `BYBIT` for `BYBIT_API_KEY`.
    package var environmentPrefix: String { rawValue.uppercased() }
}

/// Which half of an exchange API credential.
package enum SecretKeyType: String, Sendable, CaseIterable {
    case apiKey = "api_key"
    case apiSecret = "api_secret"

    /// `_API_KEY` / `_API_SECRET`, the suffix of the environment variable.
    package var environmentSuffix: String { "_" + rawValue.uppercased() }
}

/// One stored credential: `mm-bot/<env>/<exchange>/<key_type>` in every backend that names
/// secrets (file and AWS); the environment backend reads `<EXCHANGE>_API_KEY/_SECRET` instead.
package struct SecretIdentifier: Sendable, Hashable, CustomStringConvertible {
    package static let namePrefix = "mm-bot/"

    package let env: DeploymentEnv
    package let exchange: CredentialExchange
    package let keyType: SecretKeyType

    package init(env: DeploymentEnv, exchange: CredentialExchange, keyType: SecretKeyType) {
        self.env = env
        self.exchange = exchange
        self.keyType = keyType
    }

    /// Parses a stored name; nil if it is not `mm-bot/<env>/<exchange>/<key_type>` with known parts.
    package init?(name: String) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "mm-bot",
              let env = DeploymentEnv(rawValue: String(parts[1])),
              let exchange = CredentialExchange(rawValue: String(parts[2])),
              let keyType = SecretKeyType(rawValue: String(parts[3]))
        else { return nil }
        self.init(env: env, exchange: exchange, keyType: keyType)
    }

    package var name: String { "mm-bot/\(env.rawValue)/\(exchange.rawValue)/\(keyType.rawValue)" }

    /// `BYBIT_API_KEY`, `BYBIT_API_SECRET`.
    package var environmentVariable: String { exchange.environmentPrefix + keyType.environmentSuffix }

    package var description: String { name }
}
