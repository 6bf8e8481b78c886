import MMBotSupport

/// The `file` backend, for one machine: a JSON file holding
/// `{"secrets": {"mm-bot/<env>/<exchange>/<key_type>": "<value>", ...}, "version": 1}`.
///
/// The file is created with mode 0600 (its directory 0700), rewritten whole and atomically under
/// a lock (`<file>.lock`), and refused, like ssh refuses a private key, when group or others have
/// any permission on it or another user owns it. A file that is not valid is refused and left
/// exactly as it was.
package struct FileSecretStore: SecretStore {
    package static let pathVariable = "MMBOT_SECRETS_FILE"
    package static let defaultPathInHome = ".config/mmbot/secrets.json"
    package static let formatVersion: Int64 = 1

    package let backend = SecretBackend.file
    package let path: String

    package init(path: String) { self.path = path }

    /// `MMBOT_SECRETS_FILE`, else `$HOME/.config/mmbot/secrets.json`.
    package static func resolvePath(environment: [String: String]) throws(SecretStoreError) -> String {
        if let path = environment[pathVariable], !path.isEmpty { return path }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw SecretStoreError(.configuration, "the file backend needs a path: set \(pathVariable) to the secrets file, or HOME so that ~/\(defaultPathInHome) can be used")
        }
        return (home.hasSuffix("/") ? home : home + "/") + defaultPathInHome
    }

    package func fetch(_ id: SecretIdentifier) throws(SecretStoreError) -> Secret {
        guard let secrets = try load(), let value = secrets[id.name] else { throw notFound(id) }
        return value
    }

    package func save(_ id: SecretIdentifier, value: Secret) throws(SecretStoreError) -> SecretWriteReceipt {
        try checkValue(value)
        let lock = try lockFile()
        defer { lock.unlock() }
        var secrets = try load() ?? [:]
        let created = secrets[id.name] == nil
        secrets[id.name] = value
        try write(secrets)
        return SecretWriteReceipt(created: created, versionID: nil)
    }

    package func rotate(_ id: SecretIdentifier, to value: Secret) throws(SecretStoreError) -> SecretRotationReceipt {
        try checkValue(value)
        let lock = try lockFile()
        defer { lock.unlock() }
        var secrets = try load() ?? [:]
        guard let previous = secrets[id.name] else {
            throw SecretStoreError(.notFound, "\(id.name) is not in \(path), so there is nothing to rotate; store it first with 'mmbot secrets save --backend file --env \(id.env.rawValue) --exchange \(id.exchange.rawValue) --key-type \(id.keyType.rawValue) --value -'")
        }
        guard previous != value else { throw SecretStoreError.unchangedRotation(id) }
        secrets[id.name] = value
        try write(secrets)
        return SecretRotationReceipt(previous: previous, versionID: nil, previousVersionID: nil)
    }

    package func delete(_ id: SecretIdentifier, options: SecretDeleteOptions) throws(SecretStoreError) -> SecretDeletionReceipt {
        guard options == SecretDeleteOptions() else {
            throw SecretStoreError(.unsupported, "the file backend deletes at once; recovery windows are an AWS Secrets Manager feature (--backend aws)")
        }
        let lock = try lockFile()
        defer { lock.unlock() }
        guard var secrets = try load(), secrets.removeValue(forKey: id.name) != nil else { throw notFound(id) }
        try write(secrets)
        return SecretDeletionReceipt(deletionDate: nil)
    }

    package func list() throws(SecretStoreError) -> SecretListing {
        let secrets = try load() ?? [:]
        let entries = secrets.keys.compactMap { name -> SecretListEntry? in
            guard let id = SecretIdentifier(name: name) else { return nil }
            return SecretListEntry(name: name, env: id.env, exchange: id.exchange, keyType: id.keyType)
        }
        return SecretListing(entries: entries, unrecognized: [])
    }

    package func whoami() throws(SecretStoreError) -> [String: JSONValue] {
        let secrets = try load()
        return [
            "backend": .string(backend.rawValue), "path": .string(path), "exists": .bool(secrets != nil),
            "entries": .int(secrets?.count ?? 0),
        ]
    }

    // MARK: - The file

    /// The secrets by name, or nil when the file does not exist.
    private func load() throws(SecretStoreError) -> [String: Secret]? {
        let read: Platform.PrivateFileRead
        do {
            read = try Platform.readPrivateFile(path)
        } catch {
            throw SecretStoreError(.fileSystem, "\(error.description); check MMBOT_SECRETS_FILE and the file's permissions")
        }
        switch read {
        case .missing:
            return nil
        case .notRegular:
            throw SecretStoreError(.insecureFile, "\(path) is not a regular file; point \(FileSecretStore.pathVariable) at a JSON secrets file")
        case .ownedByOther(let uid):
            throw SecretStoreError(.insecureFile, "\(path) belongs to another user (uid \(uid)); mmbot only reads a secrets file that you own")
        case .tooOpen(let mode):
            throw SecretStoreError(.insecureFile, "\(path) has mode \(FileSecretStore.octal(mode)), so group or others can access it; mmbot refuses such a secrets file, as ssh does a private key: run 'chmod 600 \(path)' (and rotate the keys if someone else may have read them)")
        case .contents(let bytes):
            return try parse(bytes)
        }
    }

    private func parse(_ bytes: [UInt8]) throws(SecretStoreError) -> [String: Secret] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes: bytes)
        } catch {
            throw malformed("it is not valid JSON (error at byte \(error.offset))")
        }
        guard let members = document.objectValue else { throw malformed("the top level is not a JSON object") }
        guard members["version"]?.intValue == FileSecretStore.formatVersion else {
            throw malformed("\"version\" must be \(FileSecretStore.formatVersion)")
        }
        guard let entries = members["secrets"]?.objectValue else { throw malformed("\"secrets\" must be an object of name: value") }
        guard members.count == 2 else { throw malformed("the top level may hold only \"secrets\" and \"version\"") }
        var secrets: [String: Secret] = [:]
        for (name, value) in entries {
            guard SecretIdentifier(name: name) != nil else {
                throw malformed("an entry named \(SecretMask.mask(name)) is not mm-bot/<env>/<exchange>/<key_type> with env dev|shadow|soak|prod, exchange bybit, key_type api_key|api_secret")
            }
            guard let text = value.stringValue, !text.isEmpty else { throw malformed("the value of \(name) is not a non-empty string") }
            secrets[name] = Secret(text)
        }
        return secrets
    }

    private func write(_ secrets: [String: Secret]) throws(SecretStoreError) {
        var entries: [String: JSONValue] = [:]
        for (name, value) in secrets { entries[name] = .string(value.revealed) }
        let text = JSONWriter.string(["secrets": .object(entries), "version": .int(FileSecretStore.formatVersion)], pretty: true) + "\n"
        do {
            try Platform.writePrivateFileDurably(path, Array(text.utf8))
        } catch {
            throw SecretStoreError(.fileSystem, "\(error.description); the secrets file was not changed")
        }
    }

    /// Creates the directory (0700) if needed and takes the writer lock.
    private func lockFile() throws(SecretStoreError) -> Platform.FileLock {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ""
        do {
            if !directory.isEmpty { try Platform.makeDirectories(directory, mode: 0o700) }
            return try Platform.FileLock(path + ".lock")
        } catch {
            throw SecretStoreError(.fileSystem, "\(error.description); check that the directory of \(path) is writable")
        }
    }

    private func checkValue(_ value: Secret) throws(SecretStoreError) {
        guard !value.isEmpty else { throw SecretStoreError(.invalidValue, "refusing to store an empty value") }
    }

    private func notFound(_ id: SecretIdentifier) -> SecretStoreError {
        SecretStoreError(.notFound, "\(id.name) is not in \(path); store it with 'mmbot secrets save --backend file --env \(id.env.rawValue) --exchange \(id.exchange.rawValue) --key-type \(id.keyType.rawValue) --value -'")
    }

    private func malformed(_ reason: String) -> SecretStoreError {
        SecretStoreError(.malformedFile, "\(path) is not a valid mmbot secrets file: \(reason); mmbot left it untouched, fix or move it")
    }

    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension SecretStoreError {
    static func unchangedRotation(_ id: SecretIdentifier) -> SecretStoreError {
        SecretStoreError(.invalidValue, "the new value for \(id.name) is the one already stored; rotate needs the new credential (create it on the exchange first)")
    }
}
