import Testing
@testable import MMBotSupport

/// SigV4 against the AWS signature test suite (awslabs/aws-c-auth tests/aws-signing-test-suite/v4)
/// and a Secrets Manager request verified with botocore's SigV4Auth (reference facts, Part B2).
@Suite struct SigV4SignerTests {
    static let accessKeyID = "AKIDEXAMPLE"
    static let secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    /// 2015-08-30T12:36:00Z
    static let suiteTime: Int64 = 1_440_938_160_000
    static let signer = SigV4Signer(region: "us-east-1", service: "service")

    private func sign(_ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: String = "",
                      token: String? = nil, signer: SigV4Signer = SigV4SignerTests.signer) throws -> (HTTPRequest, SigV4Signer.Signature) {
        var request = HTTPRequest(method: method, url: url, headers: headers, body: Array(body.utf8))
        let parts = try signer.sign(&request, accessKeyID: Self.accessKeyID, secretAccessKey: Self.secretKey, sessionToken: token, at: Self.suiteTime)
        return (request, parts)
    }

    @Test func amzDate() {
        #expect(SigV4Signer.amzDate(Self.suiteTime) == "20150830T123600Z")
        #expect(SigV4Signer.amzDate(Self.suiteTime + 999) == "20150830T123600Z")
    }

    @Test func signingKey() {
        let key = SigV4Signer.signingKey(secretAccessKey: Self.secretKey, day: "20150830", region: "us-east-1", service: "service")
        #expect(Hex.encode(key) == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75")
    }

    @Test func getVanilla() throws {
        let (request, parts) = try sign("GET", "https://example.amazonaws.com/")
        #expect(parts.canonicalRequest == """
        GET
        /

        host:example.amazonaws.com
        x-amz-date:20150830T123600Z

        host;x-amz-date
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        """)
        #expect(Hex.encode(SHA256.hash(parts.canonicalRequest)) == "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        #expect(parts.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(request.header("Authorization") == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
        #expect(request.header("X-Amz-Security-Token") == nil)
    }

    @Test func postVanilla() throws {
        let (_, parts) = try sign("POST", "https://example.amazonaws.com/")
        #expect(Hex.encode(SHA256.hash(parts.canonicalRequest)) == "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87")
        #expect(parts.signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test func getVanillaWithSessionToken() throws {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let (request, parts) = try sign("GET", "https://example.amazonaws.com/", token: token)
        #expect(parts.signedHeaders == "host;x-amz-date;x-amz-security-token")
        #expect(Hex.encode(SHA256.hash(parts.canonicalRequest)) == "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b")
        #expect(parts.signature == "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
        #expect(request.header("X-Amz-Security-Token") == token)
    }

    @Test func queryOrderKeyCase() throws {
        let (_, parts) = try sign("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1")
        #expect(parts.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "Param1=value1&Param2=value2")
        #expect(parts.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func utf8Query() throws {
        // GET /?ሴ=bar, sent percent-encoded.
        let (_, parts) = try sign("GET", "https://example.amazonaws.com/?%E1%88%B4=bar")
        #expect(parts.signature == "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")
    }

    @Test func unreservedPath() throws {
        let (_, parts) = try sign("GET", "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        #expect(parts.signature == "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")
    }

    @Test func headerValueTrim() throws {
        let (_, parts) = try sign("GET", "https://example.amazonaws.com/", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")])
        #expect(parts.signedHeaders == "host;my-header1;my-header2;x-amz-date")
        #expect(parts.signature == "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")
    }

    @Test func headerKeyDuplicate() throws {
        let (_, parts) = try sign("GET", "https://example.amazonaws.com/",
                                  headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")])
        #expect(parts.canonicalRequest.contains("my-header1:value2,value2,value1\n"))
        #expect(parts.signature == "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")
    }

    /// POST https://secretsmanager.us-east-1.amazonaws.com/ GetSecretValue, as botocore signs it.
    @Test func secretsManagerGetSecretValue() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "secretsmanager")
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.GetSecretValue"), ("User-Agent", "mmbot"),
        ]
        let body = #"{"SecretId": "mm/bybit"}"#
        #expect(Hex.encode(SHA256.hash(body)) == "ff789baeb76d84558f679952fcb5b3c94658b02b48baab082507d9fc59c1d4c1")
        let (_, plain) = try sign("POST", "https://secretsmanager.us-east-1.amazonaws.com/", headers: headers, body: body, signer: signer)
        #expect(plain.signedHeaders == "content-type;host;x-amz-date;x-amz-target")
        // The canonical request's hash, the last line of the string to sign.
        #expect(Hex.encode(SHA256.hash(plain.canonicalRequest)) == "d8aefd6536e7adf5146b5b630ca6bf11ee4270bb360f43cb2de6ba40eebf193e")
        #expect(plain.stringToSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/secretsmanager/aws4_request\nd8aefd6536e7adf5146b5b630ca6bf11ee4270bb360f43cb2de6ba40eebf193e")
        #expect(plain.signature == "d27722ccc253be1bffb28ba3dfd0a705e2debe612b869b19540a892e73c86cd0")

        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let (_, withToken) = try sign("POST", "https://secretsmanager.us-east-1.amazonaws.com/", headers: headers, body: body, token: token, signer: signer)
        #expect(withToken.signedHeaders == "content-type;host;x-amz-date;x-amz-security-token;x-amz-target")
        #expect(withToken.signature == "ba0bb07e5a3e1e2215bf01c3040972a3d301a437c03a43074987d1deadacb14e")
    }

    @Test func hostCarriesNonDefaultPort() throws {
        let (_, local) = try sign("POST", "http://127.0.0.1:50123/")
        #expect(local.canonicalRequest.contains("\nhost:127.0.0.1:50123\n"))
        let (_, https) = try sign("POST", "https://example.amazonaws.com:443/")
        #expect(https.canonicalRequest.contains("\nhost:example.amazonaws.com\n"))
    }

    /// Re-signing replaces the old Authorization instead of signing it.
    @Test func resigningIsStable() throws {
        var request = HTTPRequest(method: "GET", url: "https://example.amazonaws.com/")
        let first = try Self.signer.sign(&request, accessKeyID: Self.accessKeyID, secretAccessKey: Self.secretKey, sessionToken: nil, at: Self.suiteTime)
        let second = try Self.signer.sign(&request, accessKeyID: Self.accessKeyID, secretAccessKey: Self.secretKey, sessionToken: nil, at: Self.suiteTime)
        #expect(first.signature == second.signature)
        #expect(request.headers.filter { $0.name == "Authorization" }.count == 1)
    }

    @Test func wrongSecretChangesSignature() throws {
        var request = HTTPRequest(method: "GET", url: "https://example.amazonaws.com/")
        let parts = try Self.signer.sign(&request, accessKeyID: Self.accessKeyID, secretAccessKey: "other", sessionToken: nil, at: Self.suiteTime)
        #expect(parts.signature != "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(!parts.canonicalRequest.contains("other"))
        #expect(!parts.stringToSign.contains("other"))
    }

    @Test func invalidURL() {
        var request = HTTPRequest(method: "GET", url: "not a url")
        #expect(throws: HTTPClientError.invalidURL("not a url")) {
            try Self.signer.sign(&request, accessKeyID: "a", secretAccessKey: "b", sessionToken: nil, at: 0)
        }
    }
}
