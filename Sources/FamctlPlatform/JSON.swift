// SPDX-License-Identifier: Apache-2.0
/// A JSON value with ordered keys: famctl's one JSON writer (no Foundation). Two layouts:
/// daxctl's (`pretty()`, for the dax commands, whose output scripts diff against daxctl's)
/// and famctl's own (`rendered(indent:)`, for the famfs commands).
public indirect enum JSON: Equatable, Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case integer(Int64)
    case number(UInt64)
    /// A number already formatted.
    case raw(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.raw(let a), .raw(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// How a document is laid out; both indent by two spaces per level.
    public struct Layout: Sendable {
        /// Between a key and its value.
        var separator: String
        /// Whether an empty object or array prints as `{}`/`[]` (else over two lines).
        var collapsesEmpty: Bool

        /// json-c's `JSON_C_TO_STRING_PRETTY`, what daxctl prints: `"key":value`.
        public static let daxctl = Layout(separator: ":", collapsesEmpty: false)
        /// famctl's own: `"key": value`, `{}` and `[]` for empty containers.
        public static let famctl = Layout(separator: ": ", collapsesEmpty: true)
    }

    /// daxctl's layout. No trailing newline.
    public func pretty(indent: Int = 0) -> String { rendered(.daxctl, indent: indent) }

    /// famctl's layout. No trailing newline.
    public func rendered(indent: Int) -> String { rendered(.famctl, indent: 2 * indent) }

    public func rendered(_ layout: Layout, indent: Int) -> String {
        var out = ""
        write(to: &out, layout, indent: indent)
        return out
    }

    private func write(to out: inout String, _ layout: Layout, indent: Int) {
        switch self {
        case .integer(let value): out += String(value)
        case .number(let value): out += String(value)
        case .raw(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .string(let value): out += JSON.quoted(value)
        case .array(let elements):
            if elements.isEmpty && layout.collapsesEmpty { out += "[]"; return }
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                element.write(to: &out, layout, indent: indent + 2)
                out += index == elements.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty && layout.collapsesEmpty { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += String(repeating: " ", count: indent + 2) + JSON.quoted(key) + layout.separator
                value.write(to: &out, layout, indent: indent + 2)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// `text` as a JSON string, escaped as json-c does: `"`, `\`, the control characters
    /// and `/` (as `\/`, which every JSON reader takes for `/`). `escapingSolidus: false`
    /// keeps `/` for text that is read by people, not parsed.
    public static func quoted(_ text: String, escapingSolidus: Bool = true) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapingSolidus: out += "\\/"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
