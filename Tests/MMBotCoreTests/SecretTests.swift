import Testing
@testable import MMBotCore

@Suite struct SecretTests {
    static let canary = "CANARY-secret-value-8f3e2a"

    @Test func neverPrintsItself() {
        let secret = Secret(Self.canary)
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains(Self.canary))
        #expect(dumped.contains("<redacted>"))
        let children = Mirror(reflecting: secret).children.map { String(describing: $0.value) }
        #expect(children == ["<redacted>"])
        #expect(secret.revealed == Self.canary)
    }

    @Test func containersDoNotLeakEither() {
        let pair = ExchangeCredentials(apiKey: Secret(Self.canary), apiSecret: Secret(Self.canary + "-2"))
        #expect("\(pair)" == "<redacted>")
        #expect(String(reflecting: pair) == "<redacted>")
        var dumped = ""
        dump(pair, to: &dumped)
        #expect(!dumped.contains("CANARY"))
        #expect(!"\([Secret(Self.canary)])".contains("CANARY"))
        #expect(!String(describing: Optional(Secret(Self.canary))).contains("CANARY"))
        let aws = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret(Self.canary), sessionToken: Secret(Self.canary), source: "environment")
        #expect(!"\(aws)".contains("CANARY"))
        var dumpedAWS = ""
        dump(aws, to: &dumpedAWS)
        #expect(!dumpedAWS.contains("CANARY"))
    }

    @Test(arguments: [
        ("test_api_key_for_shadow", "tes...***"),
        ("abcdefg", "abc...***"),
        ("abcdef", "***"),
        ("abc", "***"),
        ("", "***"),
        ("ééééééé", "ééé...***"),
    ])
    func maskRule(value: String, masked: String) {
        #expect(SecretMask.mask(value) == masked)
        #expect(Secret(value).masked == masked)
    }

    @Test func identifiers() {
        let id = SecretIdentifier(env: .shadow, exchange: .bybit, keyType: .apiSecret)
        #expect(id.name == "mm-bot/shadow/bybit/api_secret")
        #expect(id.environmentVariable == "BYBIT_API_SECRET")
        #expect(SecretIdentifier(name: "mm-bot/shadow/bybit/api_secret") == id)
        for bad in ["mm-bot/shadow/bybit", "mm-bot/live/bybit/api_key", "mm-bot/dev/binance/api_key", "mm/dev/bybit/api_key",
                    "mm-bot/dev/bybit/api_key/x", "mm-bot/dev/bybit/API_KEY"] {
            #expect(SecretIdentifier(name: bad) == nil, "\(bad)")
        }
    }

    @Test func defaultsFromTheEnvironment() throws {
        #expect(try SecretProvider.defaultBackend(environment: [:]) == .memory)
        #expect(try SecretProvider.defaultBackend(environment: ["SECRETS_BACKEND": "AWS"]) == .aws)
        #expect(throws: SecretStoreError.self) { try SecretProvider.defaultBackend(environment: ["SECRETS_BACKEND": "vault"]) }
        #expect(try SecretProvider.defaultEnv(environment: [:]) == .dev)
        #expect(try SecretProvider.defaultEnv(environment: ["MM_ENV": "soak"]) == .soak)
        #expect(throws: SecretStoreError.self) { try SecretProvider.defaultEnv(environment: ["MM_ENV": "live"]) }
    }
}

@Suite struct EnvironmentSecretStoreTests {
    @Test func readsExchangeVariables() throws {
        let store = EnvironmentSecretStore(environment: ["BYBIT_API_KEY": "key-value-123", "BYBIT_API_SECRET": "secret-value-456"])
        let provider = SecretProvider(store: store)
        #expect(try provider.apiKey(env: .dev, exchange: .bybit).revealed == "key-value-123")
        #expect(try provider.apiSecret(env: .prod, exchange: .bybit).revealed == "secret-value-456")
        let pair = try provider.credentials(env: .shadow, exchange: .bybit)
        #expect(pair.apiKey.revealed == "key-value-123")
        #expect(try store.list().entries.map(\.name) == ["BYBIT_API_KEY", "BYBIT_API_SECRET"])
    }

    @Test func missingAndEmptyAreNotFound() {
        let store = EnvironmentSecretStore(environment: ["BYBIT_API_SECRET": ""])
        let id = SecretIdentifier(env: .dev, exchange: .bybit, keyType: .apiKey)
        do {
            _ = try store.fetch(id)
            Issue.record("fetch of an unset variable succeeded")
        } catch let error {
            #expect(error.kind == .notFound)
            #expect(error.message.hasPrefix("BYBIT_API_KEY is not set"))
        }
        do {
            _ = try store.fetch(SecretIdentifier(env: .dev, exchange: .bybit, keyType: .apiSecret))
            Issue.record("fetch of an empty variable succeeded")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message.contains("BYBIT_API_SECRET is set but empty"))
        }
    }

    @Test func isReadOnlyAndSaysWhatToUse() {
        let store = EnvironmentSecretStore(environment: [:])
        let id = SecretIdentifier(env: .dev, exchange: .bybit, keyType: .apiKey)
        for action in ["save", "rotate", "delete"] {
            do {
                switch action {
                case "save": _ = try store.save(id, value: Secret("value-1234"))
                case "rotate": _ = try store.rotate(id, to: Secret("value-1234"))
                default: _ = try store.delete(id, options: SecretDeleteOptions())
                }
                Issue.record("\(action) succeeded on the read-only backend")
            } catch {
                #expect(error.kind == .readOnly)
                #expect(error.message.contains("--backend file"))
                #expect(error.message.contains("aws"))
            }
        }
    }
}
