/// A path glob as used in `changed_files_allow`, matched against a whole repository-relative path.
///
/// `*` matches within one path segment, `?` one character of a segment, `[abc]`/`[!abc]`/`[a-z]`
/// a character class, and a `**` segment any number of segments (including none), so `src/**`
/// covers everything under `src`, and `**/*.md` every Markdown file. A trailing `/` means the whole
/// directory (`docs/` is `docs/**`). Matching is by segment so `src/*.py` does not admit
/// `src/deep/x.py`: an allowlist should not grow by accident.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let segments: [String]

    public init(_ pattern: String) {
        self.pattern = pattern
        var trimmed = pattern.hasPrefix("./") ? String(pattern.dropFirst(2)) : pattern
        if trimmed.hasSuffix("/") { trimmed += "**" }
        segments = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    public var description: String { pattern }

    /// Whether `path` (relative, `/`-separated) matches the pattern.
    public func matches(_ path: String) -> Bool {
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return Self.match(segments[...], parts[...])
    }

    private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            let rest = pattern.dropFirst()
            // Try every split point: `**` swallows zero, one, … segments.
            var remaining = path
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let segment = path.first, matchSegment(Array(head), Array(segment)) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// fnmatch-style matching of one segment with `*`, `?` and `[...]`.
    private static func matchSegment(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0
        var t = 0
        var starP: Int?
        var starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                starP = p
                starT = t
                p += 1
                continue
            }
            if p < pattern.count, let next = singleMatch(pattern, at: p, text[t]) {
                p = next
                t += 1
                continue
            }
            guard let star = starP else { return false }
            // Backtrack: let the last `*` take one more character.
            p = star + 1
            starT += 1
            t = starT
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// If the pattern element at `index` matches `character`, the index after that element.
    private static func singleMatch(_ pattern: [Character], at index: Int, _ character: Character) -> Int? {
        switch pattern[index] {
        case "?":
            return index + 1
        case "[":
            guard let (matched, end) = matchClass(pattern, from: index, character) else {
                // An unclosed `[` is a literal bracket.
                return character == "[" ? index + 1 : nil
            }
            return matched ? end : nil
        case let literal:
            return literal == character ? index + 1 : nil
        }
    }

    /// Matches a `[...]` class starting at `start`; nil when the class is not closed.
    private static func matchClass(_ pattern: [Character], from start: Int, _ character: Character) -> (Bool, Int)? {
        var index = start + 1
        var negated = false
        if index < pattern.count, pattern[index] == "!" || pattern[index] == "^" {
            negated = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.count {
            let current = pattern[index]
            if current == "]" && !first {
                return (matched != negated, index + 1)
            }
            first = false
            if index + 2 < pattern.count, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                if current <= character && character <= pattern[index + 2] { matched = true }
                index += 3
            } else {
                if current == character { matched = true }
                index += 1
            }
        }
        return nil
    }
}
