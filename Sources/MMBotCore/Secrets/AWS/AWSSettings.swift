import Foundation

/// Region, credentials and endpoints for the AWS backend, resolved from the environment and the
/// AWS shared files in a fixed, documented order (docs/secrets.md):
///
/// - credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, or the
///   legacy `AWS_SECURITY_TOKEN`); else the profile (`AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`,
///   else `default`) in the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
///   `~/.aws/credentials`); else that profile in the config file (`AWS_CONFIG_FILE`, else
///   `~/.aws/config`);
/// - region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `region` in the config profile;
/// - endpoint: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL`, else
///   `https://secretsmanager.<region>.amazonaws.com` (STS likewise with `AWS_ENDPOINT_URL_STS`);
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores the variables.
package struct AWSSettings: Sendable, Equatable {
    package let region: String
    package let regionSource: String
    package let credentials: AWSCredentials
    package let secretsManagerEndpoint: String
    package let secretsManagerEndpointSource: String
    package let stsEndpoint: String
    package let stsEndpointSource: String

    package init(region: String, regionSource: String, credentials: AWSCredentials, secretsManagerEndpoint: String,
                 secretsManagerEndpointSource: String, stsEndpoint: String, stsEndpointSource: String) {
        self.region = region
        self.regionSource = regionSource
        self.credentials = credentials
        self.secretsManagerEndpoint = secretsManagerEndpoint
        self.secretsManagerEndpointSource = secretsManagerEndpointSource
        self.stsEndpoint = stsEndpoint
        self.stsEndpointSource = stsEndpointSource
    }

    package static func resolve(runtime: SecretsRuntime) throws(SecretStoreError) -> AWSSettings {
        let env = runtime.environment
        func variable(_ name: String) -> String? {
            guard let value = env[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        let home = variable("HOME")
        func sharedFile(_ variableName: String, _ fallback: String) -> String? {
            if let path = variable(variableName) { return path }
            guard let home else { return nil }
            return (home.hasSuffix("/") ? home : home + "/") + fallback
        }
        let profile = variable("AWS_PROFILE") ?? variable("AWS_DEFAULT_PROFILE") ?? "default"
        let profileIsExplicit = variable("AWS_PROFILE") != nil || variable("AWS_DEFAULT_PROFILE") != nil
        let credentialsPath = sharedFile("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
        let configPath = sharedFile("AWS_CONFIG_FILE", ".aws/config")
        let credentialsFile = credentialsPath.flatMap(runtime.readTextFile).map(AWSProfileFile.parse) ?? [:]
        let configFile = configPath.flatMap(runtime.readTextFile).map(AWSProfileFile.parse) ?? [:]
        let configSection = configFile[profile == "default" ? "default" : "profile \(profile)"] ?? configFile["profile \(profile)"]

        // Credentials.
        let credentials: AWSCredentials
        let envKey = variable("AWS_ACCESS_KEY_ID")
        let envSecret = variable("AWS_SECRET_ACCESS_KEY")
        if envKey != nil || envSecret != nil {
            guard let envKey else {
                throw SecretStoreError(.configuration, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or unset both to use the shared credentials file")
            }
            guard let envSecret else {
                throw SecretStoreError(.configuration, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or unset both to use the shared credentials file")
            }
            let token = variable("AWS_SESSION_TOKEN") ?? variable("AWS_SECURITY_TOKEN")
            credentials = AWSCredentials(accessKeyID: envKey, secretAccessKey: Secret(envSecret), sessionToken: token.map(Secret.init),
                                         source: "environment")
        } else if let found = try fromSection(credentialsFile[profile], source: "shared credentials file \(credentialsPath ?? "") [\(profile)]") {
            credentials = found
        } else if let found = try fromSection(configSection, source: "config file \(configPath ?? "") [\(profile)]") {
            credentials = found
        } else if profileIsExplicit && credentialsFile[profile] == nil && configSection == nil {
            throw SecretStoreError(.configuration, "AWS profile '\(profile)' is not in \(credentialsPath ?? "~/.aws/credentials") or \(configPath ?? "~/.aws/config"); fix AWS_PROFILE or add the profile")
        } else {
            throw SecretStoreError(.configuration, "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or add aws_access_key_id and aws_secret_access_key to profile [\(profile)] in \(credentialsPath ?? "~/.aws/credentials") (AWS_PROFILE picks the profile)")
        }

        // Region.
        let region: String
        let regionSource: String
        if let value = variable("AWS_REGION") {
            (region, regionSource) = (value, "AWS_REGION")
        } else if let value = variable("AWS_DEFAULT_REGION") {
            (region, regionSource) = (value, "AWS_DEFAULT_REGION")
        } else if let value = configSection?["region"], !value.isEmpty {
            (region, regionSource) = (value, "config file \(configPath ?? "") [\(profile)]")
        } else {
            throw SecretStoreError(.configuration, "no AWS region set: export AWS_REGION (or AWS_DEFAULT_REGION), e.g. AWS_REGION=us-east-1, or set region in profile [\(profile)] of \(configPath ?? "~/.aws/config")")
        }
        guard !region.isEmpty, region.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) else {
            throw SecretStoreError(.configuration, "\(regionSource) '\(region)' is not an AWS region name (lower-case letters, digits and '-', e.g. us-east-1)")
        }

        // Endpoints.
        let ignoreConfigured = variable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() == "true"
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        func endpoint(serviceVariable: String, host: String) throws(SecretStoreError) -> (String, String) {
            if !ignoreConfigured {
                for name in [serviceVariable, "AWS_ENDPOINT_URL"] {
                    guard let url = variable(name) else { continue }
                    guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                          scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
                          components.query == nil
                    else {
                        throw SecretStoreError(.configuration, "\(name) '\(url)' is not an endpoint URL; use http(s)://host[:port], e.g. http://127.0.0.1:5000")
                    }
                    return (url.hasSuffix("/") ? String(url.dropLast()) : url, name)
                }
            }
            return ("https://\(host).\(region).\(domain)", "default for region \(region)")
        }
        let (secretsEndpoint, secretsSource) = try endpoint(serviceVariable: "AWS_ENDPOINT_URL_SECRETS_MANAGER", host: "secretsmanager")
        let (stsEndpoint, stsSource) = try endpoint(serviceVariable: "AWS_ENDPOINT_URL_STS", host: "sts")
        return AWSSettings(region: region, regionSource: regionSource, credentials: credentials, secretsManagerEndpoint: secretsEndpoint,
                           secretsManagerEndpointSource: secretsSource, stsEndpoint: stsEndpoint, stsEndpointSource: stsSource)
    }

    /// Credentials from one profile section; nil when it has neither key; an error when it has one.
    private static func fromSection(_ section: [String: String]?, source: String) throws(SecretStoreError) -> AWSCredentials? {
        guard let section else { return nil }
        let key = section["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = section["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil && secret == nil { return nil }
        guard let key, let secret else {
            throw SecretStoreError(.configuration, "\(source) has only one of aws_access_key_id and aws_secret_access_key; add the other")
        }
        let token = section["aws_session_token"].flatMap { $0.isEmpty ? nil : Secret($0) }
        return AWSCredentials(accessKeyID: key, secretAccessKey: Secret(secret), sessionToken: token, source: source)
    }
}
