import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore
import Testing

@Suite struct SparkSelectorTests {
    let roster = [
        SparkDefinition(name: "coder", description: "", role: .coder, tools: ["file_write"]),
        SparkDefinition(name: "fixer", description: "", role: .coder, tools: ["file_write"]),
        SparkDefinition(name: "planner", description: "", role: .coordinator, tools: []),
        SparkDefinition(name: "critic", description: "", role: .critic, tools: []),
    ]
    let scope = (repo: "app", lane: "delivery", risk: "medium")

    func outcome(_ spark: String, _ status: TaskStatus, verify: Int? = nil, rolledBack: Bool = false, ago: Double = 0) -> ScopeOutcome {
        ScopeOutcome(taskID: UUID(), spark: spark, status: status, verifyExitCode: verify, rolledBack: rolledBack,
                     finishedAt: Date(timeIntervalSinceNow: -ago))
    }

    @Test func keepsTheBaselineWithoutEnoughSamples() {
        let decision = SparkSelector().decide(outcomes: [outcome("coder", .failed), outcome("fixer", .succeeded)],
                                              roster: roster, previous: nil, scope: scope)
        #expect(decision.spark == "coder")
        #expect(decision.action == .keepDefault)
        #expect(decision.reasonCodes == ["baseline_insufficient_samples"])
        #expect(decision.explanation.contains("1 of 3 samples"))
    }

    @Test func promotesASparkWhoseVerificationsPass() {
        let outcomes = (0..<3).map { _ in outcome("coder", .failed, verify: 1) } + (0..<3).map { _ in outcome("fixer", .succeeded, verify: 0) }
        let decision = SparkSelector().decide(outcomes: outcomes, roster: roster, previous: nil, scope: scope)
        #expect(decision.spark == "fixer")
        #expect(decision.action == .promote)
        #expect(decision.reasonCodes == ["promote_superior_candidate"])
        #expect(decision.explanation.contains("fixer score 0.90"))
        #expect(decision.explanation.contains("coder score 0.00"))
        #expect(decision.explanation.contains("verified 0/3"))
    }

    @Test func aSmallLeadIsNotEnough() {
        // 0.70·(3/3) vs 0.70·(3/3): equal scores stay with the baseline.
        let outcomes = (0..<3).map { _ in outcome("coder", .succeeded) } + (0..<4).map { _ in outcome("fixer", .succeeded) }
        let decision = SparkSelector().decide(outcomes: outcomes, roster: roster, previous: nil, scope: scope)
        #expect(decision.spark == "coder")
        #expect(decision.reasonCodes == ["no_eligible_candidate"])
    }

    @Test func rollbacksCountAgainstASpark() {
        // fixer succeeds and verifies, but its changes were reverted twice: 0.9 − 2/3 < coder's 0.7.
        let outcomes = (0..<3).map { _ in outcome("coder", .succeeded) }
            + [outcome("fixer", .succeeded, verify: 0, rolledBack: true), outcome("fixer", .succeeded, verify: 0, rolledBack: true),
               outcome("fixer", .succeeded, verify: 0)]
        let decision = SparkSelector().decide(outcomes: outcomes, roster: roster, previous: nil, scope: scope)
        #expect(decision.spark == "coder")
        #expect(decision.explanation.contains("rollbacks 2"))
    }

    @Test func keepsAPromotedSparkAndRollsBackWhenItRegresses() {
        let good = (0..<3).map { _ in outcome("coder", .succeeded, ago: 100) } + (0..<3).map { i in outcome("fixer", .succeeded, verify: 0, ago: Double(200 + i)) }
        let kept = SparkSelector().decide(outcomes: good, roster: roster, previous: "fixer", scope: scope)
        #expect(kept.spark == "fixer")
        #expect(kept.action == .maintain)
        // Its three newest outcomes fail: its recent score falls below the baseline's.
        let regressed = (0..<3).map { i in outcome("fixer", .failed, verify: 1, ago: Double(i)) } + good
        let back = SparkSelector().decide(outcomes: regressed, roster: roster, previous: "fixer", scope: scope)
        #expect(back.spark == "coder")
        #expect(back.action == .rollback)
        #expect(back.reasonCodes.contains("rollback_to_baseline"))
    }

    @Test func coordinatorsAndCriticsAreNotCandidates() {
        let outcomes = (0..<3).map { _ in outcome("coder", .failed) } + (0..<3).map { _ in outcome("critic", .succeeded, verify: 0) }
        let decision = SparkSelector().decide(outcomes: outcomes, roster: roster, previous: nil, scope: scope)
        #expect(decision.spark == "coder")
        #expect(!decision.stats.contains { $0.spark == "critic" })
    }
}
