import Foundation
import SparksAgent
import SparksCore
import SparksLLM
import SparksTools

/// Coordinator → workers → critic (the original's hierarchical pipeline, §4.4): the coordinator
/// explores and writes a plan whose steps name the spark for each sub-goal; each step runs as
/// that spark in the same worktree; a critic spark reviews the result (goal, summaries, diff) and
/// approves it or says what to fix. One fix pass is allowed; a second rejection fails the task.
struct HierarchicalPipeline: Sendable {
    /// Builds a run of another spark in this task's worktree.
    let makeRun: @Sendable (SparkDefinition, _ goal: String, _ context: String) throws(SparksError) -> AgentRun
    /// Runs a spark with its own strategy.
    let execute: @Sendable (AgentRun) async throws(SparksError) -> AgentResult
    /// The task's change so far, as a diff (computed inside the sandbox).
    let diff: @Sendable () async -> String
    let roster: [SparkDefinition]
    static let maxSteps = 6

    struct Step: Sendable, Hashable {
        var spark: String
        var goal: String
    }

    func run(_ coordinatorRun: AgentRun) async throws(SparksError) -> AgentResult {
        let hooks = coordinatorRun.hooks
        let goal = coordinatorRun.task.goal
        let workers = roster.filter { $0.role != .coordinator && $0.role != .critic }
        var total = Tally()

        hooks.event(.phase(name: "coordinate", detail: "plan and delegate"))
        var planning = coordinatorRun
        planning.maxSteps = min(8, coordinatorRun.maxSteps)
        planning.task.context = Self.join(coordinatorRun.task.context, """
            You coordinate other sparks. Look at the repository as needed (read-only), then answer, without calling tools, \
            with one JSON object: {"plan": "what will be done and why", "steps": [{"spark": "<name>", "goal": "<self-contained sub-goal>"}]}. \
            At most \(Self.maxSteps) steps, run in order in the same worktree. Sparks you can delegate to:
            \(workers.map { "- \($0.name) [\($0.role.rawValue)]: \($0.description)" }.joined(separator: "\n"))
            """)
        let planned = try await execute(planning)
        total.add(planned)
        let (plan, steps) = Self.parsePlan(planned.summary, goal: goal, workers: workers)

        var summaries: [String] = []
        var last: (SparkDefinition, String)?
        for (index, step) in steps.enumerated() {
            guard let spark = workers.first(where: { $0.name == step.spark }) else { continue }
            hooks.event(.phase(name: "delegate", detail: "step \(index + 1) of \(steps.count): \(spark.name) — \(step.goal.prefix(80))"))
            let context = Self.context(goal: goal, plan: plan, summaries: summaries, original: coordinatorRun.task.context)
            let result = try await execute(try makeRun(spark, step.goal, context))
            total.add(result)
            summaries.append("\(spark.name): \(result.summary.prefix(600))")
            last = (spark, step.goal)
            guard result.succeeded else {
                return total.result(succeeded: false, reason: result.reason,
                                    summary: "Step \(index + 1) (\(spark.name)) did not succeed: \(result.summary)", verification: result.verification)
            }
        }

        guard let critic = roster.first(where: { $0.name == "critic" && $0.role == .critic }) ?? roster.first(where: { $0.role == .critic }) else {
            return total.result(succeeded: true, summary: summaries.joined(separator: "\n\n"))
        }
        for round in 1...2 {
            hooks.event(.phase(name: "review", detail: "\(critic.name), round \(round)"))
            let diffText = await diff()
            let review = try await execute(try makeRun(critic, "Review the change made for this goal: \(goal)", """
                Summaries of the work:
                \(summaries.joined(separator: "\n"))

                The change (git diff against the starting commit):
                \(diffText.isEmpty ? "(no changes)" : String(diffText.prefix(12_000)))

                Check the files as needed, then answer, without calling tools, with one JSON object: \
                {"approved": true or false, "summary": "one sentence", "feedback": ["what to fix", …]} (at most 6 items).
                """))
            total.add(review)
            let verdict = Self.parseVerdict(review.summary)
            if verdict.approved {
                let body = summaries.joined(separator: "\n\n")
                return total.result(succeeded: true, summary: body + "\n\n[critic] approved=true summary=\(verdict.summary)")
            }
            guard round == 1, let (spark, stepGoal) = last else {
                return total.result(succeeded: false, reason: .criticRejected,
                                    summary: "The critic rejected the change twice: \(verdict.summary)\n"
                                        + verdict.feedback.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n"))
            }
            hooks.event(.phase(name: "delegate", detail: "fix pass: \(spark.name) with the critic's feedback"))
            let feedback = verdict.feedback.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
            let context = Self.context(goal: goal, plan: plan, summaries: summaries, original: coordinatorRun.task.context)
                + "\n\nA critic reviewed the change and asks for fixes:\n\(feedback.isEmpty ? verdict.summary : feedback)"
            let fixed = try await execute(try makeRun(spark, stepGoal, context))
            total.add(fixed)
            summaries.append("\(spark.name) (fix pass): \(fixed.summary.prefix(600))")
            guard fixed.succeeded else {
                return total.result(succeeded: false, reason: fixed.reason, summary: "The fix pass did not succeed: \(fixed.summary)")
            }
        }
        return total.result(succeeded: false, reason: .criticRejected, summary: "The critic did not approve the change.")
    }

    /// The plan's text and steps; a plan without usable steps becomes one step for the first
    /// worker (`coder` if present) with the whole goal.
    static func parsePlan(_ answer: String, goal: String, workers: [SparkDefinition]) -> (String, [Step]) {
        let fallback = workers.first { $0.name == "coder" }?.name ?? workers.first?.name ?? "coder"
        guard let object = JSONExtraction.firstObject(in: answer) else { return (answer, [Step(spark: fallback, goal: goal)]) }
        let plan = object["plan"]?.stringValue ?? answer
        let steps = (object["steps"]?.arrayValue ?? []).compactMap { item -> Step? in
            guard let name = (item["spark"] ?? item["ghost"] ?? item["agent"])?.stringValue,
                  workers.contains(where: { $0.name == name }),
                  let stepGoal = item["goal"]?.stringValue, !stepGoal.isEmpty
            else { return nil }
            return Step(spark: name, goal: stepGoal)
        }
        return (plan, steps.isEmpty ? [Step(spark: fallback, goal: goal)] : Array(steps.prefix(maxSteps)))
    }

    struct Verdict: Sendable, Hashable {
        var approved: Bool
        var summary: String
        var feedback: [String]
    }

    /// The critic's JSON (`approved`, or `approve`/`pass`); anything else is a rejection.
    static func parseVerdict(_ answer: String) -> Verdict {
        guard let object = JSONExtraction.firstObject(in: answer),
              let approved = (object["approved"] ?? object["approve"] ?? object["pass"])?.boolValue
        else {
            return Verdict(approved: false, summary: "the critic's answer was not the JSON verdict asked for",
                           feedback: [String(answer.prefix(500))])
        }
        let feedback = (object["feedback"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(6)
        return Verdict(approved: approved, summary: object["summary"]?.stringValue ?? "", feedback: Array(feedback))
    }

    static func context(goal: String, plan: String, summaries: [String], original: String?) -> String {
        var text = "This is one step of a larger goal: \(goal)\n\nThe coordinator's plan:\n\(plan)"
        if let original, !original.isEmpty { text = original + "\n\n" + text }
        if !summaries.isEmpty { text += "\n\nDone so far:\n" + summaries.joined(separator: "\n") }
        return text
    }

    static func join(_ first: String?, _ second: String) -> String {
        guard let first, !first.isEmpty else { return second }
        return first + "\n\n" + second
    }

    /// Steps, tokens and files over every run of the pipeline.
    struct Tally {
        var steps = 0
        var usage = TokenUsage()
        var files: [String] = []

        mutating func add(_ result: AgentResult) {
            steps += result.steps
            usage = usage + result.usage
            files += result.changedFiles.filter { !files.contains($0) }
        }

        func result(succeeded: Bool, reason: ReasonCode? = nil, summary: String, verification: VerificationReport? = nil) -> AgentResult {
            AgentResult(succeeded: succeeded, reason: reason, summary: summary, steps: steps, usage: usage, changedFiles: files,
                        verification: verification)
        }
    }
}
