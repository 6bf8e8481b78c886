import Testing
import MMBotSupport
@testable import MMBotCore

@Suite struct LoggerMaskingTests {
    @Test func credentialFieldsAreMaskedInJSONAndText() {
        for format in LogFormat.allCases {
            let sink = MemoryLogSink()
            let logger = Logger(threshold: .info, format: format, sink: sink, clock: RunClock(now: 0))
            logger.log(.info, name: "mm.test", component: "test", event: "credentials_loaded", [
                ("api_key", .string("AKIAREALKEY")), ("api_secret", .string("s3cr3t")), ("aws_session_token", .string("tok")),
                ("X-BAPI-SIGN", .string("abcdef")), ("symbol", .string("BTCUSDT")),
            ])
            let line = sink.lines[0]
            for secret in ["AKIAREALKEY", "s3cr3t", "tok\"", "abcdef"] { #expect(!line.contains(secret), "\(format): \(line)") }
            #expect(line.contains("BTCUSDT"))
        }
    }

    @Test func jsonLinesCarryTheRunbookFields() throws {
        let sink = MemoryLogSink()
        let logger = Logger(threshold: .info, format: .json, sink: sink, clock: RunClock(now: 1_735_689_600_000))
        logger.log(.warning, name: "mm.risk", component: "risk_monitor", event: "freeze_triggered", [("symbol", .string("BTCUSDT"))])
        let object = try JSONParser.parse(sink.lines[0])
        #expect(object["ts_utc"]?.stringValue == "2025-01-01T00:00:00.000000Z")
        #expect(object["lvl"]?.stringValue == "WARNING")
        #expect(object["name"]?.stringValue == "mm.risk")
        #expect(object["component"]?.stringValue == "risk_monitor")
        #expect(object["event"]?.stringValue == "freeze_triggered")
        #expect(object["symbol"]?.stringValue == "BTCUSDT")
    }
}
