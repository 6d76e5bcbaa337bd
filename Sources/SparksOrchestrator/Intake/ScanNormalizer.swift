import Foundation

/// The normalisation passes behind `ScanText.norm`. ASCII input (most of it) takes byte-level
/// fast paths; other text goes through the Unicode passes.
enum ScanNormalizer {
    /// Invisible characters stripped, look-alikes mapped, Latin diacritics folded, lowercased.
    static func lowered(_ text: String, evidence: inout ScanText.Evidence) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(
                decoding: text.utf8.map { byte in
                    switch byte {
                    case 0x41...0x5A: byte + 0x20
                    case 0x0A, 0x09: byte
                    case 0x00..<0x20, 0x7F: 0x20  // Control characters (ANSI escapes, CR) read as spaces.
                    default: byte
                    }
                }, as: UTF8.self)
        }
        var cleaned = stripInvisibles(text, evidence: &evidence)
        // NFKC is costly; run it only when some character could change under it.
        if cleaned.unicodeScalars.contains(where: { mayChangeUnderNFKC($0.value) }) {
            cleaned = cleaned.precomposedStringWithCompatibilityMapping
        }
        var hasLatinMarks = false
        var hasLookalikes = false
        for scalar in cleaned.unicodeScalars where !scalar.isASCII {
            let value = scalar.value
            if (0xC0...0x24F).contains(value) || (0x1E00...0x1EFF).contains(value) || (0x300...0x36F).contains(value) {
                hasLatinMarks = true
            }
            if lookalikes[value] != nil { hasLookalikes = true }
        }
        if hasLatinMarks { cleaned = foldLatinDiacritics(cleaned) }
        if hasLookalikes { cleaned = mapLookalikes(cleaned, evidence: &evidence) }
        return lowercase(cleaned)
    }

    /// Blocks whose characters have compatibility decompositions or compose under NFC: Latin-1
    /// symbols, modifier letters, combining marks, Greek symbols, general punctuation, super- and
    /// subscripts, letterlike symbols, enclosed and squared forms, CJK compatibility, ligatures,
    /// presentation forms, full- and half-width forms, mathematical alphanumerics.
    private static func mayChangeUnderNFKC(_ value: UInt32) -> Bool {
        switch value {
        case 0x00A0...0x00BF, 0x0132...0x0133, 0x013F...0x0140, 0x0149, 0x017F, 0x01C4...0x01CC, 0x01F1...0x01F3,
            0x02B0...0x036F, 0x037A...0x0387, 0x03D0...0x03F9, 0x1100...0x11FF, 0x1D2C...0x1DBF, 0x1E9A...0x1E9B,
            0x1FBD...0x1FFE, 0x2000...0x218F, 0x2460...0x24FF, 0x2A0C...0x2A76, 0x2C7C...0x2C7D, 0x2D6F,
            0x2E9F...0x2FDF, 0x3000...0x303F, 0x3099...0x309F, 0x30FF, 0x3131...0x33FF, 0xA69C...0xA69D, 0xA770,
            0xA7F2...0xA7F9, 0xAB5C...0xAB69, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFB00...0xFDFF, 0xFE10...0xFE1F,
            0xFE30...0xFEFF, 0xFF00...0xFFEF, 0x1D400...0x1D7FF, 0x1EE00...0x1EEFF, 0x1F100...0x1F2FF,
            0x1FBF0...0x1FBF9, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }

    /// Lowercases ASCII by arithmetic and everything else by its Unicode lowercase mapping
    /// (`String.lowercased()` is much slower on mostly-ASCII text).
    private static func lowercase(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                bytes.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
            } else if scalar.properties.changesWhenLowercased {
                bytes.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            } else {
                bytes.append(contentsOf: scalar.utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isInvisible(_ value: UInt32) -> Bool {
        switch value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0: true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F: true
        case 0xE0000...0xE007F: true
        default: false
        }
    }

    /// Decodes Unicode tag characters (invisible mirrors of ASCII used to smuggle text) back to
    /// ASCII, drops other invisible characters, maps typographic quotes and dashes to ASCII
    /// ("don’t" reads as "don't") and control characters to spaces.
    private static func stripInvisibles(_ text: String, evidence: inout ScanText.Evidence) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var lastWasLetter = false
        var droppedAfterLetter = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0xE0020...0xE007E).contains(value) {
                evidence.tagCharacters += 1
                bytes.append(UInt8(value - 0xE0000))
                lastWasLetter = false
                continue
            }
            if isInvisible(value) {
                if lastWasLetter { droppedAfterLetter = true }
                continue
            }
            let isLetter =
                scalar.isASCII
                ? (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
                : scalar.properties.isAlphabetic
            switch value {
            case 0xFF21...0xFF3A, 0xFF41...0xFF5A, 0x1D400...0x1D7FF, 0x24B6...0x24E9, 0x1F130...0x1F189:
                evidence.styledLetters += 1
            default: break
            }
            if droppedAfterLetter, isLetter { evidence.invisibleInsideWords += 1 }
            droppedAfterLetter = false
            lastWasLetter = isLetter
            switch value {
            case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x02BC: bytes.append(0x27)
            case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x00AB, 0x00BB: bytes.append(0x22)
            case 0x2010...0x2015, 0x2212: bytes.append(0x2D)
            case 0x2026: bytes.append(contentsOf: [0x2E, 0x2E, 0x2E])
            case 0x0A, 0x09: bytes.append(UInt8(value))
            case 0x00..<0x20, 0x7F...0x9F: bytes.append(0x20)
            case 0x20..<0x7F: bytes.append(UInt8(value))
            default: bytes.append(contentsOf: scalar.utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
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
    private static func mapLookalikes(_ text: String, evidence: inout ScanText.Evidence) -> String {
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

    /// Five or more single letters separated by single spaces, dots, dashes, underscores, stars or
    /// slashes ("i g n o r e"), searched in the ASCII shadow (where "x" stands for other letters).
    private static let spacedLetters = ScanPattern(#"(?<![a-z0-9])[a-z](?:[ .\-_*/][a-z]){4,}(?![a-z0-9])"#)

    /// Joins letters spelled out one by one; counts each joined run as evidence of disguise.
    static func joinSpacedLetters(_ text: String, evidence: inout ScanText.Evidence) -> String {
        let shadow = asciiShadow(text)
        guard mightHaveSpacedLetters(shadow) else { return text }
        let matches = spacedLetters.all(in: shadow, limit: 256)
        guard !matches.isEmpty else { return text }
        evidence.spacedOutWords += matches.count
        let shadowBytes = Array(shadow.utf8)
        var units: [UInt16] = []
        units.reserveCapacity(shadowBytes.count)
        var next = 0
        for (offset, unit) in text.utf16.enumerated() {
            while next < matches.count, matches[next].range.location + matches[next].range.length <= offset { next += 1 }
            let inRun = next < matches.count && matches[next].range.location <= offset
            let isLetter = (0x61...0x7A).contains(shadowBytes[offset])
            if !inRun || isLetter { units.append(unit) }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// A cheap pre-check for `spacedLetters` on an ASCII shadow: five single letters in a row,
    /// each followed by one separator.
    private static func mightHaveSpacedLetters(_ shadow: String) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
        func isWordByte(_ byte: UInt8) -> Bool { isLetter(byte) || (0x30...0x39).contains(byte) }
        let bytes = Array(shadow.utf8)
        var chain = 0
        var index = 0
        while index < bytes.count {
            let single =
                isLetter(bytes[index]) && (index == 0 || !isWordByte(bytes[index - 1]))
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

    /// Runs of spaces collapse to one; runs of line breaks (with surrounding spaces) to one newline.
    static func collapseWhitespace(_ text: String) -> String {
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
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var pendingNewline = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                pendingNewline = true
            } else if isSpace(scalar.value) {
                pendingSpace = true
            } else {
                if pendingNewline, !output.isEmpty {
                    output.append(0x0A)
                } else if pendingSpace, !output.isEmpty {
                    output.append(0x20)
                }
                pendingSpace = false
                pendingNewline = false
                output.append(contentsOf: scalar.utf8)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0B...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// `text` with every non-ASCII UTF-16 unit replaced by "x" (letters and digits) or "~"
    /// (anything else), so UTF-16 offsets agree with `text`.
    static func asciiShadow(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else {
                let letter = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                bytes.append(contentsOf: repeatElement(letter ? 0x78 : 0x7E, count: UTF16.width(scalar)))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Only ASCII letters survive (other scripts play no part in the compact phrases), after
    /// undoing leetspeak digits and symbols.
    static func compactLetters(_ text: String) -> String {
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
}
