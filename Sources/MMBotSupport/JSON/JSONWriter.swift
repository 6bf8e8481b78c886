/// The canonical JSON writer: keys sorted by their UTF-8 bytes, numbers in their shortest exact
/// form (`Fixed` never goes through `Double`), `/` not escaped, control characters as `\u00XX`.
///
/// `pretty` indents with two spaces and puts one member per line, for reports people diff;
/// compact output is one line, for logs and wire formats.
package enum JSONWriter {
    package static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(value, to: &out, pretty: pretty, indent: 0)
        return out
    }

    package static func write(_ value: JSONValue, to out: inout String, pretty: Bool, indent: Int) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .decimal(let d): d.write(to: &out)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(",") }
                if pretty { newline(&out, indent + 1) }
                write(item, to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out.append("]")
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            out.append("{")
            for (index, key) in sortedKeys(members).enumerated() {
                if index > 0 { out.append(",") }
                if pretty { newline(&out, indent + 1) }
                writeString(key, to: &out)
                out.append(pretty ? ": " : ":")
                write(members[key]!, to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out.append("}")
        }
    }

    /// Keys in byte order, which is the order `sort` and `jq -S` agree on for ASCII keys.
    package static func sortedKeys(_ members: [String: JSONValue]) -> [String] {
        members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    package static func writeString(_ s: String, to out: inout String) {
        out.append("\"")
        var plainStart = s.unicodeScalars.startIndex
        var index = plainStart
        let scalars = s.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out.append(escape)
                index = scalars.index(after: index)
                plainStart = index
            } else {
                index = scalars.index(after: index)
            }
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out.append("\"")
    }

    private static func newline(_ out: inout String, _ indent: Int) {
        out.append("\n")
        for _ in 0..<indent { out.append("  ") }
    }
}
