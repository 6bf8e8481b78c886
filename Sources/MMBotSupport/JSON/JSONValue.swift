/// A JSON document. Numbers are exact: whole numbers as `Int64`, decimals as `Fixed`.
///
/// Objects keep their members in a dictionary; the writer sorts keys, so output never depends on
/// hash order.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case decimal(Fixed)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }

    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var intValue: Int64? {
        switch self {
        case .int(let v): return v
        case .decimal(let d) where d.decimalPlaces == 0: return d.raw / Fixed.scale
        default: return nil
        }
    }

    package var decimalValue: Fixed? {
        switch self {
        case .int(let v): return Fixed(raw: v * Fixed.scale)
        case .decimal(let d): return d
        case .string(let s): return Fixed(s)
        default: return nil
        }
    }

    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    package var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    package init(nilLiteral: ()) { self = .null }
}
