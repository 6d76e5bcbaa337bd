import Foundation

/// Splits chat-command text (`/alerts add "build failed" …`) into words.
enum CommandWords {
    /// A quote was opened and never closed; `text` is the whole input.
    struct UnterminatedQuote: Error {}

    /// Characters that open or close a quoted word. Phones turn `"` into curly quotes as you type,
    /// so those count too.
    static let quotes: Set<Character> = ["\"", "“", "”", "„"]

    /// The words of `text`, split on whitespace. Text in double quotes is one word, spaces and all
    /// (`""` is an empty word); `\"` inside quotes is a literal quote. Single quotes are ordinary
    /// characters, so `don't` needs no quoting.
    static func split(_ text: String) throws(UnterminatedQuote) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var escaping = false
        for character in text {
            if escaping {
                current.append(character)
                escaping = false
            } else if quoted && character == "\\" {
                escaping = true
            } else if quotes.contains(character) {
                quoted.toggle()
                inWord = true
            } else if !quoted && character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quoted || escaping { throw UnterminatedQuote() }
        if inWord { words.append(current) }
        return words
    }

    /// `words` without a leading `/command` or `/command@botname` (Telegram's form in groups).
    static func arguments(_ words: [String], command: String) -> [String] {
        guard let first = words.first?.lowercased() else { return words }
        let name = "/" + command.lowercased()
        if first == name || first.hasPrefix(name + "@") { return Array(words.dropFirst()) }
        return words
    }
}
