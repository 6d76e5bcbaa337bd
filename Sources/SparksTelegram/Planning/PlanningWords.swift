import Foundation

/// The words the interview listens for, and the text handling around them.
enum PlanningWords {
    static let triggerWords: Set<String> = ["plan", "planning", "roadmap", "strategy", "launch", "rollout", "gtm"]
    static let triggerPhrases: [[String]] = [["help", "me", "plan"], ["need", "a", "plan"]]

    static let cancel: Set<String> = ["cancel", "stop", "abort"]
    static let skip: Set<String> = ["skip", "pass"]
    static let confirm: Set<String> = ["yes", "y", "ok", "okay", "confirm"]
    static let noConstraints: Set<String> = ["no constraints", "no", "none", "nothing"]

    /// Words that, with the trigger words, make up a bare request such as "can you help me plan".
    private static let filler: Set<String> = [
        "a", "an", "the", "i", "me", "my", "we", "us", "our", "you", "can", "could", "would", "please", "help",
        "need", "want", "make", "create", "do", "let", "lets", "s", "some", "to", "for", "with", "something",
    ]

    /// The most characters kept of a goal or note; longer text is cut, not refused.
    static let maxAnswerLength = 2000

    /// A message as a shortcut: lowercased, spaces collapsed, surrounding punctuation and a
    /// leading `/` dropped ("  Cancel! " → "cancel", "/stop" → "stop").
    static func normalize(_ text: String) -> String {
        let trimmed = text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        return trimmed.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The text's words: runs of letters and digits, lowercased.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    static func isPlanningRequest(_ text: String) -> Bool {
        let words = words(text)
        if words.contains(where: triggerWords.contains) { return true }
        return triggerPhrases.contains { phrase in
            words.count >= phrase.count
                && (0...(words.count - phrase.count)).contains { Array(words[$0..<$0 + phrase.count]) == phrase }
        }
    }

    /// The request without a leading `/plan` or `/plan@botname` command, trimmed.
    static func strippingPlanCommand(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = trimmed.prefix { !$0.isWhitespace }
        guard first.lowercased() == "/plan" || first.lowercased().hasPrefix("/plan@") else { return trimmed }
        return trimmed.dropFirst(first.count).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether a request says what to plan, rather than only asking for a plan.
    static func hasSubstance(_ request: String) -> Bool {
        words(request).contains { !triggerWords.contains($0) && !filler.contains($0) }
    }

    /// An answer as stored: trimmed and at most `maxAnswerLength` characters.
    static func clipped(_ text: String) -> String {
        String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxAnswerLength))
    }

    /// One line of at most 200 characters, for quoting user text back.
    static func preview(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 200 ? line.prefix(199) + "…" : line
    }

    /// "15 minutes", "1 minute", "90 seconds".
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        if whole >= 60, whole % 60 == 0 { return whole == 60 ? "1 minute" : "\(whole / 60) minutes" }
        return whole == 1 ? "1 second" : "\(whole) seconds"
    }
}

/// One `Field: value` line sent at the summary.
enum PlanningEdit: Sendable, Hashable {
    case goal(String)
    case timeline(PlanningTimeline)
    case scope(PlanningScope)
    case output(PlanningOutput)
    /// Replaces the free-form constraints; empty clears them.
    case notes(String)

    /// A line that could not be read, and why.
    struct Problem: Error, Sendable, Hashable {
        var message: String
    }

    static let examples = [
        "Goal: …",
        "Timeline: Today | This week | No deadline",
        "Scope: Idea only | Implementation | Full plan",
        "Output: Checklist | Spec | Draft",
        "Notes: … (other constraints; empty clears them)",
    ]

    /// The field's name as shown to the user.
    var field: String {
        switch self {
        case .goal: "goal"
        case .timeline: "timeline"
        case .scope: "scope"
        case .output: "output"
        case .notes: "notes"
        }
    }

    /// Reads every non-blank line; one unreadable line fails the whole message, so that a typo
    /// never half-applies an edit.
    static func parse(_ text: String) -> Result<[PlanningEdit], Problem> {
        var edits: [PlanningEdit] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(Problem(message: "I couldn't read “\(PlanningWords.preview(line))” as a change: "
                                            + "send lines like “Goal: …”, or yes to confirm."))
            }
            let key = PlanningWords.normalize(String(line[..<colon]))
            let value = PlanningWords.clipped(String(line[line.index(after: colon)...]))
            switch edit(key: key, value: value) {
            case .success(let edit): edits.append(edit)
            case .failure(let problem): return .failure(problem)
            }
        }
        guard !edits.isEmpty else {
            return .failure(Problem(message: "Send lines like “Goal: …” to change the plan, or yes to confirm."))
        }
        return .success(edits)
    }

    private static func edit(key: String, value: String) -> Result<PlanningEdit, Problem> {
        let word = PlanningWords.normalize(value)
        switch key {
        case "goal":
            guard !value.isEmpty else { return .failure(Problem(message: "The goal can't be empty.")) }
            return .success(.goal(value))
        case "timeline", "deadline":
            guard let timeline = PlanningTimeline.synonyms[word] else {
                return .failure(Problem(message: "“\(PlanningWords.preview(value))” is not a timeline: "
                                            + "use Today, This week or No deadline."))
            }
            return .success(.timeline(timeline))
        case "scope":
            guard let scope = PlanningScope.synonyms[word] else {
                return .failure(Problem(message: "“\(PlanningWords.preview(value))” is not a scope: "
                                            + "use Idea only, Implementation or Full plan."))
            }
            return .success(.scope(scope))
        case "output", "format":
            guard let output = PlanningOutput.synonyms[word] else {
                return .failure(Problem(message: "“\(PlanningWords.preview(value))” is not an output: "
                                            + "use Checklist, Spec or Draft."))
            }
            return .success(.output(output))
        case "notes", "note", "constraints", "constraint":
            return .success(.notes(value))
        default:
            return .failure(Problem(message: "“\(key)” is not a field: change Goal, Timeline, Scope, Output or Notes."))
        }
    }
}
