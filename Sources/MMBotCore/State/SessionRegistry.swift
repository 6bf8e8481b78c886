import MMBotSupport

/// `sessions.json` in the state directory: every client-order-id session a durable run has used
/// there, and how many recoveries it has seen. Written durably before a run sends any order, so
/// ids stay unique across restarts: each start takes a session no earlier start used.
///
/// The first run in an empty directory takes the seed's session, so a fresh durable run sends the
/// same ids (and prints the same report) as the same run without durable state.
package struct SessionRegistry: Sendable, Equatable {
    package static let file = "sessions.json"
    package private(set) var sessions: [UInt32]
    package private(set) var recoveries: Int

    package init(sessions: [UInt32] = [], recoveries: Int = 0) {
        self.sessions = sessions
        self.recoveries = recoveries
    }

    /// The registry in `directory`, or nil when no durable run has started there.
    package static func read(directory: String) throws(StateError) -> SessionRegistry? {
        let path = directory + "/" + file
        guard let bytes = try DiskSnapshot.read(path) else { return nil }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: bytes)
        } catch {
            throw StateError.corrupt(file: path, line: 1, reason: error.description)
        }
        guard case .array(let list)? = value["sessions"], case .int(let recoveries)? = value["recoveries"], recoveries >= 0 else {
            throw StateError.corrupt(file: path, line: 1, reason: "it needs 'sessions' (a list) and 'recoveries' (a count)")
        }
        var sessions: [UInt32] = []
        for item in list {
            guard let text = item.stringValue, text.count == 8, let session = UInt32(text, radix: 16) else {
                throw StateError.corrupt(file: path, line: 1, reason: "'\(item)' is not an 8-digit hex session")
            }
            sessions.append(session)
        }
        return SessionRegistry(sessions: sessions, recoveries: Int(recoveries))
    }

    /// Picks the session for a new run: `preferred` unless used, else the next unused one on a
    /// fixed odd stride (a bijection on 32 bits, so it always finds one).
    package mutating func startRun(preferred: UInt32, recovering: Bool) -> UInt32 {
        var candidate = preferred
        let used = Set(sessions)
        while used.contains(candidate) { candidate &+= 0x9E37_79B9 }
        sessions.append(candidate)
        if recovering { recoveries += 1 }
        return candidate
    }

    package func write(directory: String) throws(StateError) {
        let value: JSONValue = [
            "recoveries": .int(recoveries),
            "sessions": .array(sessions.map { session in
                var bytes: [UInt8] = []
                appendHex(session, &bytes)
                return .string(String(decoding: bytes, as: UTF8.self))
            }),
        ]
        do {
            try Platform.writeFileDurably(directory + "/" + SessionRegistry.file, JSONWriter.string(value, pretty: true) + "\n")
        } catch {
            throw StateError.io(error.description)
        }
    }
}
