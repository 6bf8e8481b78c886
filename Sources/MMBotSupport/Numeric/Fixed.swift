/// An exact decimal number with eight fractional digits, stored as a scaled `Int64`.
///
/// Prices, quantities, money and basis points in mmbot are `Fixed`: built from strings or
/// integers (never from `Double`), added exactly, multiplied exactly whenever the product has at
/// most eight fractional digits (a price with two decimals times a quantity with three always
/// does), and rounded only where a caller names the rounding. The range is ±92,233,720,368.54775807.
public struct Fixed: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Units per 1: the value is `raw / scale`.
    public static let scale: Int64 = 100_000_000
    public static let fractionDigits = 8
    public static let zero = Fixed(raw: 0)
    public static let one = Fixed(raw: scale)
    public static let max = Fixed(raw: Int64.max)

    public var raw: Int64

    @inlinable @inline(__always)
    public init(raw: Int64) { self.raw = raw }

    /// A whole number, e.g. `Fixed(50_000)`.
    @inlinable
    public init(_ integer: Int) { self.raw = Int64(integer) * Fixed.scale }

    /// `units / 10^decimals`, e.g. `Fixed(units: 25, decimals: 2)` is 0.25.
    public init(units: Int64, decimals: Int) {
        precondition(decimals >= 0 && decimals <= Fixed.fractionDigits, "decimals must be 0...8")
        var factor: Int64 = 1
        for _ in 0..<(Fixed.fractionDigits - decimals) { factor *= 10 }
        self.raw = units * factor
    }

    /// Parses a plain decimal: an optional sign, digits, an optional point and at most eight
    /// fractional digits ("50000", "-0.001", "1.5", ".5"). No exponent, no spaces, no grouping.
    /// Returns nil for anything else or a value out of range.
    public init?(_ text: some StringProtocol) {
        var utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        var negative = false
        if utf8[0] == UInt8(ascii: "-") || utf8[0] == UInt8(ascii: "+") {
            negative = utf8[0] == UInt8(ascii: "-")
            utf8.removeFirst()
        }
        guard !utf8.isEmpty else { return nil }
        var integerPart: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digits = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            digits += 1
            if seenPoint {
                fractionDigits += 1
                if fractionDigits > Fixed.fractionDigits {
                    // Extra digits are allowed only when they are zeros ("0.100000000").
                    if digit != 0 { return nil }
                    continue
                }
                fraction = fraction * 10 + digit
            } else {
                let (m, o1) = integerPart.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(digit)
                if o1 || o2 { return nil }
                integerPart = a
            }
        }
        guard digits > 0 else { return nil }
        for _ in Swift.min(fractionDigits, Fixed.fractionDigits)..<Fixed.fractionDigits { fraction *= 10 }
        let (scaled, o1) = integerPart.multipliedReportingOverflow(by: Fixed.scale)
        let (sum, o2) = scaled.addingReportingOverflow(fraction)
        if o1 || o2 { return nil }
        self.raw = negative ? -sum : sum
    }

    @inlinable
    public static func < (lhs: Fixed, rhs: Fixed) -> Bool { lhs.raw < rhs.raw }

    @inlinable @inline(__always)
    public static func + (lhs: Fixed, rhs: Fixed) -> Fixed { Fixed(raw: lhs.raw + rhs.raw) }
    @inlinable @inline(__always)
    public static func - (lhs: Fixed, rhs: Fixed) -> Fixed { Fixed(raw: lhs.raw - rhs.raw) }
    @inlinable @inline(__always)
    public static prefix func - (value: Fixed) -> Fixed { Fixed(raw: -value.raw) }
    @inlinable @inline(__always)
    public static func += (lhs: inout Fixed, rhs: Fixed) { lhs.raw += rhs.raw }
    @inlinable @inline(__always)
    public static func -= (lhs: inout Fixed, rhs: Fixed) { lhs.raw -= rhs.raw }

    /// Multiplication by a whole number, exact.
    @inlinable @inline(__always)
    public static func * (lhs: Fixed, rhs: Int64) -> Fixed { Fixed(raw: lhs.raw * rhs) }

    @inlinable
    public var magnitude: Fixed { Fixed(raw: raw < 0 ? -raw : raw) }
    public var isZero: Bool { raw == 0 }
    public var isNegative: Bool { raw < 0 }
    public var signum: Int { raw == 0 ? 0 : (raw < 0 ? -1 : 1) }

    public enum Rounding: Sendable {
        /// Toward negative infinity.
        case down
        /// Toward positive infinity.
        case up
        /// Toward zero.
        case towardZero
        /// To the nearest; halves go to the even neighbour.
        case halfEven
    }

    /// `self × other`, rounded with `rounding` when the exact product has more than eight
    /// fractional digits.
    @inlinable @inline(__always)
    public func multiplied(by other: Fixed, rounding: Rounding = .halfEven) -> Fixed {
        // Split both operands into whole and fractional parts so the product needs no 128-bit
        // division: a·b/S = ah·bh·S + ah·bl + al·bh + al·bl/S, where only the last term rounds.
        let s = Fixed.scale
        let ah = raw / s, al = raw % s
        let bh = other.raw / s, bl = other.raw % s
        let (hh, o1) = ah.multipliedReportingOverflow(by: bh)
        let (hhs, o2) = hh.multipliedReportingOverflow(by: s)
        let (hl, o3) = ah.multipliedReportingOverflow(by: bl)
        let (lh, o4) = al.multipliedReportingOverflow(by: bh)
        let (sum1, o5) = hhs.addingReportingOverflow(hl)
        let (sum2, o6) = sum1.addingReportingOverflow(lh)
        let t = al * bl  // |al|, |bl| < 1e8, so |t| < 1e16
        let (whole, o7) = sum2.addingReportingOverflow(t / s)
        if !(o1 || o2 || o3 || o4 || o5 || o6 || o7) {
            return Fixed(raw: Fixed.round(whole: whole, remainder: t % s, divisor: s, rounding: rounding))
        }
        return wideMultiplied(by: other, rounding: rounding)
    }

    /// The reference 128-bit multiplication; `multiplied(by:)` agrees with it on every input.
    @usableFromInline
    func wideMultiplied(by other: Fixed, rounding: Rounding) -> Fixed {
        let product = raw.multipliedFullWidth(by: other.raw)
        return Fixed.divide(high: product.high, low: product.low, by: Fixed.scale, rounding: rounding)
    }

    /// Rounds `whole + remainder / divisor` (|remainder| < divisor, divisor > 0) to an integer.
    @inlinable @inline(__always)
    static func round(whole: Int64, remainder: Int64, divisor: Int64, rounding: Rounding) -> Int64 {
        if remainder == 0 { return whole }
        // Normalise to floor + a fraction in (0, divisor).
        let floor = remainder < 0 ? whole - 1 : whole
        let fraction = remainder < 0 ? remainder + divisor : remainder
        switch rounding {
        case .down: return floor
        case .up: return floor + 1
        case .towardZero: return floor >= 0 ? floor : floor + 1
        case .halfEven:
            let twice = fraction * 2
            if twice > divisor { return floor + 1 }
            if twice < divisor { return floor }
            return floor % 2 == 0 ? floor : floor + 1
        }
    }

    /// `self ÷ other` to eight fractional digits, rounded with `rounding`.
    @inlinable
    public func divided(by other: Fixed, rounding: Rounding) -> Fixed {
        precondition(other.raw != 0, "division by zero")
        let (small, overflow) = raw.multipliedReportingOverflow(by: Fixed.scale)
        if !overflow && other.raw > 0 {
            let q = small / other.raw
            let r = small % other.raw
            if r == 0 { return Fixed(raw: q) }
            return Fixed(raw: q + Fixed.adjustment(quotient: q, remainder: r, divisor: other.raw, rounding: rounding))
        }
        let numerator = raw.multipliedFullWidth(by: Fixed.scale)
        return Fixed.divide(high: numerator.high, low: numerator.low, by: other.raw, rounding: rounding)
    }

    /// The multiple of `step` nearest to `self` in the direction `rounding` names.
    @inlinable @inline(__always)
    public func rounded(toMultipleOf step: Fixed, _ rounding: Rounding) -> Fixed {
        precondition(step.raw > 0, "step must be positive")
        let q = raw / step.raw
        let r = raw % step.raw
        if r == 0 { return self }
        return Fixed(raw: (q + Fixed.adjustment(quotient: q, remainder: r, divisor: step.raw, rounding: rounding)) * step.raw)
    }

    /// How much to add to a truncated quotient `quotient` (remainder `remainder` ≠ 0, divisor
    /// positive) to round it as `rounding` says.
    @inline(__always)
    @usableFromInline
    static func adjustment(quotient: Int64, remainder: Int64, divisor: Int64, rounding: Rounding) -> Int64 {
        switch rounding {
        case .towardZero: return 0
        case .down: return remainder < 0 ? -1 : 0
        case .up: return remainder > 0 ? 1 : 0
        case .halfEven:
            let twice = (remainder < 0 ? -remainder : remainder) * 2
            if twice > divisor || (twice == divisor && quotient % 2 != 0) { return remainder < 0 ? -1 : 1 }
            return 0
        }
    }

    /// Whether `self` is a whole multiple of `step`.
    @inlinable
    public func isMultiple(of step: Fixed) -> Bool { step.raw != 0 && raw % step.raw == 0 }

    @usableFromInline
    static func divide(high: Int64, low: UInt64, by divisor: Int64, rounding: Rounding) -> Fixed {
        // Work on magnitudes so that every rounding mode is a simple adjustment of the quotient.
        let negative = (high < 0) != (divisor < 0)
        var mag = (high: UInt64(bitPattern: high), low: low)
        if high < 0 {
            // Two's complement negate the 128-bit value.
            mag.low = ~mag.low &+ 1
            mag.high = ~mag.high &+ (mag.low == 0 ? 1 : 0)
        }
        let d = divisor.magnitude
        precondition(mag.high < d, "Fixed arithmetic overflow")
        let (q, r) = d.dividingFullWidth((high: mag.high, low: mag.low))
        var quotient = q
        if r != 0 {
            switch rounding {
            case .towardZero: break
            case .down: if negative { quotient += 1 }
            case .up: if !negative { quotient += 1 }
            case .halfEven:
                let twice = r.multipliedFullWidth(by: 2)
                let greater = twice.high > 0 || twice.low > d
                let equal = twice.high == 0 && twice.low == d
                if greater || (equal && quotient % 2 != 0) { quotient += 1 }
            }
        }
        precondition(quotient <= UInt64(Int64.max), "Fixed arithmetic overflow")
        return Fixed(raw: negative ? -Int64(quotient) : Int64(quotient))
    }

    /// The shortest exact decimal text: "50000", "0.18", "-3.5".
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the shortest exact decimal text to `out` without an intermediate String.
    public func write(to out: inout String) {
        let negative = raw < 0
        let magnitude = raw.magnitude
        let integerPart = magnitude / UInt64(Fixed.scale)
        var fraction = magnitude % UInt64(Fixed.scale)
        if negative { out.append("-") }
        out.append(String(integerPart))
        if fraction == 0 { return }
        var digits = Fixed.fractionDigits
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        out.append(".")
        for _ in 0..<(digits - text.count) { out.append("0") }
        out.append(text)
    }

    /// The number of fractional digits the shortest text has (0 for whole numbers).
    public var decimalPlaces: Int {
        var fraction = raw.magnitude % UInt64(Fixed.scale)
        if fraction == 0 { return 0 }
        var digits = Fixed.fractionDigits
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        return digits
    }

    /// The text with exactly `places` fractional digits (pads with zeros; never rounds away
    /// digits — callers pass at least `decimalPlaces`). Used for venue wire formats like "0.10".
    public func formatted(places: Int) -> String {
        precondition(places >= decimalPlaces, "formatting would drop digits")
        var text = description
        let have = decimalPlaces
        if places > have {
            if have == 0 { text.append(".") }
            for _ in 0..<(places - have) { text.append("0") }
        }
        return text
    }
}
