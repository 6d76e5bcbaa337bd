import Foundation
import SparksCore
import SparksLLM
import SparksTools

/// The coding pipeline: EXPLORE with read-only tools and write a plan, EXECUTE the plan with the
/// spark's tools, VERIFY with the verify command (its exit code decides), and on failure HEAL:
/// the failure output goes back to the model for another execute pass, at most `maxHealAttempts`
/// times. Tools are restricted per phase: exploring cannot change anything.
public struct CodeStrategy: Sendable {
    /// Runs the verify command in the task's sandbox.
    public typealias Verifier = @Sendable () async -> VerificationReport

    public var exploreSteps = 6
    public var maxHealAttempts = 2

    public init(exploreSteps: Int = 6, maxHealAttempts: Int = 2) {
        self.exploreSteps = exploreSteps
        self.maxHealAttempts = maxHealAttempts
    }

    public func run(_ run: AgentRun, verify: Verifier?) async throws(SparksError) -> AgentResult {
        var usage = TokenUsage()
        var steps = 0
        var changed: [String] = []

        // EXPLORE: read-only tools, a short budget, a plan as the answer.
        run.hooks.event(.phase(name: "explore", detail: "read-only, at most \(exploreSteps) steps"))
        var explore = run
        explore.tools = run.tools.filter { SparkDefinition.readOnlyTools.contains($0.name) || $0.name == "memory_search" }
        explore.maxSteps = min(exploreSteps, run.maxSteps)
        explore.task.context = Self.join(run.task.context, """
            PHASE 1 of 3, EXPLORE. Do not change anything yet: look at the files that matter for the task. Then answer, \
            without calling tools, with a JSON object {"plan": "numbered steps", "files": ["paths to change"]}.
            """)
        let explored = try await ReActStrategy().run(explore)
        usage = usage + explored.usage
        steps += explored.steps
        let plan = Self.plan(from: explored.summary)

        // EXECUTE, then VERIFY; HEAL with the failure until it passes or the attempts run out.
        var feedback: String?
        var attempt = 0
        while true {
            run.hooks.event(.phase(name: attempt == 0 ? "execute" : "heal", detail: attempt == 0 ? "carry out the plan" : "attempt \(attempt) of \(maxHealAttempts)"))
            var execute = run
            execute.maxSteps = max(1, run.maxSteps - steps)
            var context = Self.join(run.task.context, "PHASE 2 of 3, EXECUTE. The plan from exploring the repository:\n\(plan)")
            if let feedback {
                context = Self.join(context, """
                    The verify command failed after your last change. Fix the implementation (not the tests) so that it passes.
                    \(feedback)
                    """)
            }
            execute.task.context = context
            let executed = try await ReActStrategy().run(execute)
            usage = usage + executed.usage
            steps += executed.steps
            changed += executed.changedFiles.filter { !changed.contains($0) }
            guard executed.succeeded, let verify else {
                var result = executed
                result.usage = usage
                result.steps = steps
                result.changedFiles = changed
                return result
            }
            run.hooks.event(.phase(name: "verify", detail: "run the verify command"))
            var report = await verify()
            report.healAttempts = attempt
            if report.passed || attempt >= maxHealAttempts || Task.isCancelled {
                return AgentResult(succeeded: report.passed, reason: report.passed ? nil : .verifyFailed,
                                   summary: executed.summary, steps: steps, usage: usage, changedFiles: changed, verification: report)
            }
            attempt += 1
            feedback = String(report.detail.suffix(3000))
        }
    }

    /// The plan from the explore phase's answer: the JSON's `plan` (and `files`), else the text.
    static func plan(from answer: String) -> String {
        guard let object = JSONExtraction.firstObject(in: answer), let plan = object["plan"] else {
            return answer.isEmpty ? "(no plan; decide from the task)" : answer
        }
        var text = plan.stringValue ?? plan.arrayValue?.compactMap(\.stringValue).joined(separator: "\n") ?? plan.canonicalText
        if let files = object["files"]?.arrayValue?.compactMap(\.stringValue), !files.isEmpty {
            text += "\nFiles: " + files.joined(separator: ", ")
        }
        return text
    }

    static func join(_ first: String?, _ second: String) -> String {
        guard let first, !first.isEmpty else { return second }
        return first + "\n\n" + second
    }
}
