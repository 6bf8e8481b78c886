/// A seeded xoshiro256** generator whose state is expanded from a 64-bit seed with SplitMix64.
///
/// Every stream in mmbot is one of these, derived from `--seed` and a stream label, so one
/// component's draws never shift another's and a run replays exactly.
public struct SeededRandom: Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The generator's whole state, for persisting it (the simulated venue's, across restarts).
    package var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator that continues from a persisted `state` (four words, not all zero).
    package init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    /// A stream for `label` under `seed`: the label is hashed with FNV-1a and mixed in.
    public init(seed: UInt64, stream label: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in label.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        self.init(seed: seed ^ hash)
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's nearly-divisionless method, unbiased).
    @inlinable @inline(__always)
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform integer in `lower...upper`.
    @inlinable @inline(__always)
    public mutating func next(from lower: Int64, through upper: Int64) -> Int64 {
        let width = UInt64(bitPattern: upper &- lower) &+ 1
        return lower &+ Int64(bitPattern: next(below: width))
    }

    /// A uniform integer in `range`.
    @inlinable @inline(__always)
    public mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        next(from: range.lowerBound, through: range.upperBound)
    }

    /// True with probability `p` (a `Fixed` in [0, 1]), decided exactly in units of 1e-8.
    @inlinable @inline(__always)
    public mutating func chance(_ p: Fixed) -> Bool {
        if p.raw <= 0 { return false }
        if p.raw >= Fixed.scale { return true }
        return Int64(next(below: UInt64(Fixed.scale))) < p.raw
    }

    /// A uniform `Fixed` in [lower, upper], on the 1e-8 grid.
    public mutating func fixed(in lower: Fixed, _ upper: Fixed) -> Fixed {
        Fixed(raw: next(from: lower.raw, through: upper.raw))
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// SplitMix64 (Steele, Lea, Flood 2014): used to expand a seed into xoshiro state.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
