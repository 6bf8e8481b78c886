import Foundation
import Testing

/// moto does not check signatures, so this test checks the bytes mmbot really sends: a Python
/// listener records one request, and botocore's own SigV4Auth recomputes its signature from the
/// recorded method, URL, signed headers and body.
@Suite struct SecretsWireTests {
    static let listener = """
    import json, socket, sys
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
    c, _ = s.accept()
    data = b""
    while b"\\r\\n\\r\\n" not in data:
        data += c.recv(65536)
    head, body = data.split(b"\\r\\n\\r\\n", 1)
    lines = head.decode().split("\\r\\n")
    headers = [[part.strip() for part in line.split(":", 1)] for line in lines[1:]]
    length = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
    while len(body) < length:
        body += c.recv(65536)
    reply = b'{"Name":"mm-bot/dev/bybit/api_key","SecretString":"abcdefgh","VersionId":"v1"}'
    c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s" % (len(reply), reply))
    c.close()
    json.dump({"line": lines[0], "headers": headers, "body": body.decode()}, open(sys.argv[1], "w"))
    """

    static let verifier = """
    import json, os
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    cap = json.load(open(os.environ["CAPTURE"]))
    h = dict((k, v) for k, v in cap["headers"])
    lower = dict((k.lower(), v) for k, v in cap["headers"])
    auth = lower["authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    method, path, _ = cap["line"].split(" ")
    req = AWSRequest(method=method, url="http://" + lower["host"] + path, data=cap["body"].encode(),
                     headers=dict((k, v) for k, v in h.items() if k.lower() in signed))
    req.context["timestamp"] = lower["x-amz-date"]
    signer = SigV4Auth(Credentials(os.environ["AKID"], os.environ["SECRET"], os.environ["TOKEN"]), "secretsmanager", os.environ["REGION"])
    expected = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
    ok = (auth.split("Signature=")[1] == expected and lower["x-amz-target"] == "secretsmanager.GetSecretValue"
          and lower["x-amz-security-token"] == os.environ["TOKEN"] and "x-amz-security-token" in signed
          and json.loads(cap["body"]) == {"SecretId": "mm-bot/dev/bybit/api_key"})
    print("VERIFIED" if ok else "MISMATCH " + auth.split("SignedHeaders=")[1].split(",")[0])
    """

    @Test func signatureOnTheWireVerifiesWithBotocore() throws {
        let python = try SecretsMoto.pythonExecutable()
        let work = try SecretsCLIHarness.makeHome()
        let capture = work + "/capture.json"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["-c", Self.listener, capture]
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var port: String?
        for _ in 0..<200 where port == nil {
            port = try? String(contentsOfFile: capture + ".port", encoding: .utf8)
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let listening = try #require(port, "the Python listener did not start")

        let credentials = ["AKID": "AKIDEXAMPLE", "SECRET": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN": "session-token-123", "REGION": "eu-north-1"]
        let result = try SecretsCLIHarness.run(["secrets", "fetch", "--backend", "aws", "--key-type", "api_key"], environment: [
            "HOME": work, "AWS_ACCESS_KEY_ID": credentials["AKID"]!, "AWS_SECRET_ACCESS_KEY": credentials["SECRET"]!,
            "AWS_SESSION_TOKEN": credentials["TOKEN"]!, "AWS_REGION": credentials["REGION"]!,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:\(listening)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json?["api_key"] as? String == "abc...***")
        server.waitUntilExit()
        let verdict = try SecretsCLIHarness.execute(python, ["-c", Self.verifier],
                                                    environment: credentials.merging(["CAPTURE": capture, "HOME": work]) { $1 })
        #expect(verdict.status == 0, "\(verdict.stderr.suffix(500))")
        #expect(verdict.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "VERIFIED")
    }
}
