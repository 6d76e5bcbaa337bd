import Foundation
import SparksCore

/// BERT's uncased WordPiece tokenizer, as Hugging Face `tokenizers` runs it for all-MiniLM-L6-v2:
/// BertNormalizer (drop NUL, U+FFFD and control/format characters, map whitespace to a space, put
/// spaces around CJK ideographs, NFD and strip non-spacing marks, lower-case), BertPreTokenizer
/// (split on whitespace, isolate punctuation), then greedy longest-match WordPiece with `##`
/// continuations, truncated to `maxLength` ids including `[CLS]` and `[SEP]`.
///
/// Vocabulary look-ups compare Unicode scalars exactly, as the Rust tokenizer compares bytes
/// (a Swift `String` key would treat canonically equivalent spellings as equal). The special
/// tokens (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`, `[UNK]`) written literally in the text become
/// those tokens, as Hugging Face's added-token matching does.
///
/// The Rust tokenizer classifies punctuation, control/format characters and non-spacing marks
/// with the `unicode_categories` crate, whose tables are Unicode 8.0: characters assigned later
/// (U+061D ARABIC END OF TEXT MARK, U+2E43 from 9.0, …) are ordinary characters there. We do the same, so
/// the ids match exactly.
public struct WordPieceTokenizer: Sendable {
    public let maxLength: Int
    public let unknownID: Int32
    public let classifierID: Int32
    public let separatorID: Int32
    public let vocabularySize: Int
    private let wordStarts: [ScalarKey: Int32]
    private let continuations: [ScalarKey: Int32]
    private static let maxCharactersPerWord = 100

    /// Builds the tokenizer from the vocabulary's tokens, one per id.
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    static let specialTokenNames = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public init(tokens: [String], maxLength: Int = 256) throws(SparksError) {
        var starts: [ScalarKey: Int32] = [:]
        var continued: [ScalarKey: Int32] = [:]
        for (index, token) in tokens.enumerated() {
            let scalars = Array(token.unicodeScalars)
            if scalars.count > 2, scalars[0] == "#", scalars[1] == "#" {
                continued[ScalarKey(scalars[2...])] = Int32(index)
            }
            // A "##x" token is also a literal word start (it can match text that contains "##x").
            starts[ScalarKey(scalars[...])] = Int32(index)
        }
        func id(_ token: String) throws(SparksError) -> Int32 {
            guard let value = starts[ScalarKey(Array(token.unicodeScalars)[...])] else {
                throw SparksError(.modelUnavailable, "the vocabulary has no \(token) token",
                                  hint: "use the vocab.txt that ships with the model")
            }
            return value
        }
        self.maxLength = max(2, maxLength)
        self.wordStarts = starts
        self.continuations = continued
        self.vocabularySize = tokens.count
        self.unknownID = try id("[UNK]")
        self.classifierID = try id("[CLS]")
        self.separatorID = try id("[SEP]")
        var special: [(scalars: [Unicode.Scalar], id: Int32)] = []
        for name in Self.specialTokenNames {
            if let value = starts[ScalarKey(Array(name.unicodeScalars)[...])] { special.append((Array(name.unicodeScalars), value)) }
        }
        self.specialTokens = special
    }

    /// Reads `vocab.txt` (one token per line, the line number is the id).
    public init(vocabularyFile path: String, maxLength: Int = 256) throws(SparksError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparksError(.modelUnavailable, "cannot read the vocabulary \(path)",
                              hint: "run `sparks memory fetch-model` to install the embedding model")
        }
        var tokens: [String] = []
        tokens.reserveCapacity(32_000)
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var text = String(decoding: line, as: UTF8.self)
            while let last = text.unicodeScalars.last, last.properties.isWhitespace {
                text.unicodeScalars.removeLast()
            }
            tokens.append(text)
        }
        if tokens.last == "" { tokens.removeLast() }
        guard tokens.count > 1000 else {
            throw SparksError(.modelUnavailable, "the vocabulary \(path) has only \(tokens.count) tokens",
                              hint: "the file is truncated; run `sparks memory fetch-model` again")
        }
        try self.init(tokens: tokens, maxLength: maxLength)
    }

    /// The ids the model sees: `[CLS]`, the word pieces (truncated), `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [classifierID]
        let budget = maxLength - 2
        segments: for segment in splitOnSpecialTokens(text) {
            switch segment {
            case .special(let id):
                ids.append(id)
                if ids.count - 1 >= budget { break segments }
            case .text(let text):
                for word in Self.words(text) {
                    appendPieces(of: word, to: &ids)
                    if ids.count - 1 >= budget { break segments }
                }
            }
        }
        if ids.count - 1 > budget { ids.removeSubrange((budget + 1)...) }
        ids.append(separatorID)
        return ids
    }

    private enum Segment {
        case text(String)
        case special(Int32)
    }

    /// Splits out literal special tokens (case-sensitive, anywhere in the text).
    private func splitOnSpecialTokens(_ text: String) -> [Segment] {
        guard text.unicodeScalars.contains("[") else { return [.text(text)] }
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var pending = String.UnicodeScalarView()
        var index = 0
        scan: while index < scalars.count {
            if scalars[index] == "[" {
                for token in specialTokens where index + token.scalars.count <= scalars.count
                    && Array(scalars[index..<(index + token.scalars.count)]) == token.scalars {
                    if !pending.isEmpty { segments.append(.text(String(pending))) }
                    pending = String.UnicodeScalarView()
                    segments.append(.special(token.id))
                    index += token.scalars.count
                    continue scan
                }
            }
            pending.append(scalars[index])
            index += 1
        }
        if !pending.isEmpty { segments.append(.text(String(pending))) }
        return segments
    }

    private func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        if word.count > Self.maxCharactersPerWord {
            ids.append(unknownID)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                let key = ScalarKey(word[start..<end])
                if let id = start == 0 ? wordStarts[key] : continuations[key] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else {
                ids.append(unknownID)
                return
            }
            pieces.append(found)
            start = end
        }
        ids.append(contentsOf: pieces)
    }

    /// Normalised, pre-tokenised words (the input to WordPiece).
    static func words(_ text: String) -> [[Unicode.Scalar]] {
        // Clean: drop NUL, U+FFFD and control characters; whitespace becomes a space; CJK is isolated.
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        // Strip accents (NFD, drop non-spacing marks), then lower-case scalar by scalar.
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(decomposed.unicodeScalars.count)
        for scalar in decomposed.unicodeScalars
        where !(scalar.properties.generalCategory == .nonspacingMark && inUnicode8(scalar)) {
            if scalar.properties.changesWhenLowercased {
                normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                normalized.append(scalar)
            }
        }
        // Split on whitespace and isolate punctuation.
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalized {
            if isWhitespace(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r": return true
        default: return scalar.properties.isWhitespace
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse: return inUnicode8(scalar)
            default: return false
            }
        }
    }

    /// Whether the character was assigned by Unicode 8.0 (the tables of the Rust tokenizer).
    static func inUnicode8(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return scalar.properties.generalCategory == .privateUse }
        return age.major <= 8
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
                || (123...126).contains(value) {
                return true
            }
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return inUnicode8(scalar)
        default:
            return false
        }
    }

    /// The ranges of Hugging Face's Rust tokenizer, which starts one block at 0x2B920 where the
    /// Python original says 0x2B820; sentence-transformers runs the Rust one.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}

/// A dictionary key that compares Unicode scalars exactly.
private struct ScalarKey: Hashable {
    let values: [UInt32]
    init(_ scalars: ArraySlice<Unicode.Scalar>) { values = scalars.map(\.value) }
}
