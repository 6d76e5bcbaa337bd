import SparksCore

/// Finds a JSON object in model text: the whole text, else a fenced code block, else the first
/// balanced `{…}` (the original's order).
public enum JSONExtraction {
    public static func firstObject(in text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = JSONValue.parse(trimmed), value.objectValue != nil { return value }
        for block in fencedBlocks(trimmed) {
            if let value = JSONValue.parse(block), value.objectValue != nil { return value }
        }
        return balancedObjects(trimmed).lazy.compactMap { JSONValue.parse($0) }.first { $0.objectValue != nil }
    }

    static func fencedBlocks(_ text: String) -> [String] {
        let parts = text.components(separatedBy: "```")
        guard parts.count >= 3 else { return [] }
        return stride(from: 1, to: parts.count - 1, by: 2).map { index in
            var block = parts[index]
            // Drop a language tag such as `json` on the fence line.
            if let newline = block.firstIndex(of: "\n"), !block[..<newline].contains("{") {
                block = String(block[block.index(after: newline)...])
            }
            return block.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Every top-level balanced `{…}` span, skipping braces inside strings.
    static func balancedObjects(_ text: String) -> [String] {
        var results: [String] = []
        var depth = 0
        var start: String.Index?
        var inString = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = depth > 0
            } else if character == "{" {
                if depth == 0 { start = index }
                depth += 1
            } else if character == "}", depth > 0 {
                depth -= 1
                if depth == 0, let begin = start { results.append(String(text[begin...index])) }
            }
            index = text.index(after: index)
        }
        return results
    }
}
