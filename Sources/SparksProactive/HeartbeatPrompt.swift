import Foundation

/// Builds the prompt for a heartbeat: a periodic, unprompted moment in which the assistant may
/// say something, or explicitly decline with `NOTHING_TO_SAY`.
///
/// Only a third of the user's HEARTBEAT.md checklist is offered each time, so successive
/// heartbeats look at different things instead of repeating the same observation.
public enum HeartbeatPrompt {
    /// Invites something outside the checklist, so the list does not box the assistant in.
    public static let wildcardLine =
        "Wildcard: anything else you noticed on your own initiative that would genuinely help the user."
    /// Offered instead of checklist items when HEARTBEAT.md is missing or has no bullets.
    public static let defaultReflection =
        "Reflect on recent conversations and work: is there a loose end, a follow-up or an observation worth sharing?"
    /// The reply that means "stay quiet"; see `Refusal`.
    public static let refusalToken = "NOTHING_TO_SAY"
    /// At most this many memories are quoted.
    public static let memoryLimit = 3

    /// The checklist items in HEARTBEAT.md: the text of lines starting with `- ` or `* `
    /// (after leading whitespace), in file order.
    public static func items(in heartbeatFile: String) -> [String] {
        heartbeatFile.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") else { return nil }
            let item = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
            return item.isEmpty ? nil : item
        }
    }

    /// How many of `itemCount` checklist items one heartbeat offers: a third, at least one.
    public static func sampleSize(itemCount: Int) -> Int {
        itemCount <= 0 ? 0 : max(1, itemCount / 3)
    }

    /// The checklist lines for one heartbeat: `sampleSize` items drawn without replacement
    /// (kept in file order) plus `wildcardLine`, or just `defaultReflection` when there are no
    /// items. Draws `sampleSize` random numbers.
    public static func checklist(heartbeatFile: String?, random: UnitRandom) -> [String] {
        let all = heartbeatFile.map(items(in:)) ?? []
        guard !all.isEmpty else { return [defaultReflection] }
        // Partial Fisher–Yates over indices: one draw per chosen item.
        var indices = Array(all.indices)
        let count = sampleSize(itemCount: all.count)
        for position in 0..<count {
            let pick = position + random.index(below: indices.count - position)
            indices.swapAt(position, pick)
        }
        return indices.prefix(count).sorted().map { all[$0] } + [wildcardLine]
    }

    /// The full heartbeat prompt.
    ///
    /// - Parameters:
    ///   - heartbeatFile: Contents of HEARTBEAT.md, or nil when there is none.
    ///   - memories: Relevant memories, best first; the first `memoryLimit` non-empty ones are used.
    ///   - moodLine: `MoodEngine.promptLine`, when mood injection is on.
    ///   - random: Picks the checklist sample.
    public static func build(
        heartbeatFile: String?, memories: [String], moodLine: String?, random: UnitRandom
    ) -> String {
        var sections: [String] = [
            "This is a heartbeat: a quiet moment to check whether anything is worth raising with the user unprompted."
        ]
        let lines = checklist(heartbeatFile: heartbeatFile, random: random)
        sections.append("Consider:\n" + lines.map { "- \($0)" }.joined(separator: "\n"))

        let quoted = memories.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .prefix(memoryLimit)
        if !quoted.isEmpty {
            sections.append("Relevant memories:\n" + quoted.map { "- \($0)" }.joined(separator: "\n"))
        }
        if let mood = moodLine?.trimmingCharacters(in: .whitespacesAndNewlines), !mood.isEmpty {
            sections.append(mood)
        }
        sections.append(
            "If something is genuinely worth saying, reply with 1–3 sentences addressed to the user. "
                + "Otherwise reply with exactly \(refusalToken).")
        return sections.joined(separator: "\n\n")
    }
}
