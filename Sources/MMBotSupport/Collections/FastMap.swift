/// A key with a cheap, well-mixed 64-bit hash, for `FastMap`.
public protocol FastHashable: Equatable, Sendable {
    var fastHash: UInt64 { get }
}

/// An open-addressing hash map (linear probing, backward-shift deletion, power-of-two capacity)
/// for the hot loop, where `Dictionary`'s SipHash costs more than the work it indexes.
/// Iteration order is unspecified: callers sort before output.
public struct FastMap<Key: FastHashable, Value: Sendable>: Sendable {
    @usableFromInline var keys: [Key?]
    @usableFromInline var values: [Value?]
    @usableFromInline var mask: Int
    @usableFromInline var storedCount = 0
    /// How many keys the map holds.
    @inlinable public var count: Int { storedCount }

    @inlinable
    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
    }

    @inlinable @inline(__always)
    func home(_ key: Key) -> Int {
        // Fibonacci hashing spreads sequential keys over the table.
        Int(truncatingIfNeeded: (key.fastHash &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    @inlinable
    func slot(of key: Key) -> Int? {
        var i = home(key)
        while let k = keys[i] {
            if k == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    @inlinable
    public subscript(key: Key) -> Value? {
        get {
            guard let i = slot(of: key) else { return nil }
            return values[i]
        }
        set {
            if let newValue { insert(key, newValue) } else { removeValue(forKey: key) }
        }
    }

    @inlinable
    public mutating func insert(_ key: Key, _ value: Value) {
        if (storedCount + 1) * 2 > keys.count { grow() }
        var i = home(key)
        while let k = keys[i] {
            if k == key { values[i] = value; return }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = value
        storedCount += 1
    }

    @inlinable @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard var hole = slot(of: key) else { return nil }
        let removed = values[hole]
        keys[hole] = nil
        values[hole] = nil
        storedCount -= 1
        // Backward-shift: pull later members of the probe run into the hole.
        var i = (hole + 1) & mask
        while let k = keys[i] {
            let h = home(k)
            let between = hole <= i ? (hole < h && h <= i) : (hole < h || h <= i)
            if !between {
                keys[hole] = k
                values[hole] = values[i]
                keys[i] = nil
                values[i] = nil
                hole = i
            }
            i = (i + 1) & mask
        }
        return removed
    }

    @usableFromInline
    mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let size = keys.count * 2
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
        storedCount = 0
        for (k, v) in zip(oldKeys, oldValues) {
            if let k, let v { insert(k, v) }
        }
    }

    /// Every (key, value) pair, in table order.
    public var pairs: [(Key, Value)] {
        var out: [(Key, Value)] = []
        out.reserveCapacity(storedCount)
        for (k, v) in zip(keys, values) {
            if let k, let v { out.append((k, v)) }
        }
        return out
    }
}
