import Testing
@testable import MMBotSupport

@Suite struct UTCTimeTests {
    @Test func parsesTheRunbookInstant() throws {
        #expect(try UTCTime.parse("2025-01-01T00:00:00Z") == 1_735_689_600_000)
        #expect(try UTCTime.parse("2021-01-01T00:00:00Z") == 1_609_459_200_000)
    }

    @Test func parsesFractionsAndOffsets() throws {
        #expect(try UTCTime.parse("2025-01-01T00:00:00.123Z") == 1_735_689_600_123)
        #expect(try UTCTime.parse("2025-01-01T00:00:00.123456Z") == 1_735_689_600_123)
        #expect(try UTCTime.parse("2025-01-01T02:00:00+02:00") == 1_735_689_600_000)
        #expect(try UTCTime.parse("2024-12-31T19:00:00-05:00") == 1_735_689_600_000)
        #expect(try UTCTime.parse("2024-02-29T00:00:00Z") == 1_709_164_800_000)
    }

    @Test(arguments: ["", "2025-01-01", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
                      "2025-01-01T24:00:00Z", "2025-01-01T00:00:00", "2025-01-01T00:00:00Zjunk", "yesterday", "2025-01-01T00:00:00.Z"])
    func rejectsMalformedInstants(_ text: String) {
        #expect(throws: UTCTime.ParseError.self) { try UTCTime.parse(text) }
    }

    @Test func formatsInstants() {
        #expect(UTCTime.iso(1_735_689_600_000) == "2025-01-01T00:00:00Z")
        #expect(UTCTime.iso(1_735_689_600_123) == "2025-01-01T00:00:00.123Z")
        var out = ""
        UTCTime.appendISO(1_735_689_601_000, fractionDigits: 6, to: &out)
        #expect(out == "2025-01-01T00:00:01.000000Z")
        #expect(UTCTime.iso(0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso(-1000) == "1969-12-31T23:59:59Z")
    }

    @Test func civilConversionRoundTripsOverCenturies() {
        for days in stride(from: -200_000, through: 200_000, by: 997) {
            let (y, m, d) = UTCTime.civilFromDays(days)
            #expect(UTCTime.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }
}
