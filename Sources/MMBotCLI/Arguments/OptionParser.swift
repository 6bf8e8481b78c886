import MMBotSupport

/// One command-line option. Boolean options have no `valueName`; a boolean with `negation`
/// also accepts `--no-...` to turn it off.
package struct OptionSpec: Sendable {
    package let name: String
    package let valueName: String?
    package let help: String
    /// What `--help` shows as the default, or nil for none.
    package let defaultText: String?
    package let negation: String?

    package init(_ name: String, value: String? = nil, default defaultText: String? = nil, negation: String? = nil, help: String) {
        self.name = name
        self.valueName = value
        self.help = help
        self.defaultText = defaultText
        self.negation = negation
    }
}

/// The options of one invocation, after `OptionParser.parse`, with typed, validated readers.
package struct ParsedOptions: Sendable {
    package let command: String
    package var values: [String: String] = [:]
    package var flags: [String: Bool] = [:]
    package var positionals: [String] = []

    package init(command: String) { self.command = command }

    package func isSet(_ name: String) -> Bool { values[name] != nil || flags[name] != nil }

    package func flag(_ name: String, default value: Bool) -> Bool { flags[name] ?? value }

    package func string(_ name: String) -> String? { values[name] }

    package func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) throws(UsageError) -> T where T.RawValue == String {
        guard let text = values[name] else { return value }
        if let parsed = T(rawValue: text.lowercased()) { return parsed }
        throw UsageError(command, "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: "|")), got '\(text)'")
    }

    package func integer(_ name: String, default value: Int64, range: ClosedRange<Int64>) throws(UsageError) -> Int64 {
        guard let text = values[name] else { return value }
        guard let parsed = Int64(text), range.contains(parsed) else {
            throw UsageError(command, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return parsed
    }

    package func unsigned(_ name: String, default value: UInt64) throws(UsageError) -> UInt64 {
        guard let text = values[name] else { return value }
        guard let parsed = UInt64(text) else {
            throw UsageError(command, "\(name) must be a whole number from 0 to \(UInt64.max), got '\(text)'")
        }
        return parsed
    }

    /// A decimal in `range` (inclusive); `above` makes the lower bound exclusive.
    package func decimal(_ name: String, default value: Fixed?, range: ClosedRange<Fixed>, lowerExclusive: Bool = false) throws(UsageError) -> Fixed? {
        guard let text = values[name] else { return value }
        let lower = lowerExclusive ? "greater than \(range.lowerBound)" : "from \(range.lowerBound)"
        guard let parsed = Fixed(text), range.contains(parsed), !(lowerExclusive && parsed == range.lowerBound) else {
            throw UsageError(command, "\(name) must be a decimal \(lower) to \(range.upperBound) (at most 8 decimals), got '\(text)'")
        }
        return parsed
    }
}

/// A small, strict parser: `--name value`, `--name=value`, boolean flags and their `--no-`
/// forms, `--help`. Unknown options, missing values and repeated options are usage errors.
package enum OptionParser {
    package static func parse(_ arguments: [String], specs: [OptionSpec], command: String, allowPositionals: Int = 0) throws(UsageError) -> ParsedOptions {
        var result = ParsedOptions(command: command)
        var byName: [String: OptionSpec] = [:]
        var negations: [String: OptionSpec] = [:]
        for spec in specs {
            byName[spec.name] = spec
            if let negation = spec.negation { negations[negation] = spec }
        }
        var seen: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                if result.positionals.count < allowPositionals {
                    result.positionals.append(argument)
                    continue
                }
                throw UsageError(command, "unexpected argument '\(argument)'")
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if let spec = negations[name] {
                guard inlineValue == nil else { throw UsageError(command, "\(name) takes no value") }
                guard seen.insert(spec.name).inserted else { throw UsageError(command, "\(spec.name)/\(name) given more than once") }
                result.flags[spec.name] = false
                continue
            }
            guard let spec = byName[name] else {
                throw UsageError(command, "unknown option '\(name)'")
            }
            guard seen.insert(spec.name).inserted else {
                throw UsageError(command, "\(spec.name) given more than once")
            }
            if spec.valueName == nil {
                guard inlineValue == nil else { throw UsageError(command, "\(name) takes no value") }
                result.flags[spec.name] = true
                continue
            }
            if let inlineValue {
                result.values[spec.name] = inlineValue
                continue
            }
            guard index < arguments.count, !(arguments[index].hasPrefix("--") && arguments[index].count > 2) else {
                throw UsageError(command, "\(name) needs a value (\(spec.valueName!))")
            }
            result.values[spec.name] = arguments[index]
            index += 1
        }
        return result
    }

    /// The `--help` text: usage line, description, one line per option with its default.
    package static func help(usage: String, summary: String, specs: [OptionSpec], footer: String = "") -> String {
        var out = "USAGE: \(usage)\n\n\(summary)\n\nOPTIONS:\n"
        let labels = specs.map { spec -> String in
            var label = spec.name
            if let negation = spec.negation { label += "/" + negation }
            if let value = spec.valueName { label += " " + value }
            return label
        }
        let width = min(34, (labels.map(\.count).max() ?? 0) + 2)
        for (spec, label) in zip(specs, labels) {
            var line = "  " + label
            if label.count + 2 > width {
                line += "\n" + String(repeating: " ", count: width + 2)
            } else {
                line += String(repeating: " ", count: width - label.count)
            }
            line += spec.help
            if let defaultText = spec.defaultText { line += " (default: \(defaultText))" }
            out += line + "\n"
        }
        out += "  --help" + String(repeating: " ", count: max(1, width - 6)) + "Show this help.\n"
        if !footer.isEmpty { out += "\n" + footer + "\n" }
        return out
    }
}
