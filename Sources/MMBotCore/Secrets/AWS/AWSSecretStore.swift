import MMBotSupport

/// The `aws` backend: AWS Secrets Manager, secret names `mm-bot/<env>/<exchange>/<key_type>`,
/// each holding the value as its SecretString. Save is PutSecretValue (CreateSecret when the
/// secret is absent) with a fresh ClientRequestToken, so a retried write is idempotent.
package struct AWSSecretStore: SecretStore {
    package let backend = SecretBackend.aws
    package let settings: AWSSettings
    private let runtime: SecretsRuntime
    private let client: SecretsManagerClient
    private let pageSize: Int

    package init(settings: AWSSettings, runtime: SecretsRuntime, retry: AWSRetryPolicy = AWSRetryPolicy(), pageSize: Int = 100) {
        precondition((1...100).contains(pageSize), "ListSecrets pages hold 1 to 100 secrets")
        self.settings = settings
        self.runtime = runtime
        self.pageSize = pageSize
        client = SecretsManagerClient(sender: AWSRequestSender(
            service: "secretsmanager", endpoint: settings.secretsManagerEndpoint, region: settings.region,
            credentials: settings.credentials, runtime: runtime, retry: retry))
    }

    package func fetch(_ id: SecretIdentifier) throws(SecretStoreError) -> Secret {
        let value: SecretsManagerClient.SecretValue
        do {
            value = try client.getSecretValue(secretID: id.name)
        } catch {
            throw explain(error, operation: "GetSecretValue", id: id)
        }
        guard let secret = value.secretString, !secret.isEmpty else {
            let what = value.hasBinary ? "holds binary data" : "has no string value"
            throw SecretStoreError(.invalidValue, "\(id.name) in AWS Secrets Manager (\(settings.region)) \(what); mmbot stores credentials as SecretString: save it again with 'mmbot secrets save --backend aws'")
        }
        return secret
    }

    package func save(_ id: SecretIdentifier, value: Secret) throws(SecretStoreError) -> SecretWriteReceipt {
        guard !value.isEmpty else { throw SecretStoreError(.invalidValue, "refusing to store an empty value") }
        do {
            let result = try client.putSecretValue(secretID: id.name, value: value, clientRequestToken: runtime.newRequestToken())
            return SecretWriteReceipt(created: false, versionID: result.versionID)
        } catch .service(let error, _) where error.code == "ResourceNotFoundException" {
            return try create(id, value: value)
        } catch {
            throw explain(error, operation: "PutSecretValue", id: id)
        }
    }

    private func create(_ id: SecretIdentifier, value: Secret) throws(SecretStoreError) -> SecretWriteReceipt {
        do {
            let result = try client.createSecret(name: id.name, value: value, clientRequestToken: runtime.newRequestToken())
            return SecretWriteReceipt(created: true, versionID: result.versionID)
        } catch .service(let error, _) where error.code == "ResourceExistsException" {
            // Created by someone else between our two calls: store our value as its new version.
            do {
                let result = try client.putSecretValue(secretID: id.name, value: value, clientRequestToken: runtime.newRequestToken())
                return SecretWriteReceipt(created: false, versionID: result.versionID)
            } catch {
                throw explain(error, operation: "PutSecretValue", id: id)
            }
        } catch {
            throw explain(error, operation: "CreateSecret", id: id)
        }
    }

    package func rotate(_ id: SecretIdentifier, to value: Secret) throws(SecretStoreError) -> SecretRotationReceipt {
        guard !value.isEmpty else { throw SecretStoreError(.invalidValue, "refusing to store an empty value") }
        let current: SecretsManagerClient.SecretValue
        do {
            current = try client.getSecretValue(secretID: id.name)
        } catch .service(let error, _) where error.code == "ResourceNotFoundException" {
            throw SecretStoreError(.notFound, "\(id.name) does not exist in AWS Secrets Manager (\(settings.region)), so there is nothing to rotate; store it first with 'mmbot secrets save --backend aws --env \(id.env.rawValue) --exchange \(id.exchange.rawValue) --key-type \(id.keyType.rawValue) --value -'")
        } catch {
            throw explain(error, operation: "GetSecretValue", id: id)
        }
        guard let previous = current.secretString else {
            throw SecretStoreError(.invalidValue, "\(id.name) in AWS Secrets Manager has no string value to rotate from; use 'mmbot secrets save' instead")
        }
        guard previous != value else { throw SecretStoreError.unchangedRotation(id) }
        do {
            let result = try client.putSecretValue(secretID: id.name, value: value, clientRequestToken: runtime.newRequestToken())
            return SecretRotationReceipt(previous: previous, versionID: result.versionID, previousVersionID: current.versionID)
        } catch {
            throw explain(error, operation: "PutSecretValue", id: id)
        }
    }

    package func delete(_ id: SecretIdentifier, options: SecretDeleteOptions) throws(SecretStoreError) -> SecretDeletionReceipt {
        if let days = options.recoveryDays {
            guard !options.withoutRecovery else {
                throw SecretStoreError(.invalidValue, "a recovery window and deletion without recovery exclude each other; choose one")
            }
            guard (7...30).contains(days) else {
                throw SecretStoreError(.invalidValue, "AWS recovery windows are 7 to 30 days, got \(days)")
            }
        }
        do {
            let date = try client.deleteSecret(secretID: id.name, recoveryDays: options.recoveryDays, force: options.withoutRecovery)
            return SecretDeletionReceipt(deletionDate: options.withoutRecovery ? nil : date)
        } catch {
            throw explain(error, operation: "DeleteSecret", id: id)
        }
    }

    package func list() throws(SecretStoreError) -> SecretListing {
        let names: [String]
        do {
            names = try client.listSecretNames(namePrefix: SecretIdentifier.namePrefix, pageSize: pageSize).names
        } catch {
            throw explain(error, operation: "ListSecrets", id: nil)
        }
        var entries: [SecretListEntry] = []
        var unrecognized: [String] = []
        for name in Set(names) where name.hasPrefix(SecretIdentifier.namePrefix) {
            if let id = SecretIdentifier(name: name) {
                entries.append(SecretListEntry(name: name, env: id.env, exchange: id.exchange, keyType: id.keyType))
            } else {
                unrecognized.append(name)
            }
        }
        return SecretListing(entries: entries, unrecognized: unrecognized)
    }

    /// The resolved configuration, and who AWS says the credentials are (STS GetCallerIdentity).
    package func whoami() throws(SecretStoreError) -> [String: JSONValue] {
        let sts = STSClient(sender: AWSRequestSender(service: "sts", endpoint: settings.stsEndpoint, region: settings.region,
                                                     credentials: settings.credentials, runtime: runtime, retry: client.sender.retry))
        let identity: STSClient.Identity
        do {
            identity = try sts.getCallerIdentity()
        } catch {
            throw explain(error, operation: "sts:GetCallerIdentity", id: nil, service: "AWS STS",
                          endpoint: (settings.stsEndpoint, settings.stsEndpointSource))
        }
        return [
            "backend": .string(backend.rawValue), "region": .string(settings.region), "region_source": .string(settings.regionSource),
            "endpoint": .string(settings.secretsManagerEndpoint), "endpoint_source": .string(settings.secretsManagerEndpointSource),
            "credentials_source": .string(settings.credentials.source),
            "access_key_id": .string(SecretMask.mask(settings.credentials.accessKeyID)),
            "session_token": .bool(settings.credentials.sessionToken != nil),
            "account": .string(identity.account), "arn": .string(identity.arn), "user_id": .string(identity.userID),
        ]
    }

    // MARK: - Errors as sentences

    private func explain(_ error: AWSCallError, operation: String, id: SecretIdentifier?, service: String = "AWS Secrets Manager",
                         endpoint target: (url: String, source: String)? = nil) -> SecretStoreError {
        let (endpoint, endpointSource) = target ?? (settings.secretsManagerEndpoint, settings.secretsManagerEndpointSource)
        let subject = id.map { " on \($0.name)" } ?? ""
        switch error {
        case .network(let cause):
            return SecretStoreError(.network, "could not reach \(service) for \(operation)\(subject): \(cause.description); check the endpoint (\(endpoint), \(endpointSource)) and the network")
        case .malformedResponse(let status):
            return SecretStoreError(.service, "\(endpoint) answered \(operation) with HTTP \(status) and a body that is not \(service)'s; check that the endpoint really is \(service)")
        case .service(let cause, let attempts):
            let detail = cause.message.isEmpty ? cause.code : "\(cause.code): \(cause.message)"
            switch cause.code {
            case "ResourceNotFoundException":
                let name = id?.name ?? "the secret"
                let hint = id.map { " ('mmbot secrets save --backend aws --env \($0.env.rawValue) --exchange \($0.exchange.rawValue) --key-type \($0.keyType.rawValue) --value -')" } ?? ""
                return SecretStoreError(.notFound, "\(name) does not exist in AWS Secrets Manager in region \(settings.region); save it first\(hint), or check AWS_REGION and the env")
            case "AccessDeniedException", "AccessDenied", "AuthorizationError", "UnauthorizedOperation":
                return SecretStoreError(.accessDenied, "AWS denied \(operation)\(subject) to \(settings.credentials.source) credentials (\(detail)); grant the IAM permission or use other credentials")
            case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
                 "IncompleteSignature", "MissingAuthenticationToken", "AuthFailure":
                return SecretStoreError(.accessDenied, "AWS did not accept the \(settings.credentials.source) credentials for \(operation) (\(cause.code)); check the access key id and secret access key")
            case "ExpiredTokenException", "ExpiredToken", "TokenRefreshRequired":
                return SecretStoreError(.expiredCredentials, "the AWS session token from \(settings.credentials.source) has expired (\(cause.code)); get fresh temporary credentials and set AWS_SESSION_TOKEN again")
            case "RequestExpired", "RequestTimeTooSkewed":
                return SecretStoreError(.expiredCredentials, "AWS rejected the request time for \(operation) (\(cause.code)); this machine's clock is off, fix it (e.g. enable NTP) and retry")
            case "InvalidRequestException" where cause.message.lowercased().contains("delet"):
                return SecretStoreError(.scheduledForDeletion, "\(id?.name ?? "the secret") is scheduled for deletion in AWS Secrets Manager (\(cause.message)); restore it (aws secretsmanager restore-secret --secret-id \(id?.name ?? "NAME")) or wait for the deletion to finish before using the name again")
            default:
                if cause.isRetryable {
                    let why = cause.isThrottling ? "kept throttling" : "kept failing with HTTP \(cause.status)"
                    return SecretStoreError(.service, "\(service) \(why) on \(operation)\(subject) (\(detail)) after \(attempts) attempts; retry later")
                }
                return SecretStoreError(.service, "\(service) refused \(operation)\(subject) with HTTP \(cause.status) (\(detail))")
            }
        }
    }
}
