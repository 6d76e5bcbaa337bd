import Foundation

/// Scores how well an agent's final answer lays out its plan.
///
/// A structured answer is a JSON object (bare, or in a ```` ```json ```` fence) with at least one
/// known key: +0.4 for `plan`/`steps`, +0.3 for `execution`/`actions`, +0.2 when the steps (or plan)
/// list has two or more items, +0.1 for `verification`/`tests`/`rollback`. Any other answer is
/// scored as legacy text: +0.4 for `PLAN:`, +0.3 for `EXECUTION:` (both case-insensitive), +0.2 for
/// two or more list items (`- `, `* `, `1.`, `1)`), +0.1 for a word starting with
/// verif/test/check/rollback. A JSON object with none of the keys falls through to the text rules,
/// so an answer that quotes unrelated JSON is not scored as an empty plan.
public enum PlanQuality {
    public static func score(_ response: String) -> MetricScore {
        if let object = structuredPlan(in: response) { return scoreStructured(object) }
        return scoreText(response)
    }

    private static let planKeys = ["plan", "steps"]
    private static let executionKeys = ["execution", "actions"]
    private static let verificationKeys = ["verification", "tests", "rollback"]

    // MARK: Structured

    private static func scoreStructured(_ object: [String: Any]) -> MetricScore {
        // Points in hundredths, for exact sums (0.4 + 0.3 + 0.2 + 0.1 is 1, not 0.9999…).
        var points = 0
        var notes: [String] = []
        if planKeys.contains(where: { object[$0] != nil }) {
            points += 40
        } else {
            notes.append("plan JSON has no \"plan\" or \"steps\"")
        }
        if executionKeys.contains(where: { object[$0] != nil }) {
            points += 30
        } else {
            notes.append("plan JSON has no \"execution\" or \"actions\"")
        }
        let stepCount = planKeys.map { stepItems(object[$0]) }.max() ?? 0
        if stepCount >= 2 {
            points += 20
        } else {
            notes.append("plan JSON lists \(stepCount == 1 ? "1 step" : "\(stepCount) steps"), 2 or more expected")
        }
        if verificationKeys.contains(where: { object[$0] != nil }) {
            points += 10
        } else {
            notes.append("plan JSON has no \"verification\", \"tests\" or \"rollback\"")
        }
        return MetricScore(value: Double(min(points, 100)) / 100, notes: notes)
    }

    /// The number of items in a steps/plan value: an array, or an object holding a `steps` array.
    private static func stepItems(_ value: Any?) -> Int {
        if let array = value as? [Any] { return array.count }
        if let object = value as? [String: Any], let steps = object["steps"] as? [Any] { return steps.count }
        return 0
    }

    /// The first JSON object in the response that has at least one plan key, keys lowercased.
    static func structuredPlan(in response: String) -> [String: Any]? {
        let known = Set(planKeys + executionKeys + verificationKeys)
        for candidate in jsonCandidates(response) {
            guard let data = candidate.data(using: .utf8),
                let parsed = try? JSONSerialization.jsonObject(with: data),
                let object = parsed as? [String: Any]
            else { continue }
            let lowered = Dictionary(object.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            if !known.isDisjoint(with: lowered.keys) { return lowered }
        }
        return nil
    }

    /// Texts that may be a JSON object: fenced blocks first, then the whole answer, then the span
    /// from the first `{` to the last `}` (an object embedded in prose).
    private static func jsonCandidates(_ response: String) -> [String] {
        var candidates: [String] = []
        let parts = response.components(separatedBy: "```")
        // Odd-numbered parts are inside fences; the fence's first line may name the language.
        for index in stride(from: 1, to: parts.count, by: 2) {
            var block = Substring(parts[index])
            if let newline = block.firstIndex(of: "\n") {
                let label = block[..<newline].trimmingCharacters(in: .whitespaces)
                if label.isEmpty || label.allSatisfy({ $0.isLetter }) { block = block[block.index(after: newline)...] }
            }
            candidates.append(block.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        candidates.append(response.trimmingCharacters(in: .whitespacesAndNewlines))
        if let open = response.firstIndex(of: "{"), let close = response.lastIndex(of: "}"), open < close {
            candidates.append(String(response[open...close]))
        }
        return candidates
    }

    // MARK: Legacy text

    private static func scoreText(_ response: String) -> MetricScore {
        var points = 0
        var notes: [String] = []
        let hasPlan = response.range(of: "PLAN:", options: .caseInsensitive) != nil
        let hasExecution = response.range(of: "EXECUTION:", options: .caseInsensitive) != nil
        let items = listItemCount(response)
        let mentionsChecks = mentionsVerification(response)
        if !hasPlan && !hasExecution && items == 0 && !mentionsChecks {
            return MetricScore(value: 0, notes: ["no plan in the response (neither a JSON plan nor PLAN:/EXECUTION: sections)"])
        }
        if hasPlan { points += 40 } else { notes.append("response has no PLAN: section") }
        if hasExecution { points += 30 } else { notes.append("response has no EXECUTION: section") }
        if items >= 2 {
            points += 20
        } else {
            notes.append("response lists \(items == 1 ? "1 item" : "\(items) items"), 2 or more expected")
        }
        if mentionsChecks { points += 10 } else { notes.append("response does not mention verification, tests or rollback") }
        return MetricScore(value: Double(min(points, 100)) / 100, notes: notes)
    }

    /// Lines starting (after indentation) with `- `, `* `, `N.` or `N)`.
    static func listItemCount(_ text: String) -> Int {
        text.split(whereSeparator: \.isNewline).filter { rawLine in
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("- ") || line.hasPrefix("* ") { return true }
            let digits = line.prefix(while: \.isASCII).prefix(while: \.isNumber)
            guard !digits.isEmpty else { return false }
            let rest = line.dropFirst(digits.count)
            guard let marker = rest.first, marker == "." || marker == ")" else { return false }
            // "1.5 seconds" is a number, not a list item.
            guard let after = rest.dropFirst().first else { return true }
            return after == " " || after == "\t"
        }.count
    }

    private static let verificationWords: NSRegularExpression? = try? NSRegularExpression(
        pattern: "\\b(verif|test|check|rollback)", options: [.caseInsensitive])

    /// Whether a word starts with verif/test/check/rollback.
    static func mentionsVerification(_ text: String) -> Bool {
        guard let regex = verificationWords else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
