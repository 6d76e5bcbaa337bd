import Foundation

/// Recognises a model's way of saying "nothing to report" in reply to a heartbeat, memory scan or
/// re-entry prompt, so such replies are dropped instead of being sent to the user.
///
/// Models do not reliably answer with the exact token, so besides the tokens this accepts short
/// bare negatives ("No.", "n/a") and common phrasings ("I have nothing to share").
public enum Refusal {
    /// Tokens the prompts ask for; matched anywhere, case-insensitively.
    public static let tokens = ["nothing_to_say", "no_pattern", "no_followup"]
    /// Whole replies (trimmed, lowercased, punctuation removed) that mean no. `n/a` is listed for
    /// readers; with punctuation removed it is matched as `na`.
    public static let bareNegatives: Set<String> = [
        "no", "nothing", "none", "nope", "n/a", "na", "not", "pass",
    ]
    /// Phrases that mean no wherever they appear.
    public static let phrases = [
        "nothing to say", "nothing to share", "nothing worth", "nothing stands out",
        "nothing meaningful", "no meaningful", "don't have anything", "i have nothing",
        "no pattern", "no follow", "no insight",
    ]
    /// Bare negatives are only looked for in replies shorter than this; longer replies are judged
    /// by tokens and phrases alone.
    public static let shortReplyLength = 20

    /// Whether `text` declines to say anything. Empty and whitespace-only replies count as
    /// refusals: there is nothing to deliver.
    public static func isRefusal(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return true }
        // Models often write typographic apostrophes ("don’t").
        let lowered = trimmed.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        if tokens.contains(where: lowered.contains) { return true }
        if trimmed.count < shortReplyLength {
            let bare = String(lowered.unicodeScalars.filter { !CharacterSet.punctuationCharacters.contains($0) })
                .trimmingCharacters(in: .whitespaces)
            if bareNegatives.contains(bare) { return true }
        }
        return phrases.contains(where: lowered.contains)
    }
}
