import Foundation
import MMBotSupport

/// AWS STS GetCallerIdentity (query protocol, XML answer): who the resolved credentials are.
package struct STSClient: Sendable {
    package let sender: AWSRequestSender

    package init(sender: AWSRequestSender) { self.sender = sender }

    package struct Identity: Sendable, Equatable {
        package let account: String
        package let arn: String
        package let userID: String
    }

    package func getCallerIdentity() throws(AWSCallError) -> Identity {
        let headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        let body = Array("Action=GetCallerIdentity&Version=2011-06-15".utf8)
        let response = try sender.post(headers: headers, body: body, redacting: []) { response in
            let text = String(decoding: response.body, as: UTF8.self)
            guard let code = STSClient.element("Code", in: text) else { return nil }
            return (code, STSClient.element("Message", in: text) ?? "")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard let account = STSClient.element("Account", in: text), let arn = STSClient.element("Arn", in: text) else {
            throw .malformedResponse(status: response.status)
        }
        return Identity(account: account, arn: arn, userID: STSClient.element("UserId", in: text) ?? "")
    }

    /// The text of the first `<name>...</name>` element, with the five XML entities decoded.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
