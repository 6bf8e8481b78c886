import Testing
@testable import MMBotSupport

@Suite struct JSONTests {
    @Test func writerSortsKeysAndKeepsDecimalsExact() {
        let value: JSONValue = ["b": .decimal(Fixed("0.30")!), "a": [1, "x/y", nil, true], "A": .decimal(Fixed("9000")!)]
        #expect(JSONWriter.string(value) == #"{"A":9000,"a":[1,"x/y",null,true],"b":0.3}"#)
    }

    @Test func writerEscapesControlCharactersAndQuotes() {
        #expect(JSONWriter.string(.string("a\"b\\c\n\u{01}é")) == #""a\"b\\c\n\u0001é""#)
    }

    @Test func prettyOutputIsStable() {
        let value: JSONValue = ["z": [], "y": [:], "x": ["k": 1]]
        #expect(JSONWriter.string(value, pretty: true) == "{\n  \"x\": {\n    \"k\": 1\n  },\n  \"y\": {},\n  \"z\": []\n}")
    }

    @Test func parserRoundTripsWhatTheWriterWrites() throws {
        let value: JSONValue = ["price": .decimal(Fixed("49995.1")!), "qty": 3, "s": "tab\there \u{1F600}", "n": nil, "l": [false]]
        let text = JSONWriter.string(value)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func parserHandlesEscapesAndSurrogates() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00\/\u00e9""#) == .string("😀/é"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":1,}", "01", "1e5", "\"\\x\"", "tru", "[1] 2", "\"\\ud800\"", "0.123456789"])
    func parserRejectsInvalidInput(_ text: String) {
        #expect(throws: JSONParser.ParseError.self) { try JSONParser.parse(text) }
    }
}
