import Foundation

/// The views of one input that the scanner's rules read, built once per scan.
///
/// - `raw`: the bounded input as given (case kept), for hunting encoded payloads.
/// - `norm`: what rules read. Unicode tag characters (invisible "ASCII smuggling") are decoded
///   back to ASCII; other invisible characters (zero-width, bidi controls, soft hyphens) are
///   removed; NFKC turns full-width and other compatibility letters into plain ones; Cyrillic and
///   Greek look-alikes inside otherwise Latin words become Latin; diacritics on Latin letters are
///   folded ("précédentes" → "precedentes"); typographic quotes become ASCII; letters spelled out
///   one by one ("i g n o r e", "i-g-n-o-r-e") are joined; everything is lowercased and runs of
///   spaces collapse to one (newlines are kept, so line-start rules still work).
/// - `shadow`: `norm` with non-ASCII units replaced by ASCII stand-ins at the same UTF-16
///   offsets; ASCII patterns search it because Foundation's regex engine reads ASCII strings far
///   faster. For ASCII input it is `norm` itself.
/// - `compact`: only the ASCII letters of `norm` after undoing leetspeak digits, so "IGN.ORE
///   pr3v10u5_instructions" still reads as one phrase; a few high-signal phrases are matched here.
///
/// Huge inputs are bounded: only the first 64 KiB and the last 16 KiB (UTF-8) are scanned, so an
/// injection padded into the middle of a megabyte of text can be missed, but scan time stays flat.
struct ScanText {
    static let headBytes = 64 * 1024
    static let tailBytes = 16 * 1024
    /// Keyword occurrences kept per rule, and windows searched per rule: both bound work on long
    /// hostile input (a rule can miss a match past them).
    static let maxOffsetsPerRule = 64
    static let maxWindows = 16

    /// Signs that the input was disguised; they raise `obfuscation.*` findings.
    struct Evidence: Sendable {
        var tagCharacters = 0
        var invisibleInsideWords = 0
        var mixedScriptWords = 0
        var spacedOutWords = 0
        /// Full-width, mathematical or enclosed Latin letters (NFKC maps them to plain ones).
        var styledLetters = 0
    }

    let raw: String
    let norm: String
    let shadow: String
    /// `shadow` bridged once, for cutting out pieces around matches.
    let shadowNS: NSString
    let span: TextSpan
    let compact: String
    let evidence: Evidence
    /// Every word of `norm`, its first four and five letters, punctuation keys and single CJK
    /// characters, with UTF-16 offsets; the engine looks these up in `ScannerRules.keywordIndex`.
    let keys: [(key: String, offset: Int)]
    /// Length of the longest run of base64/hex alphabet characters in `raw`; payload decoding is
    /// skipped when it is too short to hold one.
    let longestEncodedRun: Int
    /// UTF-16 units of `norm` when it is not ASCII, for searching non-ASCII patterns in pieces.
    private let normUnits: [UInt16]

    init(_ text: String) {
        raw = Self.bounded(text)
        var evidence = Evidence()
        let lowered = ScanNormalizer.lowered(raw, evidence: &evidence)
        let joined = ScanNormalizer.joinSpacedLetters(lowered, evidence: &evidence)
        norm = ScanNormalizer.collapseWhitespace(joined)
        let isASCII = norm.utf8.allSatisfy { $0 < 0x80 }
        shadow = isASCII ? norm : ScanNormalizer.asciiShadow(norm)
        shadowNS = shadow as NSString
        normUnits = isASCII ? [] : Array(norm.utf16)
        span = TextSpan(length: shadow.utf8.count)
        compact = ScanNormalizer.compactLetters(norm)
        keys = Self.indexWords(isASCII ? norm.utf8.map { UInt16($0) } : normUnits, ascii: isASCII)
        self.evidence = evidence
        longestEncodedRun = Self.longestRun(in: raw) { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2B, 0x2F, 0x3D, 0x5F, 0x2D: true
            default: false
            }
        }
    }

    /// True when any sign of disguise was seen.
    var looksObfuscated: Bool {
        evidence.tagCharacters > 0 || evidence.invisibleInsideWords > 0 || evidence.mixedScriptWords > 0
            || evidence.spacedOutWords > 0 || evidence.styledLetters >= 3
    }

    static func bounded(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.count > headBytes + tailBytes else { return text }
        // Cutting inside a multi-byte character leaves a replacement character at the seam; harmless.
        let head = String(decoding: utf8.prefix(headBytes), as: UTF8.self)
        let tail = String(decoding: utf8.suffix(tailBytes), as: UTF8.self)
        return head + "\n" + tail
    }

    static func longestRun(in text: String, of member: (UInt8) -> Bool) -> Int {
        var longest = 0
        var current = 0
        for byte in text.utf8 {
            if member(byte) {
                current += 1
                longest = max(longest, current)
            } else {
                current = 0
            }
        }
        return longest
    }

    // MARK: Searching

    /// Searches an ASCII pattern in `shadow`. A pattern that spells out non-ASCII text searches
    /// the real text, cut out for `range` (so lookaround cannot see past the cut).
    func matches(_ pattern: ScanPattern, range: NSRange? = nil, bounds: ScanPattern.Bounds = .slice) -> Bool {
        if pattern.isASCII || normUnits.isEmpty { return pattern.matches(shadow, range: range, bounds: bounds) }
        let range = range ?? NSRange(location: 0, length: span.length)
        let piece = String(decoding: normUnits[range.location..<range.location + range.length], as: UTF16.self)
        return pattern.matches(piece)
    }

    func all(
        _ pattern: ScanPattern, range: NSRange? = nil, bounds: ScanPattern.Bounds = .slice, limit: Int = 16
    ) -> [NSTextCheckingResult] {
        pattern.all(in: pattern.isASCII ? shadow : norm, range: range, bounds: bounds, limit: limit)
    }

    // MARK: Keyword index and gate windows

    /// Punctuation that gates rules the way words do ("$(" for substitutions, "<|" for chat
    /// template tokens); indexed with the words so its windows are found the same way.
    static let symbolKeys: [(first: UInt16, second: UInt16?, key: String)] = [
        (0x24, 0x28, "$("), (0x60, nil, "`"), (0x21, 0x5B, "!["), (0x3C, 0x7C, "<|"), (0x3C, 0x3C, "<<"),
        (0x3A, 0x28, ":("), (0x3C, 0x21, "<!"), (0x3C, 0x2F, "</"), (0x3C, nil, "<"), (0x5B, nil, "["),
        (0xD83D, 0xDD13, "🔓"), (0xD83D, 0xDD12, "🔒"),
    ]

    private static func isWordUnit(_ unit: UInt16) -> Bool {
        switch unit {
        case 0x30...0x39, 0x61...0x7A: true
        case 0x80...0x1FFF, 0x2070...0x2FFF, 0x3040...0xD7FF, 0xF900...0xFEFF: true
        default: false
        }
    }

    private static func isCJK(_ unit: UInt16) -> Bool {
        (0x3040...0x30FF).contains(unit) || (0x4E00...0x9FFF).contains(unit)
    }

    private static func indexWords(_ units: [UInt16], ascii: Bool) -> [(key: String, offset: Int)] {
        var keys: [(key: String, offset: Int)] = []
        var scratch: [UInt8] = []
        func key(_ slice: ArraySlice<UInt16>) -> String {
            guard ascii || slice.allSatisfy({ $0 < 0x80 }) else { return String(decoding: slice, as: UTF16.self) }
            scratch.removeAll(keepingCapacity: true)
            for unit in slice { scratch.append(UInt8(truncatingIfNeeded: unit)) }
            return String(decoding: scratch, as: UTF8.self)
        }
        var start = -1
        func flush(_ end: Int) {
            guard start >= 0 else { return }
            let word = units[start..<end]
            keys.append((key(word), start))
            if word.count > 4 { keys.append((key(word.prefix(4)), start)) }
            if word.count > 5 { keys.append((key(word.prefix(5)), start)) }
            start = -1
        }
        for (offset, unit) in units.enumerated() {
            if !ascii, isCJK(unit) {
                // Chinese and Japanese have no spaces: every character is its own key.
                flush(offset)
                keys.append((key(units[offset...offset]), offset))
                continue
            }
            if isWordUnit(unit) {
                if start < 0 { start = offset }
                continue
            }
            flush(offset)
            let next = offset + 1 < units.count ? units[offset + 1] : nil
            for symbol in symbolKeys where symbol.first == unit && (symbol.second == nil || symbol.second == next) {
                keys.append((symbol.key, offset))
            }
        }
        flush(units.count)
        return keys
    }

    /// The ranges of `norm` a gated rule searches: the whole text for a gate without keywords,
    /// else merged windows of `radius` around the keyword `offsets` the engine found (only those
    /// with a partner keyword within `radius`, when the gate names partners); empty when the gate
    /// stays shut.
    func windows(for gate: ScanGate, offsets: [Int], partnerOffsets: [Int], radius: Int) -> [NSRange] {
        if gate.keys.isEmpty { return [NSRange(location: 0, length: span.length)] }
        var anchors = offsets
        if !gate.partners.isEmpty {
            anchors = offsets.filter { offset in partnerOffsets.contains { abs($0 - offset) <= radius } }
        }
        guard !anchors.isEmpty else { return [] }
        var windows: [NSRange] = []
        for offset in anchors.sorted() {
            let start = max(0, offset - radius)
            let end = min(span.length, offset + radius)
            if let last = windows.last, start <= last.location + last.length {
                windows[windows.count - 1].length = max(last.length, end - last.location)
            } else {
                if windows.count >= Self.maxWindows { break }
                windows.append(NSRange(location: start, length: end - start))
            }
        }
        return windows
    }
}
