/// AWS credentials as resolved, with where they came from. The secret access key and the session
/// token are `Secret`s, so printing the credentials prints no secret.
package struct AWSCredentials: Sendable, Equatable {
    package let accessKeyID: String
    package let secretAccessKey: Secret
    package let sessionToken: Secret?
    /// "environment" or "shared credentials file <path> [<profile>]" and the like.
    package let source: String

    package init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret?, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }
}

/// The `[section]` / `key = value` files of the AWS CLI and SDKs (`~/.aws/credentials`,
/// `~/.aws/config`). Comment lines start with `#` or `;`; indented lines continue a nested value
/// and are skipped, since mmbot reads only top-level keys.
package enum AWSProfileFile {
    /// Sections by name; keys lower-cased, values trimmed.
    package static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t" { continue }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                let name = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }
}
