import Foundation
import SparksOrchestrator

/// A confirmed planning interview written as a feature contract file: the TOML that
/// `sparks feature init` writes and `ContractLoader` reads (`feature_id`, `lane`, `risk`,
/// `[[acceptance_criteria]]`, `[[tasks]]`).
///
/// A contract has no title, goal or notes field, so those go where they still do their job: as
/// comments at the top for the person reviewing the file, and in each task's `context`, which
/// the feature runner hands to the spark doing the task. The criteria and tasks are a generated
/// starting structure derived from the output kind and scope, not an analysis of the goal; no
/// verification checks are generated, because only the person knows which command proves the
/// work, so the file says where to add them (the validator warns, it does not fail, without them).
public struct PlanningContract: Sendable, Hashable {
    /// The slug of the goal; also the file's base name.
    public var featureID: String
    /// The goal's first line, shortened, for messages and the file header.
    public var title: String
    /// `<featureID>.toml`.
    public var fileName: String
    /// The contract file's text.
    public var text: String

    /// The contract of a confirmed interview.
    /// - Throws: `planning_not_confirmed` unless the user confirmed the summary.
    public static func render(_ interview: PlanningInterview) throws(PlanningError) -> PlanningContract {
        guard interview.step == .confirmed else {
            throw PlanningError(.notConfirmed, "the planning interview is at step '\(interview.step.rawValue)', not confirmed",
                                hint: "render the contract only after the user pressed Confirm")
        }
        return try render(answers: interview.answers)
    }

    /// The contract for a set of answers.
    /// - Throws: `planning_empty_goal` when the goal is blank.
    public static func render(answers: PlanningAnswers) throws(PlanningError) -> PlanningContract {
        let goal = answers.goal.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !goal.isEmpty else {
            throw PlanningError(.emptyGoal, "the plan has no goal, so there is nothing to write a contract for",
                                hint: "ask the goal question again before rendering")
        }
        let featureID = slug(goal)
        let title = Self.title(of: goal)
        let plan = ContractOutline(output: answers.output, scope: answers.scope ?? .fullPlan, goal: goal)
        let context = taskContext(goal: goal, answers: answers)

        var lines = header(title: title, goal: goal, answers: answers)
        lines += ["feature_id = \(tomlString(featureID))", "lane = \"delivery\"",
                  "# Medium until someone reviews the generated tasks: only low-risk features are promoted unseen.",
                  "risk = \"medium\"", ""]
        for criterion in plan.criteria {
            lines += ["[[acceptance_criteria]]", "id = \(tomlString(criterion.id))",
                      "description = \(tomlString(criterion.description))", ""]
        }
        lines += ["# No verification checks were generated. Add [[verification_checks]] entries (id, command,",
                  "# mapped_acceptance) whose commands prove the criteria before `sparks feature verify`.", ""]
        for task in plan.tasks {
            lines += ["[[tasks]]", "id = \(tomlString(task.id))"]
            if !task.dependsOn.isEmpty { lines.append("depends_on = \(tomlArray(task.dependsOn))") }
            lines += ["goal = \(tomlString(task.goal))", "context = \(tomlString(context))",
                      "mapped_acceptance = \(tomlArray(task.criteria))", ""]
        }
        return PlanningContract(featureID: featureID, title: title, fileName: featureID + ".toml",
                                text: lines.joined(separator: "\n"))
    }

    /// A feature id from free text: lowercase ASCII letters, digits and single dashes, accents
    /// folded, at most 40 characters cut at a dash; `plan` when nothing is left.
    public static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var out = ""
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        if out.count > 40 {
            out = String(out.prefix(41))
            if let dash = out.lastIndex(of: "-"), out.distance(from: out.startIndex, to: dash) >= 10 {
                out = String(out[..<dash])
            } else {
                out = String(out.prefix(40))
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "plan" : out
    }

    static func title(of goal: String) -> String {
        let first = goal.split(whereSeparator: \.isNewline).first.map(String.init) ?? goal
        let line = first.trimmingCharacters(in: .whitespaces)
        let short = line.count > 80 ? line.prefix(79) + "…" : line
        return short.prefix(1).uppercased() + short.dropFirst()
    }

    private static func header(title: String, goal: String, answers: PlanningAnswers) -> [String] {
        var lines = ["# Feature contract from the Telegram planning interview: \(title)", "#", "# Goal:"]
        lines += goal.split(separator: "\n", omittingEmptySubsequences: false).map { "#   " + $0 }
        lines.append("# Timeline: " + (answers.timeline?.label ?? "not set"))
        lines.append("# Scope: " + (answers.scope?.label ?? "not set (planned as Full plan)"))
        for note in answers.notes {
            lines += note.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
                (index == 0 ? "# Constraint: " : "#   ") + line
            }
        }
        lines.append("# Output: " + answers.output.label)
        lines += ["#", "# The criteria and tasks below are a generated starting structure, not an analysis of the",
                  "# goal: review them, then run `sparks feature validate --file <this file>`.", ""]
        // TOML allows no control characters but tab in a comment; a stray CR or NUL becomes a space.
        return lines.map { line in
            String(String.UnicodeScalarView(line.unicodeScalars.map { scalar in
                (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F ? " " : scalar
            }))
        }
    }

    private static func taskContext(goal: String, answers: PlanningAnswers) -> String {
        var lines = ["Feature goal: \(goal)"]
        if let timeline = answers.timeline { lines.append("Timeline: \(timeline.label)") }
        if let scope = answers.scope { lines.append("Scope: \(scope.label)") }
        for note in answers.notes { lines.append("Constraint: \(note)") }
        lines.append("Planned in the Telegram planning interview (output: \(answers.output.label.lowercased())).")
        return lines.joined(separator: "\n")
    }

    /// A TOML basic string (the contract templates' escaping).
    static func tomlString(_ text: String) -> String { ContractTemplates.tomlString(text) }

    static func tomlArray(_ items: [String]) -> String {
        "[" + items.map(tomlString).joined(separator: ", ") + "]"
    }
}

/// The criteria and tasks generated for an output kind and scope.
struct ContractOutline {
    struct Criterion {
        var id: String
        var description: String
    }

    struct Task {
        var id: String
        var goal: String
        var criteria: [String]
        var dependsOn: [String]
    }

    var criteria: [Criterion] = []
    var tasks: [Task] = []

    init(output: PlanningOutput, scope: PlanningScope, goal: String) {
        switch (output, scope) {
        case (.spec, _):
            add("A specification states the requirements, the design and how to verify them.",
                task: "Write a specification (requirements, design, acceptance tests) for: \(goal)")
        case (.draft, _):
            add("A first draft exists for review.", task: "Write a first draft for: \(goal)")
        case (.checklist, .ideaOnly):
            add("The options for reaching the goal are written down with their trade-offs.",
                task: "Outline the options for reaching this goal, with their trade-offs: \(goal)")
            add("One option is recommended, with open questions and next steps.",
                task: "Recommend one option, with open questions and next steps, for: \(goal)", after: ["T1"])
        case (.checklist, .implementation):
            add("The goal is implemented.", task: "Implement: \(goal)")
            add("Tests cover the new behaviour and pass.", task: "Add tests for the new behaviour of: \(goal)",
                after: ["T1"])
        case (.checklist, .fullPlan):
            add("The work is broken down into concrete changes with a design.",
                task: "Break down and design the work for: \(goal)")
            add("The goal is implemented.", task: "Implement: \(goal)", after: ["T1"])
            add("Tests cover the new behaviour and pass.", task: "Add tests for the new behaviour of: \(goal)",
                after: ["T2"])
            add("The documentation describes the change.", task: "Document the change for: \(goal)", after: ["T2"])
        }
    }

    /// Adds criterion AC-n and task Tn that covers it.
    private mutating func add(_ criterion: String, task goal: String, after dependsOn: [String] = []) {
        let number = criteria.count + 1
        criteria.append(Criterion(id: "AC-\(number)", description: criterion))
        tasks.append(Task(id: "T\(number)", goal: goal, criteria: ["AC-\(number)"], dependsOn: dependsOn))
    }
}
