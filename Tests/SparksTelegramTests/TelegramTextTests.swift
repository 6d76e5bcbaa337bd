import SparksTelegram
import Testing

/// A deterministic paragraph of `words` words.
private func paragraph(_ seed: Int, words: Int) -> String {
    let vocabulary = ["spark", "task", "queue", "sandbox", "model", "answer", "commit", "review", "branch", "memory", "tool"]
    return (0..<words).map { vocabulary[($0 * 7 + seed) % vocabulary.count] }.joined(separator: " ") + "."
}

private func withoutWhitespace(_ text: String) -> String { text.filter { !$0.isWhitespace } }

/// No part may start with the second half of a surrogate pair or end with the first.
private func surrogatesIntact(_ part: String) -> Bool {
    guard let first = part.utf16.first, let last = part.utf16.last else { return false }
    return !UTF16.isTrailSurrogate(first) && !UTF16.isLeadSurrogate(last)
}

@Suite struct TelegramTextTests {
    @Test func paragraphsAreKeptWhole() {
        var paragraphs: [String] = []
        var text = ""
        var seed = 0
        while text.count < 10_000 {
            paragraphs.append(paragraph(seed, words: 40 + (seed * 13) % 90))
            text = paragraphs.joined(separator: "\n\n")
            seed += 1
        }
        let parts = TelegramText.split(text)
        #expect(parts.count >= 3)
        for part in parts {
            #expect(part.utf16.count <= 4096)
            #expect(!part.isEmpty)
            #expect(part.first?.isWhitespace == false && part.last?.isWhitespace == false)
        }
        #expect(withoutWhitespace(parts.joined()) == withoutWhitespace(text))
        // Every cut fell between paragraphs, so putting the breaks back restores the text exactly.
        #expect(parts.joined(separator: "\n\n") == text)
    }

    @Test func withoutParagraphsLinesAreKeptWhole() {
        let text = (0..<300).map { paragraph($0, words: 6) }.joined(separator: "\n")
        let parts = TelegramText.split(text, limit: 1000)
        #expect(parts.count > 1)
        #expect(parts.allSatisfy { $0.utf16.count <= 1000 })
        #expect(parts.joined(separator: "\n") == text)
    }

    @Test func aParagraphBreakWinsOverALaterLineBreak() {
        let text = String(repeating: "a", count: 3000) + "\n\n" + String(repeating: "b", count: 500) + "\n"
            + String(repeating: "c", count: 1000)
        let parts = TelegramText.split(text)
        #expect(parts == [String(repeating: "a", count: 3000),
                          String(repeating: "b", count: 500) + "\n" + String(repeating: "c", count: 1000)])
    }

    @Test func anEarlyParagraphBreakGivesWayToAFullerPart() {
        let text = "Title\n\n" + (0..<2000).map { _ in "word" }.joined(separator: " ")
        let parts = TelegramText.split(text)
        #expect(parts.count == 3)
        #expect(parts[0].utf16.count >= 2048 && parts[0].utf16.count <= 4096)
        #expect(parts[0].hasPrefix("Title\n\nword"))
        #expect(withoutWhitespace(parts.joined()) == withoutWhitespace(text))
    }

    @Test func emojiNeverSplitASurrogatePair() {
        // One ASCII letter first, so the 4096th code unit is the first half of an emoji.
        let text = "a" + String(repeating: "😀", count: 3000) + " " + String(repeating: "🚀✨", count: 1500)
        let parts = TelegramText.split(text)
        #expect(parts.count >= 3)
        for part in parts {
            #expect(part.utf16.count <= 4096)
            #expect(surrogatesIntact(part))
            #expect(!part.unicodeScalars.contains("\u{FFFD}"))
        }
        #expect(withoutWhitespace(parts.joined()) == withoutWhitespace(text))
    }

    @Test func longEmojiSequencesStayWhole() {
        let family = "👨‍👩‍👧‍👦"  // 11 UTF-16 units, one character
        let text = String(repeating: family, count: 1000)
        let parts = TelegramText.split(text)
        #expect(parts.count == 3)
        for part in parts {
            #expect(part.utf16.count <= 4096)
            #expect(part.allSatisfy { $0 == Character(family) })
        }
        #expect(parts.joined() == text)
    }

    @Test func aLongWordIsHardSplit() {
        let word = String(repeating: "x", count: 9000)
        let parts = TelegramText.split(word)
        #expect(parts.map(\.utf16.count) == [4096, 4096, 808])
        #expect(parts.joined() == word)
    }

    @Test func aCharacterLongerThanTheLimitIsCutBetweenScalars() {
        let text = "e" + String(repeating: "\u{0301}", count: 5000)
        let parts = TelegramText.split(text)
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.utf16.count <= 4096 })
        #expect(parts.joined() == text)
    }

    @Test func shortAndEmptyTexts() {
        #expect(TelegramText.split("hello") == ["hello"])
        #expect(TelegramText.split("").isEmpty)
        #expect(TelegramText.split(" \n\n ").isEmpty)
        #expect(TelegramText.split(String(repeating: "a", count: 4096)).count == 1)
        #expect(TelegramText.split("abc def", limit: 3) == ["abc", "def"])
    }
}
