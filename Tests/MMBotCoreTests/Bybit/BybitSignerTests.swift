@testable import MMBotCore
import MMBotSupport
import Testing

/// Signing held to the vectors pybit 5.17.0 produced (reference facts A2); BybitPybitTests in
/// the CLI suite also compares against pybit itself at test time.
@Suite struct BybitSignerTests {
    let secret = Secret("test-secret-123")

    @Test func getVector() {
        #expect(BybitSigner.signature(secret: secret, timestamp: 1_658_384_314_791, apiKey: "XXXXXXXXXX", recvWindow: 5000,
                                      payload: "category=linear&symbol=BTCUSDT")
                == "f05050d688e48195a48b1966f851c0785a84d1b2221fc6fefcf84fe68127bd73")
    }

    @Test func postVectors() {
        let body = #"{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "50000", "timeInForce": "PostOnly", "orderLinkId": "mm-1"}"#
        #expect(BybitSigner.signature(secret: secret, timestamp: 1_658_385_579_423, apiKey: "XXXXXXXXXX", recvWindow: 5000, payload: body)
                == "55d291184e35303e89f4594586e7787760e25188fb4696b8e7449926fcd91dff")
        #expect(BybitSigner.signature(secret: secret, timestamp: 1_658_385_579_423, apiKey: "XXXXXXXXXX", recvWindow: 5000,
                                      payload: #"{"category": "option"}"#)
                == "6f60eef15d707cd95f31ba6989b367b8924295d4da219c79ea5cf6540c8453ef")
    }

    @Test func prehashHasNoSeparators() {
        #expect(BybitSigner.prehash(timestamp: 1_658_384_314_791, apiKey: "XXXXXXXXXX", recvWindow: 5000, payload: "category=option&symbol=BTC-29JUL22-25000-C")
                == "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C")
    }

    @Test func callBodiesAndQueriesAreSentAsSigned() {
        let call = BybitCall(.post, "/v5/order/create", [("category", "linear"), ("orderLinkId", "a\"b")], signed: true)
        #expect(call.jsonBody == #"{"category":"linear","orderLinkId":"a\"b"}"#)
        let get = BybitCall(.get, "/v5/order/realtime", [("category", "linear"), ("cursor", "offset%3D20")], signed: true)
        #expect(get.queryString == "category=linear&cursor=offset%3D20")
    }

    @Test func comparisonIsExact() {
        #expect(BybitSigner.matches("abc", "abc"))
        #expect(!BybitSigner.matches("abc", "abd"))
        #expect(!BybitSigner.matches("abc", "abcd"))
    }
}
