import Foundation

/// Finds the line of a key in TOML text. TOMLKit parses values but does not say where they were,
/// and every config (and contract) error must name its line, so this scans the text for table
/// headers and keys. An array-of-tables entry is named by `arrayIndex` (`sparks#0` for the config,
/// `tasks[0]` for contracts). Best effort: values inside multi-line arrays and inline tables fall
/// back to the line of their key.
public struct TOMLLineIndex: Sendable {
    /// Every key path found, with its line (1-based).
    public private(set) var lines: [String: Int] = [:]

    public init(text: String, arrayIndex: (String, Int) -> String = { "\($0)#\($1)" }) {
        var prefix = ""
        var arrayCounts: [String: Int] = [:]
        var inMultiline: String?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let delimiter = inMultiline {
                if line.contains(delimiter) { inMultiline = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let name = Self.headerName(line, open: "[[", close: "]]")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                prefix = arrayIndex(name, index)
                record(prefix, number)
            } else if line.hasPrefix("[") {
                prefix = Self.headerName(line, open: "[", close: "]")
                record(prefix, number)
            } else if let equals = line.firstIndex(of: "=") {
                let key = line[..<equals].split(separator: ".").map {
                    $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                }.joined(separator: ".")
                record(prefix.isEmpty ? key : "\(prefix).\(key)", number)
                let value = line[line.index(after: equals)...]
                for delimiter in ["\"\"\"", "'''"] where value.components(separatedBy: delimiter).count == 2 {
                    inMultiline = delimiter
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
        return body.split(separator: ".").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }.joined(separator: ".")
    }

    /// The line of `path`, or of its nearest enclosing table when the key itself is not on a line
    /// of its own (inline tables). 1 when nothing matches.
    public func line(of path: String) -> Int {
        var parts = path.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let line = lines[parts.joined(separator: ".")] { return line }
            parts.removeLast()
        }
        return 1
    }
}
