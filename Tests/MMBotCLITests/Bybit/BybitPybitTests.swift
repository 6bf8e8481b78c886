import Foundation
import MMBotCore
import MMBotSupport
import Testing

/// mmbot against Bybit's official Python SDK, pybit (installed by .ci/run). A missing pybit
/// fails these tests; it never skips them.
@Suite struct BybitPybitTests {
    @Test func ourSignaturesEqualPybits() throws {
        let cases: [(Int64, String, String, Int64, String)] = [
            (1_658_384_314_791, "XXXXXXXXXX", "test-secret-123", 5000, "category=linear&symbol=BTCUSDT"),
            (1_658_385_579_423, "XXXXXXXXXX", "test-secret-123", 5000, #"{"category": "option"}"#),
            (1_700_000_000_000, "key-2", "s3cr3t/with+symbols=", 20_000, #"{"category":"linear","symbol":"ETHUSDT","side":"Sell","orderType":"Limit","qty":"1.33","price":"3001.25","timeInForce":"PostOnly","orderLinkId":"mm-0a1b2c3d-42"}"#),
            (1_735_689_600_123, "k", "a-secret-longer-than-the-sixty-four-byte-hmac-block-size-of-sha256-0123456789", 5000, ""),
            (1_735_689_600_124, "ключ", "sécret", 7500, "category=linear&cursor=offset%3D20&limit=50"),
        ]
        let json = "[" + cases.map { c in
            #"{"ts":\#(c.0),"key":\#(quote(c.1)),"secret":\#(quote(c.2)),"recv":\#(c.3),"payload":\#(quote(c.4))}"#
        }.joined(separator: ",") + "]"
        let (status, stdout, stderr) = try ExchangeSimHarness.python([ExchangeSimHarness.script("pybit_sign.py")], stdin: json)
        #expect(status == 0, "pybit must be installed (.ci/run installs it): \(stderr)")
        let theirs = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String] ?? []
        let ours = cases.map { BybitSigner.signature(secret: Secret($0.2), timestamp: $0.0, apiKey: $0.1, recvWindow: $0.3, payload: $0.4) }
        #expect(theirs.count == cases.count)
        #expect(ours == theirs)
        #expect(ours[0] == "f05050d688e48195a48b1966f851c0785a84d1b2221fc6fefcf84fe68127bd73")
    }

    @Test func pybitPlacesQueriesCancelsAndListsExecutionsAgainstExchangeSim() throws {
        let sim = try ExchangeSimHarness(["--latency-ms", "20", "--tick-ms", "1000000", "--fill-rate", "0", "--rate-limit-per-s", "1000"])
        defer { sim.stop() }
        let (status, stdout, stderr) = try ExchangeSimHarness.python(
            [ExchangeSimHarness.script("pybit_conformance.py"), sim.url],
            environment: ["BYBIT_API_KEY": ExchangeSimHarness.key, "BYBIT_API_SECRET": ExchangeSimHarness.secret])
        #expect(status == 0, "pybit conformance failed:\n\(stderr.suffix(3000))")
        #expect(stdout.hasSuffix("ok\n"))
        let state = try sim.state()
        #expect((state["executions"] as? Int) == 1)
        #expect((state["auth_failures"] as? Int) == 2)
        #expect((state["duplicate_link_id_creates"] as? Int) == 1)
        #expect((state["open_orders"] as? [Any])?.isEmpty == true)
    }

    private func quote(_ s: String) -> String { JSONWriter.string(.string(s)) }
}
