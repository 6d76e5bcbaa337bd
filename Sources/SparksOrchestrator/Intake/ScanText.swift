import Foundation

/// The views of one input that the scanner's rules read, built once per scan.
///
/// - `raw`: the bounded input as given (case kept), for hunting encoded payloads.
/// - `norm`: what most rules read. Unicode tag characters (invisible "ASCII smuggling") are decoded
///   back to ASCII; other invisible characters (zero-width, bidi controls, soft hyphens) are
///   removed; NFKC turns full-width and other compatibility letters into plain ones; Cyrillic and
///   Greek look-alikes inside otherwise Latin words become Latin; diacritics on Latin letters are
///   folded ("précédentes" → "precedentes"); letters spelled out one by one ("i g n o r e",
///   "i-g-n-o-r-e") are joined; everything is lowercased and runs of spaces collapse to one
///   (newlines are kept, so line-start rules still work).
/// - `compact`: only the letters of `norm` after undoing leetspeak digits, so "IGN.ORE
///   pr3v10u5_instructions" still reads as one phrase; a few high-signal phrases are matched here.
///
/// Huge inputs are bounded: only the first 64 KiB and the last 16 KiB (UTF-8) are scanned, so an
/// injection padded into the middle of a megabyte of text can be missed, but scan time stays flat.
struct ScanText {
    static let headBytes = 64 * 1024
    static let tailBytes = 16 * 1024

    /// Signs that the input was disguised; they raise `obfuscation.*` findings.
    struct Evidence: Sendable {
        var tagCharacters = 0
        var invisibleInsideWords = 0
        var mixedScriptWords = 0
        var spacedOutWords = 0
    }

    let raw: String
    let norm: String
    /// `norm` bridged once, for cutting out pieces around matches.
    let normNS: NSString
    let span: TextSpan
    let compact: String
    let hasCJK: Bool
    let evidence: Evidence
    /// Every word of `norm`, and its first four and five letters, with the word's UTF-16 offset;
    /// the engine looks these up in `ScannerRules.keywordIndex` to open rule gates.
    let keys: [(key: String, offset: Int)]

    init(_ text: String) {
        raw = Self.bounded(text)
        var evidence = Evidence()
        var lowered: String
        if raw.utf8.allSatisfy({ $0 < 0x80 }) {
            // Plain ASCII (most input): no invisible, full-width or look-alike characters to undo.
            lowered = String(decoding: raw.utf8.map { byte in
                switch byte {
                case 0x41...0x5A: byte + 0x20
                case 0x0A, 0x09: byte
                case 0x00..<0x20, 0x7F: 0x20
                default: byte
                }
            }, as: UTF8.self)
        } else {
            var cleaned = Self.stripInvisibles(raw, evidence: &evidence)
            cleaned = cleaned.precomposedStringWithCompatibilityMapping
            if cleaned.unicodeScalars.contains(where: { (0xC0...0x24F).contains($0.value) || (0x1E00...0x1EFF).contains($0.value) }) {
                cleaned = Self.foldLatinDiacritics(cleaned)
            }
            if cleaned.unicodeScalars.contains(where: { Self.lookalikes[$0.value] != nil }) {
                cleaned = Self.mapLookalikes(cleaned, evidence: &evidence)
            }
            lowered = cleaned.lowercased()
        }
        if Self.mightHaveSpacedLetters(lowered) {
            lowered = Self.joinSpacedLetters(lowered, evidence: &evidence)
        }
        norm = Self.collapseWhitespace(lowered)
        normNS = norm as NSString
        span = TextSpan(length: norm.utf16.count)
        compact = Self.compactLetters(norm)
        var hasCJK = false
        keys = Self.indexWords(norm, hasCJK: &hasCJK)
        self.hasCJK = hasCJK
        self.evidence = evidence
        longestEncodedRun = Self.longestRun(in: raw) { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2B, 0x2F, 0x3D, 0x5F, 0x2D: true
            default: false
            }
        }
    }

    /// Length of the longest run of base64/hex alphabet characters in `raw`; payload decoding is
    /// skipped when it is too short to hold one.
    let longestEncodedRun: Int

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

    /// True when any sign of disguise was seen.
    var looksObfuscated: Bool {
        evidence.tagCharacters > 0 || evidence.invisibleInsideWords > 0 || evidence.mixedScriptWords > 0
            || evidence.spacedOutWords > 0
    }

    static func bounded(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.count > headBytes + tailBytes else { return text }
        // Cutting inside a multi-byte character leaves a replacement character at the seam; harmless.
        let head = String(decoding: utf8.prefix(headBytes), as: UTF8.self)
        let tail = String(decoding: utf8.suffix(tailBytes), as: UTF8.self)
        return head + "\n" + tail
    }

    private static func isInvisible(_ value: UInt32) -> Bool {
        switch value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0: true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F: true
        case 0xE0000...0xE007F: true
        default: false
        }
    }

    private static func stripInvisibles(_ text: String, evidence: inout Evidence) -> String {
        var scalars = String.UnicodeScalarView()
        var droppedAfterLetter = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0xE0020...0xE007E).contains(value), let ascii = Unicode.Scalar(value - 0xE0000) {
                // Tag characters mirror ASCII invisibly; decode them so hidden text gets scanned.
                evidence.tagCharacters += 1
                scalars.append(ascii)
                continue
            }
            if isInvisible(value) {
                if let last = scalars.last, last.properties.isAlphabetic { droppedAfterLetter = true }
                continue
            }
            if droppedAfterLetter, scalar.properties.isAlphabetic { evidence.invisibleInsideWords += 1 }
            droppedAfterLetter = false
            if value < 0x20, value != 0x0A, value != 0x09 {
                scalars.append(" ")  // Control characters (ANSI escapes, CR) read as spaces.
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Drops combining marks that sit on ASCII letters; marks on other scripts (Cyrillic й,
    /// Japanese dakuten) are kept so those words still match their own patterns.
    private static func foldLatinDiacritics(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var baseIsASCII = false
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let isMark = (0x0300...0x036F).contains(scalar.value)
            if isMark, baseIsASCII { continue }
            if !isMark { baseIsASCII = scalar.isASCII }
            scalars.append(scalar)
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    static let lookalikes: [UInt32: Unicode.Scalar] = {
        let pairs: [(String, String)] = [
            ("аеорсухіјѕԁһӏԛԝкмнтвпг", "aeopcyxijsdhlqwkmhtbnr"),
            ("АЕОРСУХІЈЅКМНТВ", "AEOPCYXIJSKMHTB"),
            ("αορικντυχεβ", "aopikvtuxeb"),
            ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),
        ]
        var map: [UInt32: Unicode.Scalar] = [:]
        for (from, to) in pairs {
            for (source, target) in zip(from.unicodeScalars, to.unicodeScalars) { map[source.value] = target }
        }
        return map
    }()

    /// Maps Cyrillic/Greek look-alikes to Latin, but only inside words that also contain ASCII
    /// letters: real Russian or Greek words stay as they are.
    private static func mapLookalikes(_ text: String, evidence: inout Evidence) -> String {
        var output = String.UnicodeScalarView()
        var word: [Unicode.Scalar] = []
        func flush() {
            let hasASCII = word.contains { $0.isASCII }
            let hasLookalike = word.contains { lookalikes[$0.value] != nil }
            if hasASCII, hasLookalike {
                evidence.mixedScriptWords += 1
                output.append(contentsOf: word.map { lookalikes[$0.value] ?? $0 })
            } else {
                output.append(contentsOf: word)
            }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic {
                word.append(scalar)
            } else {
                flush()
                output.append(scalar)
            }
        }
        flush()
        return String(output)
    }

    /// Five or more single letters separated by single spaces, dots, dashes, underscores, stars,
    /// slashes or middle dots ("i g n o r e").
    private static let spacedLetters = ScanPattern(#"(?<![\p{L}\p{N}])\p{L}(?:[ .\-_*/·]\p{L}){4,}(?![\p{L}\p{N}])"#)

    /// A cheap pre-check for `spacedLetters`: five single ASCII letters in a row, each followed by
    /// one separator. Non-ASCII text always gets the full check.
    private static func mightHaveSpacedLetters(_ text: String) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
        func isWordByte(_ byte: UInt8) -> Bool { isLetter(byte) || (0x30...0x39).contains(byte) || byte >= 0x80 }
        let bytes = Array(text.utf8)
        if bytes.contains(where: { $0 >= 0x80 }) { return true }
        var chain = 0
        var index = 0
        while index < bytes.count {
            let single = isLetter(bytes[index]) && (index == 0 || !isWordByte(bytes[index - 1]))
                && (index + 1 == bytes.count || !isWordByte(bytes[index + 1]))
            if single {
                chain += 1
                if chain >= 5 { return true }
                index += 2  // Skip the separator; the next single letter must follow it.
            } else {
                chain = 0
                index += 1
            }
        }
        return false
    }

    private static func joinSpacedLetters(_ text: String, evidence: inout Evidence) -> String {
        let matches = spacedLetters.all(in: text, limit: 256)
        guard !matches.isEmpty else { return text }
        evidence.spacedOutWords += matches.count
        let source = text as NSString
        var result = ""
        var cursor = 0
        for match in matches {
            let range = match.range
            result += source.substring(with: NSRange(location: cursor, length: range.location - cursor))
            let letters = source.substring(with: range).unicodeScalars.filter { $0.properties.isAlphabetic }
            result += String(String.UnicodeScalarView(letters))
            cursor = range.location + range.length
        }
        result += source.substring(from: cursor)
        return result
    }

    private static func collapseWhitespace(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var output: [UInt8] = []
            output.reserveCapacity(text.utf8.count)
            var pendingSpace = false
            var pendingNewline = false
            for byte in text.utf8 {
                switch byte {
                case 0x0A: pendingNewline = true
                case 0x20, 0x09, 0x0B, 0x0C, 0x0D: pendingSpace = true
                default:
                    if pendingNewline, !output.isEmpty {
                        output.append(0x0A)
                    } else if pendingSpace, !output.isEmpty {
                        output.append(0x20)
                    }
                    pendingSpace = false
                    pendingNewline = false
                    output.append(byte)
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        var pendingNewline = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                pendingNewline = true
            } else if isSpace(scalar.value) {
                pendingSpace = true
            } else {
                if pendingNewline, !output.isEmpty {
                    output.append("\n")
                } else if pendingSpace, !output.isEmpty {
                    output.append(" ")
                }
                pendingSpace = false
                pendingNewline = false
                output.append(scalar)
            }
        }
        return String(output)
    }

    private static func isSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0B...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    private static let leet: [Unicode.Scalar: Unicode.Scalar] = [
        "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
    ]

    private static func compactLetters(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let letters: [UInt8] = text.utf8.compactMap { byte in
                switch byte {
                case 0x61...0x7A: byte
                case 0x30: 0x6F  // 0 → o
                case 0x31, 0x21: 0x69  // 1, ! → i
                case 0x33: 0x65  // 3 → e
                case 0x34, 0x40: 0x61  // 4, @ → a
                case 0x35, 0x24: 0x73  // 5, $ → s
                case 0x37: 0x74  // 7 → t
                default: nil
                }
            }
            return String(decoding: letters, as: UTF8.self)
        }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let letter = leet[scalar] {
                output.append(letter)
            } else if scalar.properties.isAlphabetic {
                output.append(scalar)
            }
        }
        return String(output)
    }
}

// MARK: - Keyword index and gate windows

extension ScanText {
    static let maxOffsetsPerRule = 64
    static let maxWindows = 24

    private static func isWordUnit(_ unit: UInt16) -> Bool {
        switch unit {
        case 0x30...0x39, 0x61...0x7A: true
        case 0x80...0x1FFF, 0x2070...0x2FFF, 0x3040...0xFEFF: true
        default: false
        }
    }

    /// Punctuation that gates rules the way words do ("$(" for substitutions, "<|" for chat
    /// template tokens); indexed with the words so its windows are found the same way.
    static let symbolKeys: [(first: UInt16, second: UInt16?, key: String)] = [
        (0x24, 0x28, "$("), (0x60, nil, "`"), (0x21, 0x5B, "!["), (0x3C, 0x7C, "<|"), (0x3C, 0x3C, "<<"),
        (0x3A, 0x28, ":("), (0x3C, 0x21, "<!"), (0x3C, 0x2F, "</"), (0xD83D, 0xDD13, "🔓"), (0xD83D, 0xDD12, "🔒"),
    ]

    private static func indexWords(_ text: String, hasCJK: inout Bool) -> [(key: String, offset: Int)] {
        var keys: [(key: String, offset: Int)] = []
        let units = Array(text.utf16)
        let ascii = !units.contains { $0 >= 0x80 }
        func key(_ slice: ArraySlice<UInt16>) -> String {
            ascii ? String(decoding: slice.lazy.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
                : String(decoding: slice, as: UTF16.self)
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
            if isWordUnit(unit) {
                if start < 0 { start = offset }
                if !ascii, (0x3040...0x30FF).contains(unit) || (0x4E00...0x9FFF).contains(unit) { hasCJK = true }
                continue
            }
            flush(offset)
            let next: UInt16? = offset + 1 < units.count ? units[offset + 1] : nil
            for symbol in symbolKeys where symbol.first == unit && (symbol.second == nil || symbol.second == next) {
                keys.append((symbol.key, offset))
            }
        }
        flush(units.count)
        return keys
    }

    func contains(symbol: String) -> Bool { utf8Contains(norm, symbol) }

    /// The ranges of `norm` a gated rule searches: empty when the gate stays shut, the whole
    /// text for an always-open gate or a CJK hit, else merged windows of `radius` around
    /// the keyword `offsets` the engine found (at most `maxWindows`, which bounds work on long
    /// hostile input).
    func windows(for gate: ScanGate, offsets: [Int], radius: Int) -> [NSRange] {
        let whole = [NSRange(location: 0, length: span.length)]
        if gate.keys.isEmpty, !gate.cjk { return whole }
        if gate.cjk, hasCJK { return whole }
        guard !offsets.isEmpty else { return [] }
        var windows: [NSRange] = []
        for offset in offsets.sorted() {
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
