/// Milliseconds since the Unix epoch, UTC. Every instant in mmbot is one of these.
package typealias Millis = Int64

/// Converts between epoch milliseconds and ISO 8601 UTC text without Foundation's formatters
/// (which are slow and locale-sensitive), using the days-from-civil algorithm.
package enum UTCTime {
    package struct ParseError: Error, Sendable, CustomStringConvertible {
        package let text: String
        package var description: String {
            "'\(text)' is not an ISO 8601 UTC instant; accepted: YYYY-MM-DDTHH:MM:SS[.fff]Z or with a ±HH:MM offset, e.g. 2025-01-01T00:00:00Z"
        }
    }

    /// Parses `2025-01-01T00:00:00Z`, `2025-01-01T00:00:00.123Z`, `2025-01-01T02:00:00+02:00`.
    /// Fractions beyond milliseconds are truncated; a lower-case `t`/`z` or a space separator is
    /// accepted.
    package static func parse(_ text: String) throws(ParseError) -> Millis {
        let b = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var v = 0
            for i in start..<(start + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        func byte(_ i: Int) -> UInt8? { i < b.count ? b[i] : nil }
        guard let year = digits(0, 4), byte(4) == UInt8(ascii: "-"),
              let month = digits(5, 2), byte(7) == UInt8(ascii: "-"),
              let day = digits(8, 2),
              let sep = byte(10), sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " "),
              let hour = digits(11, 2), byte(13) == UInt8(ascii: ":"),
              let minute = digits(14, 2), byte(16) == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { throw ParseError(text: text) }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60
        else { throw ParseError(text: text) }
        var i = 19
        var millis = 0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while let d = byte(i), d >= 48, d <= 57 {
                if count < 3 { millis = millis * 10 + Int(d - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { throw ParseError(text: text) }
            for _ in min(count, 3)..<3 { millis *= 10 }
        }
        var offsetMinutes = 0
        switch byte(i) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = byte(i) == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), byte(i + 3) == UInt8(ascii: ":"), let om = digits(i + 4, 2),
                  oh < 24, om < 60 else { throw ParseError(text: text) }
            offsetMinutes = sign * (oh * 60 + om)
            i += 6
        default:
            throw ParseError(text: text)
        }
        guard i == b.count else { throw ParseError(text: text) }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// `2025-01-01T00:00:00Z` (whole seconds) or `2025-01-01T00:00:00.123Z` when the instant has
    /// milliseconds.
    package static func iso(_ millis: Millis) -> String {
        var out = ""
        appendISO(millis, fractionDigits: millis % 1000 == 0 ? 0 : 3, to: &out)
        return out
    }

    /// Appends the instant with a fixed number of fraction digits (0, 3 or 6; microseconds are
    /// always zero since mmbot's clocks count milliseconds).
    package static func appendISO(_ millis: Millis, fractionDigits: Int, to out: inout String) {
        let seconds = floorDiv(millis, 1000)
        let ms = Int(millis - seconds * 1000)
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = civilFromDays(Int(days))
        pad(y, 4, &out); out.append("-"); pad(m, 2, &out); out.append("-"); pad(d, 2, &out)
        out.append("T")
        pad(secondOfDay / 3600, 2, &out); out.append(":")
        pad(secondOfDay / 60 % 60, 2, &out); out.append(":")
        pad(secondOfDay % 60, 2, &out)
        if fractionDigits > 0 {
            out.append(".")
            pad(ms, 3, &out)
            for _ in 3..<max(fractionDigits, 3) { out.append("0") }
        }
        out.append("Z")
    }

    private static func pad(_ value: Int, _ width: Int, _ out: inout String) {
        let text = String(value)
        for _ in text.count..<width { out.append("0") }
        out.append(text)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
