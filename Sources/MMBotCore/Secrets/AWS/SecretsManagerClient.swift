import Foundation
import MMBotSupport

/// The AWS Secrets Manager operations mmbot uses, over the awsJson1_1 protocol: every call is a
/// signed `POST /` with `X-Amz-Target: secretsmanager.<Operation>` and a JSON body.
package struct SecretsManagerClient: Sendable {
    package let sender: AWSRequestSender

    package init(sender: AWSRequestSender) { self.sender = sender }

    package struct SecretValue: Sendable {
        package let name: String?
        package let versionID: String?
        /// Nil when the secret holds binary data or no string.
        package let secretString: Secret?
        package let hasBinary: Bool
    }

    package struct WriteResult: Sendable, Equatable {
        package let name: String?
        package let versionID: String?
    }

    package func getSecretValue(secretID: String, versionStage: String? = nil) throws(AWSCallError) -> SecretValue {
        var body: [String: JSONValue] = ["SecretId": .string(secretID)]
        if let versionStage { body["VersionStage"] = .string(versionStage) }
        let reply: GetSecretValueReply = try call("GetSecretValue", body, redacting: [])
        return SecretValue(name: reply.name, versionID: reply.versionID, secretString: reply.secretString.map(Secret.init),
                           hasBinary: reply.secretBinary != nil)
    }

    package func createSecret(name: String, value: Secret, clientRequestToken: String) throws(AWSCallError) -> WriteResult {
        let body: [String: JSONValue] = [
            "Name": .string(name), "SecretString": .string(value.revealed), "ClientRequestToken": .string(clientRequestToken),
            "Description": "mmbot exchange credential",
        ]
        let reply: WriteReply = try call("CreateSecret", body, redacting: [value.revealed])
        return WriteResult(name: reply.name, versionID: reply.versionID)
    }

    package func putSecretValue(secretID: String, value: Secret, clientRequestToken: String) throws(AWSCallError) -> WriteResult {
        let body: [String: JSONValue] = [
            "SecretId": .string(secretID), "SecretString": .string(value.revealed), "ClientRequestToken": .string(clientRequestToken),
        ]
        let reply: WriteReply = try call("PutSecretValue", body, redacting: [value.revealed])
        return WriteResult(name: reply.name, versionID: reply.versionID)
    }

    /// Deletes after `recoveryDays` (7-30), at once with `force`, or after AWS's default 30 days.
    /// Returns the deletion date in epoch milliseconds when AWS gives one.
    package func deleteSecret(secretID: String, recoveryDays: Int?, force: Bool) throws(AWSCallError) -> Int64? {
        var body: [String: JSONValue] = ["SecretId": .string(secretID)]
        if force { body["ForceDeleteWithoutRecovery"] = true }
        if let recoveryDays { body["RecoveryWindowInDays"] = .int(recoveryDays) }
        let reply: DeleteReply = try call("DeleteSecret", body, redacting: [])
        return reply.deletionDate.map { Int64(($0 * 1000).rounded()) }
    }

    /// Every secret name, following NextToken page by page (`pageSize` per page, 1-100).
    /// `namePrefix` is sent as a name filter; callers still check names, since not every
    /// implementation filters.
    package func listSecretNames(namePrefix: String?, pageSize: Int = 100) throws(AWSCallError) -> (names: [String], pages: Int) {
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            var body: [String: JSONValue] = ["MaxResults": .int(pageSize)]
            if let namePrefix { body["Filters"] = [["Key": "name", "Values": [.string(namePrefix)]]] }
            if let token { body["NextToken"] = .string(token) }
            let reply: ListReply = try call("ListSecrets", body, redacting: [])
            pages += 1
            names.append(contentsOf: (reply.secretList ?? []).compactMap(\.name))
            token = reply.nextToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil && pages < 10_000
        return (names, pages)
    }

    // MARK: - Wire

    private func call<Reply: Decodable>(_ operation: String, _ body: [String: JSONValue], redacting: [String]) throws(AWSCallError) -> Reply {
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.\(operation)"),
            ("Accept-Encoding", "identity"),
        ]
        let bytes = Array(JSONWriter.string(.object(body)).utf8)
        let response = try sender.post(headers: headers, body: bytes, redacting: redacting, parseError: SecretsManagerClient.errorBody)
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(response.body))
        } catch {
            throw .malformedResponse(status: response.status)
        }
    }

    /// `{"__type": "...", "message" | "Message": "..."}`; nil when the body is not that.
    private static func errorBody(_ response: HTTPResponse) -> (code: String, message: String)? {
        guard let reply = try? JSONDecoder().decode(ErrorReply.self, from: Data(response.body)) else { return nil }
        return (reply.type ?? "", reply.message ?? reply.capitalMessage ?? "")
    }

    private struct GetSecretValueReply: Decodable {
        let name: String?, versionID: String?, secretString: String?, secretBinary: String?
        enum CodingKeys: String, CodingKey {
            case name = "Name", versionID = "VersionId", secretString = "SecretString", secretBinary = "SecretBinary"
        }
    }

    private struct WriteReply: Decodable {
        let name: String?, versionID: String?
        enum CodingKeys: String, CodingKey { case name = "Name", versionID = "VersionId" }
    }

    private struct DeleteReply: Decodable {
        let deletionDate: Double?
        enum CodingKeys: String, CodingKey { case deletionDate = "DeletionDate" }
    }

    private struct ListReply: Decodable {
        struct Entry: Decodable {
            let name: String?
            enum CodingKeys: String, CodingKey { case name = "Name" }
        }
        let secretList: [Entry]?, nextToken: String?
        enum CodingKeys: String, CodingKey { case secretList = "SecretList", nextToken = "NextToken" }
    }

    private struct ErrorReply: Decodable {
        let type: String?, message: String?, capitalMessage: String?
        enum CodingKeys: String, CodingKey { case type = "__type", message, capitalMessage = "Message" }
    }
}
