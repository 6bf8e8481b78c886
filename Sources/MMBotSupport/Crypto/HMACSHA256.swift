/// HMAC-SHA256 (RFC 2104) over our `SHA256`, held to the RFC 4231 vectors in MMBotSupportTests.
package enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`. Keys longer than the 64-byte
    /// block are hashed first; shorter ones are zero-padded.
    package static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > SHA256.blockByteCount ? SHA256.hash(key) : key
        block.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - block.count))
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// The code of the UTF-8 bytes of `message` under `key`.
    package static func authenticationCode(key: [UInt8], message: String) -> [UInt8] {
        authenticationCode(key: key, message: Array(message.utf8))
    }
}
