import MMBotSupport

/// Log severities, lowest first. `off` silences everything.
package enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug = 10
    case info = 20
    case warning = 30
    case error = 40
    case off = 100

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The `lvl` field: DEBUG, INFO, WARNING, ERROR.
    package var label: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .off: return "OFF"
        }
    }

    /// Accepts debug, info, warning (or warn), error, off; any case.
    package init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "off": self = .off
        default: return nil
        }
    }
}

package enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line with sorted keys: ts_utc, lvl, name, component, event, then the
    /// event's own fields at the top level.
    case json
    /// `ts LEVEL name component event key=value ...` for people.
    case text
}

/// Where finished log lines go (the CLI writes them to stderr; tests collect them).
package protocol LogSink: AnyObject {
    func write(line: String)
    func flush()
}

/// The run's clock as the logger and the components read it: virtual time in shadow runs.
package final class RunClock {
    package var now: Millis
    package init(now: Millis) { self.now = now }
}

/// The structured logger. Callers test `isEnabled` before building fields, so a disabled level
/// costs one integer comparison in the hot loop.
package final class Logger {
    package let threshold: LogLevel
    package let format: LogFormat
    private let sink: any LogSink
    private let clock: RunClock

    package init(threshold: LogLevel, format: LogFormat, sink: any LogSink, clock: RunClock) {
        self.threshold = threshold
        self.format = format
        self.sink = sink
        self.clock = clock
    }

    @inline(__always)
    package func isEnabled(_ level: LogLevel) -> Bool { level >= threshold && level != .off }

    /// Writes one event. `name` is the logger name (e.g. mm.execution), `component` the part of
    /// the engine (execution_loop, fake_exchange, risk_monitor).
    package func log(_ level: LogLevel, name: String, component: String, event: String, _ fields: [(String, JSONValue)] = []) {
        guard isEnabled(level) else { return }
        var line = ""
        line.reserveCapacity(160)
        switch format {
        case .json:
            var members: [String: JSONValue] = [:]
            for (key, value) in fields { members[key] = Logger.masked(key, value) }
            var ts = ""
            UTCTime.appendISO(clock.now, fractionDigits: 6, to: &ts)
            members["ts_utc"] = .string(ts)
            members["lvl"] = .string(level.label)
            members["name"] = .string(name)
            members["component"] = .string(component)
            members["event"] = .string(event)
            JSONWriter.write(.object(members), to: &line, pretty: false, indent: 0)
        case .text:
            UTCTime.appendISO(clock.now, fractionDigits: 6, to: &line)
            line.append(" ")
            line.append(level.label)
            line.append(" ")
            line.append(name)
            line.append(" ")
            line.append(component)
            line.append(" ")
            line.append(event)
            for (key, value) in fields.sorted(by: { $0.0 < $1.0 }) {
                line.append(" ")
                line.append(key)
                line.append("=")
                let value = Logger.masked(key, value)
                if case .string(let s) = value, !s.contains(" "), !s.isEmpty {
                    line.append(s)
                } else {
                    JSONWriter.write(value, to: &line, pretty: false, indent: 0)
                }
            }
        }
        sink.write(line: line)
    }

    package func flush() { sink.flush() }

    /// The text that replaces a secret's value in a log line.
    package static let mask = "***"

    /// A field whose name says it carries a credential (api_key, access_key, secret_key,
    /// signature, authorization, password, or anything ending in secret, token or password) is
    /// logged as `***` whatever its value, so a careless call site cannot leak one.
    package static func masked(_ key: String, _ value: JSONValue) -> JSONValue {
        let lower = key.lowercased()
        if sensitiveKeys.contains(lower) || lower.hasSuffix("secret") || lower.hasSuffix("token") || lower.hasSuffix("password") {
            return .string(mask)
        }
        return value
    }

    private static let sensitiveKeys: Set<String> = [
        "api_key", "apikey", "access_key", "access_key_id", "secret_key", "private_key", "signature", "sign", "authorization",
        "x-bapi-api-key", "x-bapi-sign", "passwd",
    ]
}

/// A sink that keeps lines in memory, for tests and for callers that render logs themselves.
package final class MemoryLogSink: LogSink {
    package private(set) var lines: [String] = []
    package init() {}
    package func write(line: String) { lines.append(line) }
    package func flush() {}
}
