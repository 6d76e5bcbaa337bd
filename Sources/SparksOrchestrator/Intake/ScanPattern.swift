import Foundation

/// A compiled regular expression used by the prompt scanner's rules.
///
/// Patterns are constants written in this module, compiled once into static lets. A pattern that
/// fails to compile never matches; `PromptScanner.selfCheck()` lists such patterns so a test
/// catches the mistake instead of a crash at run time.
struct ScanPattern: @unchecked Sendable {
    // `NSRegularExpression` is immutable once built and documented as safe to share between
    // threads, hence `@unchecked Sendable`.
    let source: String
    let regex: NSRegularExpression?
    /// False when the pattern spells out non-ASCII text (Cyrillic, CJK, emoji) and so must search
    /// the real normalised text rather than its ASCII shadow.
    let isASCII: Bool

    init(_ source: String, caseInsensitive: Bool = false) {
        self.source = source
        isASCII = source.utf8.allSatisfy { $0 < 0x80 }
        var options: NSRegularExpression.Options = [.dotMatchesLineSeparators]
        if caseInsensitive { options.insert(.caseInsensitive) }
        self.regex = try? NSRegularExpression(pattern: source, options: options)
    }

    /// How a search range is treated. `.slice` makes the range the whole world (`^`/`$` match at
    /// its edges, lookbehind cannot see past it): for checks on a piece of text. `.window` only
    /// limits where matches may lie (anchors and lookaround still see the full text): for
    /// searching around keywords.
    enum Bounds {
        case slice, window

        var options: NSRegularExpression.MatchingOptions {
            switch self {
            case .slice: []
            case .window: [.withTransparentBounds, .withoutAnchoringBounds]
            }
        }
    }

    /// The first match inside `range` (the whole text when nil).
    func first(in text: String, range: NSRange? = nil, bounds: Bounds = .slice) -> NSRange? {
        guard let regex else { return nil }
        let searchRange = range ?? NSRange(location: 0, length: text.utf16.count)
        guard searchRange.length > 0,
            let match = regex.firstMatch(in: text, options: bounds.options, range: searchRange)
        else { return nil }
        return match.range
    }

    /// Up to `limit` matches inside `range`; the limit bounds work on hostile input.
    func all(
        in text: String, range: NSRange? = nil, bounds: Bounds = .slice, limit: Int = 16
    ) -> [NSTextCheckingResult] {
        guard let regex else { return [] }
        let searchRange = range ?? NSRange(location: 0, length: text.utf16.count)
        guard searchRange.length > 0 else { return [] }
        var results: [NSTextCheckingResult] = []
        regex.enumerateMatches(in: text, options: bounds.options, range: searchRange) { match, _, stop in
            if let match { results.append(match) }
            if results.count >= limit { stop.pointee = true }
        }
        return results
    }

    func matches(_ text: String, range: NSRange? = nil, bounds: Bounds = .slice) -> Bool {
        first(in: text, range: range, bounds: bounds) != nil
    }
}

/// When a rule is worth running, and where: a keyword (a whole word, the first four or five
/// letters of one, a punctuation key from `ScanText.symbolKeys`, or a single Chinese or Japanese
/// character) occurs in the text and, when the gate lists `partners`, one of those occurs within
/// `ScanRule.windowRadius` of it. The rule's regexes then search only windows around those
/// keywords, so long texts cost little. A gate with no keywords always opens, on the whole text.
struct ScanGate: Sendable {
    var keys: [String] = []
    var partners: [String] = []

    /// Chinese and Japanese characters that start the phrases the CJK patterns look for
    /// (ignore, forget, instruction, prompt, system, rule, command, setting).
    static let cjkKeys = ["忽", "无", "無", "忘", "不", "跳", "指", "命", "プ", "ル", "設", "设", "系", "シ"]

    /// `symbols` must be entries of `ScanText.symbolKeys`; they are looked up like words.
    /// `cjk` adds the CJK trigger characters.
    init(keys: [String] = [], symbols: [String] = [], cjk: Bool = false, partners: [String] = []) {
        self.keys = keys + symbols + (cjk ? Self.cjkKeys : [])
        self.partners = partners
    }

    static let always = ScanGate()

    /// Keywords from a space-separated list; with `near`, a second list one of which must occur
    /// close by.
    static func words(_ list: String, near partnerList: String = "", symbols: [String] = [], cjk: Bool = false)
        -> ScanGate
    {
        ScanGate(
            keys: list.split(separator: " ").map(String.init), symbols: symbols, cjk: cjk,
            partners: partnerList.split(separator: " ").map(String.init))
    }
}

/// Ranges around a match, in UTF-16 units (what `NSRange` counts), clamped to a text length.
struct TextSpan {
    let length: Int

    /// `before` units before `range` through `after` units after it.
    func window(around range: NSRange, before: Int, after: Int) -> NSRange {
        let start = max(0, range.location - before)
        let end = min(length, range.location + range.length + after)
        return NSRange(location: start, length: end - start)
    }

    /// At most `count` units just before `range`.
    func before(_ range: NSRange, count: Int) -> NSRange {
        let start = max(0, range.location - count)
        return NSRange(location: start, length: range.location - start)
    }

    /// At most `count` units just after `range`.
    func after(_ range: NSRange, count: Int) -> NSRange {
        let start = min(length, range.location + range.length)
        return NSRange(location: start, length: min(count, length - start))
    }
}

extension ScanGate {
    static let markdownImage = ScanGate(symbols: ["!["])
    static let hiddenComment = ScanGate(symbols: ["<!"])
}
