/// A JSON value with its object keys in the order they were given, written by hand: `inspect --json`
/// promises stable keys in a stable order, which Foundation's JSONSerialization does not keep.
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number with a fraction (seconds, rates); not finite is written as null, which JSON has instead.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// A string, or null when there is none.
    package static func string(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    /// The JSON text, indented by two spaces per level, without a final newline.
    package func rendered() -> String {
        var out = ""
        write(into: &out, indent: "")
        return out
    }

    /// The JSON text on one line, for outputs of one object per line (`db list --format json` rows).
    package var compactText: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? String(value) : "null"
        case .string(let value):
            var out = ""
            Self.writeString(value, into: &out)
            return out
        case .array(let values): return "[" + values.map(\.compactText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { key, value in
                var out = ""
                Self.writeString(key, into: &out)
                return out + ":" + value.compactText
            }.joined(separator: ",") + "}"
        }
    }

    private func write(into out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? String(value) : "null"
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let values):
            guard !values.isEmpty else { out += "[]"; return }
            let inner = indent + "  "
            out += "[\n"
            for (index, value) in values.enumerated() {
                out += inner
                value.write(into: &out, indent: inner)
                out += index == values.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            let inner = indent + "  "
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += inner
                Self.writeString(key, into: &out)
                out += ": "
                value.write(into: &out, indent: inner)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }

    /// RFC 8259 §7: quote and backslash escaped, control characters as short escapes or \u00XX.
    /// Everything else goes out as UTF-8; a name from a certificate may hold any character.
    static func writeString(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                // DEL and the line separators are legal JSON, but escaped so a terminal or a JavaScript
                // reader cannot be surprised by them.
                let hex = Array(String(scalar.value, radix: 16))
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + String(hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
