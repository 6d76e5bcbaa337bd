import Foundation

/// What `/review [summary|standard|detailed] [hours]` asks for.
public struct ReviewRequest: Sendable, Hashable {
    /// Hours looked back when none are given.
    public static let defaultHours = 24

    public var level: ReviewLevel
    /// How many hours back from now the review starts; at least 1.
    public var hours: Int

    public init(level: ReviewLevel = .standard, hours: Int = ReviewRequest.defaultHours) {
        self.level = level
        self.hours = max(1, hours)
    }

    /// Parses the arguments of `/review` (the `/review` or `/review@bot` word may be included).
    ///
    /// Level and hours are both optional and may come in either order: `/review`, `/review 48`,
    /// `/review detailed`, `/review detailed 6`. Levels are case-insensitive.
    ///
    /// - Throws: `ReviewError` with code `review_invalid` for a word that is neither a level nor a
    ///   whole number of hours of at least 1, or for a level or hours given twice.
    public init(parsing text: String) throws(ReviewError) {
        let words: [String]
        do {
            words = CommandWords.arguments(try CommandWords.split(text), command: "review")
        } catch {
            throw Self.invalid(text, "The quote in '\(text)' is never closed.")
        }
        var level: ReviewLevel?
        var hours: Int?
        for word in words {
            if let parsed = ReviewLevel(rawValue: word.lowercased()), level == nil {
                level = parsed
            } else if let parsed = Int(word), parsed >= 1, hours == nil {
                hours = parsed
            } else {
                throw Self.invalid(
                    text,
                    "'\(word)' is not understood. Use /review [summary|standard|detailed] [hours], e.g. /review detailed 6."
                )
            }
        }
        self.init(level: level ?? .standard, hours: hours ?? Self.defaultHours)
    }

    /// The start of the reviewed window when the review is made at `now`.
    public func since(now: Date) -> Date {
        now.addingTimeInterval(-Double(hours) * 3600)
    }

    private static func invalid(_ text: String, _ message: String) -> ReviewError {
        ReviewError(.reviewInvalid, input: text, message: message)
    }
}
