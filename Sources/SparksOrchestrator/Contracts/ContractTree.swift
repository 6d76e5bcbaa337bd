import Foundation

/// A parsed contract document before it is read into the model: what TOML, YAML and JSON have in
/// common, with the line each node came from where the parser says.
struct ContractTree: Sendable {
    struct Entry: Sendable {
        var key: String
        /// Where the key is written (for a YAML block sequence the value starts a line later).
        var keyLine: Int?
        var value: ContractTree
    }

    enum Value: Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        case date(String)
        case null
        case array([ContractTree])
        case table([Entry])
    }

    var value: Value
    /// A YAML scalar's text as written: a string field accepts `yes` or `1` there, as YAML decoders do.
    var scalarText: String?
    var line: Int?

    init(_ value: Value, scalarText: String? = nil, line: Int? = nil) {
        self.value = value
        self.scalarText = scalarText
        self.line = line
    }

    /// "a string", "an integer", … for type errors.
    var kindDescription: String {
        switch value {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .date: "a date"
        case .null: "null"
        case .array: "an array"
        case .table: "a table"
        }
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }
}

/// Field paths: `tasks[3].depends_on[0]`.
enum FieldPath {
    static func key(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }
    static func index(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }

    /// The path one level up: `tasks[3].depends_on[0]` → `tasks[3].depends_on` → `tasks[3]` → `tasks`.
    static func parent(of path: String) -> String? {
        guard !path.isEmpty else { return nil }
        if path.hasSuffix("]"), let open = path.lastIndex(of: "[") { return String(path[..<open]) }
        if let dot = path.lastIndex(of: ".") { return String(path[..<dot]) }
        return ""
    }
}
