import Foundation

/// Generates the candidates of an optimizer tournament from the current dispatch context.
public enum TournamentCandidates {
    /// Id of the unchanged context; it is always the first candidate.
    public static let baselineID = "baseline"
    /// How many backlog items (from the top) seed backlog-derived candidates.
    public static let backlogItemLimit = 3

    /// The static behaviour mutations, in generation order.
    public static let mutations: [(name: String, instruction: String)] = [
        ("plan_verify", "Plan briefly, make the change, then run the verification command and report its result."),
        ("minimal_diff", "Change as few lines and files as possible; do not reformat unrelated code."),
        ("blocker_evidence", "If you cannot finish, say exactly what blocks you and show the command output that proves it."),
    ]

    /// How strictly the agent should hold to the task's constraints.
    public static let strictness: [(name: String, instruction: String)] = [
        ("strict", "Treat every constraint in the task as binding; stop and report rather than bend one."),
        ("balanced", "Follow the task's constraints and use judgment only where they are silent."),
        ("adaptive", "Keep to the constraints, but change your approach as soon as command output shows the plan is wrong."),
    ]

    /// How much surrounding context the agent should gather and carry.
    public static let soul: [(name: String, instruction: String)] = [
        ("minimal", "Keep your reasoning short and your replies terse."),
        ("balanced", "Explain each key decision in one sentence."),
        ("context_rich", "Before acting, read the surrounding code and project notes so the change fits existing conventions."),
    ]

    /// Ways to focus the agent on a backlog item; `%@` stands for the item.
    public static let backlogFocus: [(name: String, template: String)] = [
        ("ticket_focus", "Focus on this backlog item before anything else: %@."),
        ("acceptance_guarded", "Before finishing, check the change against the acceptance criteria of: %@."),
        ("deterministic_diagnostics", "While working on %@, diagnose with deterministic commands and quote their exact output."),
        ("regression_first", "Before changing code for %@, write or run a test that reproduces the problem."),
    ]

    /// The tournament's candidates, in a deterministic order: the baseline, then the 27 static
    /// mutations (mutation × strictness × soul, mutation varying slowest), then for each of the top
    /// `backlogItemLimit` non-empty backlog items one candidate per focus. At most `maxCandidates`
    /// are returned, and never fewer than one: the baseline is always there.
    ///
    /// With the default cap of 12 the static mutations fill every slot; raise the cap (up to 40)
    /// to reach the backlog-derived candidates.
    public static func make(
        baselineContext: String, maxCandidates: Int = 12, backlog: [String] = []
    ) -> [TournamentCandidate] {
        let cap = max(1, maxCandidates)
        var candidates = [
            TournamentCandidate(id: baselineID, label: "baseline", context: baselineContext, axes: [:])
        ]
        for mutation in mutations {
            for strict in strictness {
                for style in soul {
                    guard candidates.count < cap else { return candidates }
                    candidates.append(
                        TournamentCandidate(
                            id: "\(mutation.name).\(strict.name).\(style.name)",
                            label: "\(mutation.name) / \(strict.name) strictness / \(style.name) soul",
                            context: extend(
                                baselineContext, with: [mutation.instruction, strict.instruction, style.instruction]),
                            axes: ["mutation": mutation.name, "strictness": strict.name, "soul": style.name]))
                }
            }
        }
        for (index, item) in topItems(backlog).enumerated() {
            for focus in backlogFocus {
                guard candidates.count < cap else { return candidates }
                let instruction = focus.template.replacingOccurrences(of: "%@", with: item)
                candidates.append(
                    TournamentCandidate(
                        id: "backlog\(index + 1).\(focus.name)",
                        label: "backlog item \(index + 1) / \(focus.name)",
                        context: extend(baselineContext, with: [instruction]),
                        axes: ["focus": focus.name, "backlog_item": item]))
            }
        }
        return candidates
    }

    private static func extend(_ context: String, with sentences: [String]) -> String {
        let addition = sentences.joined(separator: " ")
        return context.isEmpty ? addition : "\(context)\n\n\(addition)"
    }

    /// Trims, drops empty and repeated items, keeps the first `backlogItemLimit`.
    private static func topItems(_ backlog: [String]) -> [String] {
        var seen = Set<String>()
        var items: [String] = []
        for raw in backlog {
            let item = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !item.isEmpty, seen.insert(item).inserted else { continue }
            items.append(item)
            if items.count == backlogItemLimit { break }
        }
        return items
    }
}
