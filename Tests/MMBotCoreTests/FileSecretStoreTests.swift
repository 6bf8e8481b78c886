#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Testing
@testable import MMBotCore

/// The file backend on real files in a fresh temporary directory per test.
@Suite struct FileSecretStoreTests {
    let directory: String
    var path: String { directory + "/conf/mmbot/secrets.json" }

    init() throws {
        directory = NSTemporaryDirectory() + "mmbot-file-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static let key = SecretIdentifier(env: .dev, exchange: .bybit, keyType: .apiKey)
    static let secret = SecretIdentifier(env: .dev, exchange: .bybit, keyType: .apiSecret)

    private func mode(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    private func write(_ text: String, mode: mode_t) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    private func expectError(_ kind: SecretStoreError.Kind, containing text: String? = nil, _ body: () throws -> Void,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected a \(kind) error", sourceLocation: sourceLocation)
        } catch let error as SecretStoreError {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
            if let text { #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func saveCreatesAPrivateFileAndReadsItBack() throws {
        let store = FileSecretStore(path: path)
        #expect(try store.save(Self.key, value: Secret("key-value-0001")) == SecretWriteReceipt(created: true, versionID: nil))
        #expect(try store.save(Self.secret, value: Secret("secret-value-0002")) == SecretWriteReceipt(created: true, versionID: nil))
        #expect(try store.save(Self.key, value: Secret("key-value-0003")) == SecretWriteReceipt(created: false, versionID: nil))
        #expect(mode(path) == 0o600)
        #expect(mode((path as NSString).deletingLastPathComponent) == 0o700)
        #expect(try store.fetch(Self.key).revealed == "key-value-0003")
        #expect(try store.fetch(Self.secret).revealed == "secret-value-0002")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
        {
          "secrets": {
            "mm-bot/dev/bybit/api_key": "key-value-0003",
            "mm-bot/dev/bybit/api_secret": "secret-value-0002"
          },
          "version": 1
        }

        """)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent).sorted()
        #expect(leftovers == ["secrets.json", "secrets.json.lock"])
        #expect(try store.list().entries.map(\.name) == ["mm-bot/dev/bybit/api_key", "mm-bot/dev/bybit/api_secret"])
        #expect(try store.whoami()["entries"] == .int(2))
    }

    @Test func valuesWithQuotesAndUnicodeRoundTrip() throws {
        let store = FileSecretStore(path: path)
        let value = #"a"b\c/é€😀 x"#
        _ = try store.save(Self.key, value: Secret(value))
        #expect(try store.fetch(Self.key).revealed == value)
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o606, 0o610, 0o601] as [mode_t])
    func refusesFilesOthersCanAccess(mode: mode_t) throws {
        try write(#"{"secrets":{"mm-bot/dev/bybit/api_key":"key-value-0001"},"version":1}"#, mode: mode)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let store = FileSecretStore(path: path)
        expectError(.insecureFile, containing: "chmod 600") { _ = try store.fetch(Self.key) }
        expectError(.insecureFile) { _ = try store.save(Self.key, value: Secret("other-value-1")) }
        expectError(.insecureFile) { _ = try store.list() }
        expectError(.insecureFile) { _ = try store.whoami() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(self.mode(path) == Int(mode))
    }

    @Test(arguments: [
        "{\"secrets\": {",
        "[]",
        "{}",
        #"{"secrets":{}}"#,
        #"{"secrets":{},"version":2}"#,
        #"{"secrets":[],"version":1}"#,
        #"{"secrets":{},"version":1,"extra":true}"#,
        #"{"secrets":{"mm-bot/dev/bybit/api_key":42},"version":1}"#,
        #"{"secrets":{"mm-bot/dev/bybit/api_key":""},"version":1}"#,
        #"{"secrets":{"mm-bot/live/bybit/api_key":"abcdefgh"},"version":1}"#,
        "",
    ])
    func refusesMalformedFilesAndLeavesThemUntouched(text: String) throws {
        try write(text, mode: 0o600)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let store = FileSecretStore(path: path)
        expectError(.malformedFile, containing: "left it untouched") { _ = try store.fetch(Self.key) }
        expectError(.malformedFile) { _ = try store.save(Self.key, value: Secret("new-value-0001")) }
        expectError(.malformedFile) { _ = try store.delete(Self.key, options: SecretDeleteOptions()) }
        expectError(.malformedFile) { _ = try store.rotate(Self.key, to: Secret("new-value-0001")) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(after[.modificationDate] as? Date == attributes[.modificationDate] as? Date)
        #expect(after[.systemFileNumber] as? Int == attributes[.systemFileNumber] as? Int)
    }

    @Test func malformedMessagesDoNotQuoteTheFile() throws {
        let canary = "CANARY-in-a-name-7c1d"
        try write("{\"secrets\":{\"\(canary)\":\"x\"},\"version\":1}", mode: 0o600)
        expectError(.malformedFile) { _ = try FileSecretStore(path: path).fetch(Self.key) }
        do { _ = try FileSecretStore(path: path).fetch(Self.key) } catch { #expect(!error.message.contains(canary)) }
        try write("{\"secrets\":{\"mm-bot/dev/bybit/api_key\":123456789012345678901234567890},\"version\":1}", mode: 0o600)
        do { _ = try FileSecretStore(path: path).fetch(Self.key) } catch { #expect(!error.message.contains("1234567890")) }
    }

    @Test func refusesWhatIsNotARegularReadableFile() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        expectError(.insecureFile, containing: "not a regular file") { _ = try FileSecretStore(path: path).fetch(Self.key) }
        let blocker = directory + "/plain-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        expectError(.fileSystem, containing: "could not open") { _ = try FileSecretStore(path: blocker + "/secrets.json").fetch(Self.key) }
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give a file to another user"))
    func refusesAFileOwnedByAnotherUser() throws {
        try write(#"{"secrets":{},"version":1}"#, mode: 0o600)
        #expect(chown(path, 65534, 65534) == 0)
        expectError(.insecureFile, containing: "belongs to another user") { _ = try FileSecretStore(path: path).fetch(Self.key) }
    }

    @Test func missingFileIsNotFoundAndCreatesNothing() throws {
        let store = FileSecretStore(path: path)
        expectError(.notFound, containing: "mmbot secrets save --backend file") { _ = try store.fetch(Self.key) }
        #expect(try store.list().entries.isEmpty)
        #expect(try store.whoami()["exists"] == .bool(false))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func rotateNeedsAnExistingDifferentValue() throws {
        let store = FileSecretStore(path: path)
        expectError(.notFound, containing: "nothing to rotate") { _ = try store.rotate(Self.key, to: Secret("value-0000001")) }
        _ = try store.save(Self.key, value: Secret("value-0000001"))
        expectError(.invalidValue, containing: "already stored") { _ = try store.rotate(Self.key, to: Secret("value-0000001")) }
        let receipt = try store.rotate(Self.key, to: Secret("value-0000002"))
        #expect(receipt.previous.revealed == "value-0000001")
        #expect(try store.fetch(Self.key).revealed == "value-0000002")
        #expect(mode(path) == 0o600)
    }

    @Test func deleteRemovesOneEntry() throws {
        let store = FileSecretStore(path: path)
        _ = try store.save(Self.key, value: Secret("value-0000001"))
        _ = try store.save(Self.secret, value: Secret("value-0000002"))
        #expect(try store.delete(Self.key, options: SecretDeleteOptions()) == SecretDeletionReceipt(deletionDate: nil))
        expectError(.notFound) { _ = try store.fetch(Self.key) }
        #expect(try store.fetch(Self.secret).revealed == "value-0000002")
        expectError(.notFound) { _ = try store.delete(Self.key, options: SecretDeleteOptions()) }
        expectError(.unsupported, containing: "--backend aws") { _ = try store.delete(Self.secret, options: SecretDeleteOptions(recoveryDays: 7)) }
    }

    @Test func refusesEmptyValues() {
        expectError(.invalidValue) { _ = try FileSecretStore(path: path).save(Self.key, value: Secret("")) }
    }

    @Test func concurrentWritersLoseNothing() throws {
        let ids = DeploymentEnv.allCases.flatMap { env in SecretKeyType.allCases.map { SecretIdentifier(env: env, exchange: .bybit, keyType: $0) } }
        let path = self.path
        DispatchQueue.concurrentPerform(iterations: ids.count * 3) { index in
            let id = ids[index % ids.count]
            _ = try? FileSecretStore(path: path).save(id, value: Secret("value-for-\(id.name)"))
        }
        let store = FileSecretStore(path: path)
        for id in ids { #expect(try store.fetch(id).revealed == "value-for-\(id.name)") }
        #expect(try store.list().entries.count == ids.count)
    }

    @Test func pathResolution() throws {
        #expect(try FileSecretStore.resolvePath(environment: ["MMBOT_SECRETS_FILE": "/x/s.json", "HOME": "/home/u"]) == "/x/s.json")
        #expect(try FileSecretStore.resolvePath(environment: ["HOME": "/home/u"]) == "/home/u/.config/mmbot/secrets.json")
        #expect(try FileSecretStore.resolvePath(environment: ["HOME": "/home/u/", "MMBOT_SECRETS_FILE": ""]) == "/home/u/.config/mmbot/secrets.json")
        #expect(throws: SecretStoreError.self) { try FileSecretStore.resolvePath(environment: [:]) }
    }
}
