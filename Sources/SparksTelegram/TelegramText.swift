/// Fitting text into Telegram messages.
public enum TelegramText {
    /// The most UTF-16 code units a message's text may have.
    public static let messageLimit = 4096

    /// Splits `text` into parts of at most `limit` UTF-16 code units (Telegram counts those), for
    /// sending as consecutive messages.
    ///
    /// A part ends at the last paragraph break in reach, else the last line break, else the last
    /// space; a break that would leave the part less than half full gives way to a weaker one
    /// further on. The whitespace at a break is dropped, except the indentation of the line after
    /// a line break. A word longer than `limit` is cut between characters (between Unicode scalars
    /// for a character longer than `limit`), never inside a surrogate pair. Empty and
    /// whitespace-only parts are left out, so an empty text gives no parts.
    /// - Parameter limit: At least 2, the width of one surrogate pair.
    public static func split(_ text: String, limit: Int = messageLimit) -> [String] {
        let limit = max(2, limit)
        var parts: [String] = []
        var rest = Substring(text)
        while rest.utf16.count > limit {
            let end = hardEnd(of: rest, limit: limit)
            let (partEnd, next) = softBreak(in: rest, upTo: end, limit: limit) ?? (end, end)
            append(rest[..<partEnd], to: &parts)
            rest = rest[next...]
        }
        append(rest, to: &parts)
        return parts
    }

    private static func append(_ part: Substring, to parts: inout [String]) {
        if part.contains(where: { !$0.isWhitespace }) { parts.append(String(part)) }
    }

    /// The end of the longest prefix of `text` within `limit` units that ends on a character
    /// boundary, or on a scalar boundary when the first character alone is longer than `limit`.
    private static func hardEnd(of text: Substring, limit: Int) -> String.Index {
        var units = 0
        var index = text.startIndex
        while index < text.endIndex {
            let width = text[index].utf16.count
            if units + width > limit { break }
            units += width
            index = text.index(after: index)
        }
        if index > text.startIndex { return index }
        let scalars = text.unicodeScalars
        var scalarIndex = scalars.startIndex
        units = 0
        while scalarIndex < scalars.endIndex {
            let width = scalars[scalarIndex].utf16.count
            if units + width > limit { break }
            units += width
            scalarIndex = scalars.index(after: scalarIndex)
        }
        return scalarIndex
    }

    private enum Break: CaseIterable {
        case paragraph, line, word
    }

    private struct Candidate {
        /// Where the part ends: the start of the whitespace run.
        var end: String.Index
        /// Where the next part starts.
        var next: String.Index
        /// The part's length in UTF-16 units.
        var units: Int
    }

    /// The best break among the whitespace runs that start at or before `end` (a run right at
    /// `end` ends a part that fills the limit); `nil` when there is none.
    private static func softBreak(in text: Substring, upTo end: String.Index, limit: Int) -> (String.Index, String.Index)? {
        var last: [Break: Candidate] = [:]
        var index = text.startIndex
        var units = 0
        while index <= end, index < text.endIndex {
            guard text[index].isWhitespace else {
                units += text[index].utf16.count
                index = text.index(after: index)
                continue
            }
            // Read the whole run, even past `end`, so that the next part does not start with its rest.
            let start = index
            let startUnits = units
            var newlines = 0
            var afterLastNewline = index
            while index < text.endIndex, text[index].isWhitespace {
                if text[index].isNewline {
                    newlines += 1
                    afterLastNewline = text.index(after: index)
                }
                units += text[index].utf16.count
                index = text.index(after: index)
            }
            guard start > text.startIndex else { continue }
            let kind: Break = newlines >= 2 ? .paragraph : newlines == 1 ? .line : .word
            last[kind] = Candidate(end: start, next: newlines > 0 ? afterLastNewline : index, units: startUnits)
        }
        let ordered = Break.allCases.compactMap { last[$0] }
        guard let chosen = ordered.first(where: { $0.units >= limit / 2 }) ?? ordered.first else { return nil }
        return (chosen.end, chosen.next)
    }
}
