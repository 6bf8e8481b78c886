import Testing
@testable import MMBotSupport

@Suite struct HTTPRequestParserTests {
    let parser = HTTPRequestParser(limits: HTTPServerLimits())

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func request(_ text: String, file: String = #fileID, line: Int = #line) -> (HTTPServerRequest, Int)? {
        if case .complete(let r, let consumed) = parser.parse(bytes(text)) { return (r, consumed) }
        return nil
    }

    func failure(_ text: String, _ p: HTTPRequestParser? = nil) -> HTTPParseError? {
        if case .failed(let e) = (p ?? parser).parse(bytes(text)) { return e }
        return nil
    }

    @Test func getWithQueryAndHeaders() throws {
        let text = "GET /v5/market/tickers?category=linear&symbol=BTC%2BUSDT&x=a+b HTTP/1.1\r\nHost: h\r\nX-Bapi-Api-Key:  k1 \r\n\r\n"
        let (r, consumed) = try #require(request(text))
        #expect(r.method == "GET")
        #expect(r.path == "/v5/market/tickers")
        #expect(r.rawQuery == "category=linear&symbol=BTC%2BUSDT&x=a+b")
        #expect(r.query("symbol") == "BTC+USDT")
        #expect(r.query("x") == "a b")
        #expect(r.header("x-bapi-api-key") == "k1")
        #expect(r.wantsKeepAlive)
        #expect(consumed == text.utf8.count)
    }

    @Test func postBodyByContentLengthAndPipelining() throws {
        let first = "POST /v5/order/create HTTP/1.1\r\nHost: h\r\nContent-Length: 13\r\n\r\n{\"qty\":\"0.1\"}"
        let text = first + "GET /health HTTP/1.1\r\nHost: h\r\n\r\n"
        let (r, consumed) = try #require(request(text))
        #expect(String(decoding: r.body, as: UTF8.self) == #"{"qty":"0.1"}"#)
        #expect(consumed == first.utf8.count)
        guard case .complete(let second, _) = parser.parse(Array(Array(text.utf8)[consumed...])) else {
            Issue.record("the pipelined request was not parsed")
            return
        }
        #expect(second.path == "/health")
    }

    @Test func incompleteUntilTheWholeBodyArrives() {
        if case .incomplete = parser.parse(bytes("GET /a HTTP/1.1\r\nHost: h\r\n")) {} else { Issue.record("headers not finished") }
        if case .incomplete = parser.parse(bytes("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab")) {} else { Issue.record("body not finished") }
    }

    @Test func chunkedBody() throws {
        let text = "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n"
        let (r, consumed) = try #require(request(text))
        #expect(String(decoding: r.body, as: UTF8.self) == "Wikipedia ")
        #expect(consumed == text.utf8.count)
    }

    @Test func http10ClosesUnlessKeepAlive() throws {
        let (a, _) = try #require(request("GET / HTTP/1.0\r\n\r\n"))
        #expect(!a.wantsKeepAlive)
        let (b, _) = try #require(request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
        #expect(b.wantsKeepAlive)
        let (c, _) = try #require(request("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"))
        #expect(!c.wantsKeepAlive)
    }

    @Test func malformedRequestsAre400() {
        #expect(failure("GARBAGE\r\n\r\n")?.status == 400)
        #expect(failure("GET nopath HTTP/1.1\r\nHost: h\r\n\r\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\r\n\r\n")?.status == 400, "HTTP/1.1 without Host")
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")?.status == 400)
        #expect(failure("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.status == 400)
    }

    @Test func unsupportedVersionAndCoding() {
        #expect(failure("GET / HTTP/2.0\r\nHost: h\r\n\r\n")?.status == 505)
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n")?.status == 501)
    }

    @Test func limitsAreEnforced() {
        var limits = HTTPServerLimits()
        limits.maxRequestLineBytes = 64
        limits.maxHeaderBytes = 128
        limits.maxHeaderCount = 3
        limits.maxBodyBytes = 10
        let p = HTTPRequestParser(limits: limits)
        let longLine = "GET /" + String(repeating: "a", count: 100)
        #expect(failure(longLine, p)?.status == 414, "before the line even ends")
        #expect(failure(longLine + " HTTP/1.1\r\nHost: h\r\n\r\n", p)?.status == 414)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", p)?.status == 431)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\nA: " + String(repeating: "x", count: 200) + "\r\n\r\n", p)?.status == 431)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\nA: " + String(repeating: "x", count: 200), p)?.status == 431, "before the headers end")
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", p)?.status == 413)
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n", p) == nil, "incomplete, not too big")
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", p)?.status == 413, "refused on the size line")
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n", p)?.status == 413)
    }
}
