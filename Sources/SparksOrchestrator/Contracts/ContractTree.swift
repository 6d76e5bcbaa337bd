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

/// Finds the line of each key in TOML text. TOMLKit parses values but does not say where they
/// were, so this scans for `[[array]]` and `[table]` headers and `key =` lines, naming them with
/// the loader's field paths (`tasks[3].depends_on`). Best effort: values inside multi-line arrays
/// and inline tables fall back to the line of their key.
struct TOMLKeyLines {
    private(set) var lines: [String: Int] = [:]

    init(text: String) {
        var prefix = ""
        var arrayCounts: [String: Int] = [:]
        var multilineDelimiter: String?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let delimiter = multilineDelimiter {
                if line.contains(delimiter) { multilineDelimiter = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let name = Self.headerName(line, open: "[[", close: "]]")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                prefix = "\(name)[\(index)]"
                record(prefix, number)
            } else if line.hasPrefix("[") {
                prefix = Self.headerName(line, open: "[", close: "]")
                record(prefix, number)
            } else if let equals = line.firstIndex(of: "=") {
                let key = Self.dottedKey(line[..<equals])
                record(prefix.isEmpty ? key : "\(prefix).\(key)", number)
                let value = line[line.index(after: equals)...]
                for delimiter in ["\"\"\"", "'''"] where value.components(separatedBy: delimiter).count == 2 {
                    multilineDelimiter = delimiter
                }
            }
        }
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    private static func headerName(_ line: String, open: String, close: String) -> String {
        var body = line.dropFirst(open.count)
        if let end = body.range(of: close) { body = body[..<end.lowerBound] }
        return dottedKey(body)
    }

    private static func dottedKey(_ text: Substring) -> String {
        text.split(separator: ".").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }.joined(separator: ".")
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
