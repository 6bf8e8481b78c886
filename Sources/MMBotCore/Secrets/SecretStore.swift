import MMBotSupport

/// Where credentials live. Every backend answers the same six questions; a backend that cannot
/// do something (the environment cannot be written) says so in a `SecretStoreError` that names
/// the backend to use instead.
package protocol SecretStore: Sendable {
    var backend: SecretBackend { get }

    /// The stored value, or `SecretStoreError` of kind `.notFound`.
    func fetch(_ id: SecretIdentifier) throws(SecretStoreError) -> Secret

    /// Stores `value`, creating the secret when it is absent.
    func save(_ id: SecretIdentifier, value: Secret) throws(SecretStoreError) -> SecretWriteReceipt

    /// Replaces an existing secret's value with a different one; the previous value is returned
    /// (and, in AWS, stays readable as the AWSPREVIOUS version).
    func rotate(_ id: SecretIdentifier, to value: Secret) throws(SecretStoreError) -> SecretRotationReceipt

    func delete(_ id: SecretIdentifier, options: SecretDeleteOptions) throws(SecretStoreError) -> SecretDeletionReceipt

    /// Every credential the backend holds, sorted by name.
    func list() throws(SecretStoreError) -> SecretListing

    /// Where this backend reads from and as whom, without any secret value.
    func whoami() throws(SecretStoreError) -> [String: JSONValue]
}

package struct SecretWriteReceipt: Sendable, Equatable {
    /// True when the secret did not exist before.
    package let created: Bool
    /// The AWS version id of the new value; nil for the file backend.
    package let versionID: String?

    package init(created: Bool, versionID: String?) {
        self.created = created
        self.versionID = versionID
    }
}

package struct SecretRotationReceipt: Sendable, Equatable {
    package let previous: Secret
    package let versionID: String?
    package let previousVersionID: String?

    package init(previous: Secret, versionID: String?, previousVersionID: String?) {
        self.previous = previous
        self.versionID = versionID
        self.previousVersionID = previousVersionID
    }
}

/// How AWS should delete: after a recovery window (AWS's default is 30 days) or at once. The file
/// backend deletes at once and refuses these options.
package struct SecretDeleteOptions: Sendable, Equatable {
    package var recoveryDays: Int?
    package var withoutRecovery: Bool

    package init(recoveryDays: Int? = nil, withoutRecovery: Bool = false) {
        self.recoveryDays = recoveryDays
        self.withoutRecovery = withoutRecovery
    }
}

package struct SecretDeletionReceipt: Sendable, Equatable {
    /// When AWS will delete it for good (epoch ms); nil when it is already gone.
    package let deletionDate: Int64?

    package init(deletionDate: Int64?) { self.deletionDate = deletionDate }
}

/// One listed credential: its name in the backend, and what it is.
package struct SecretListEntry: Sendable, Equatable {
    package let name: String
    /// Nil for the environment backend, whose variables serve every env.
    package let env: DeploymentEnv?
    package let exchange: CredentialExchange
    package let keyType: SecretKeyType

    package init(name: String, env: DeploymentEnv?, exchange: CredentialExchange, keyType: SecretKeyType) {
        self.name = name
        self.env = env
        self.exchange = exchange
        self.keyType = keyType
    }
}

package struct SecretListing: Sendable, Equatable {
    package let entries: [SecretListEntry]
    /// Names under `mm-bot/` that are not `mm-bot/<env>/<exchange>/<key_type>`.
    package let unrecognized: [String]

    package init(entries: [SecretListEntry], unrecognized: [String]) {
        self.entries = entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.unrecognized = unrecognized.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// Why a secrets operation failed, as one sentence that says what to do. It never contains a
/// secret value.
package struct SecretStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable, Equatable {
        case notFound, readOnly, unsupported, insecureFile, malformedFile, fileSystem, configuration
        case accessDenied, expiredCredentials, scheduledForDeletion, network, service, invalidValue
    }

    package let kind: Kind
    package let message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
