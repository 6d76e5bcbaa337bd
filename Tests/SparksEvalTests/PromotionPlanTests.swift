import Testing

@testable import SparksEval

@Suite("Promotion plan")
struct PromotionPlanTests {
    private let passing = CriticScore.evaluate(
        dispatchSucceeded: true, exitCode: 0, changeCount: 2, maintenancePassed: true, guardrailsPassed: true)
    private let failing = CriticScore.evaluate(
        dispatchSucceeded: true, exitCode: 0, changeCount: 2, maintenancePassed: false, guardrailsPassed: true)
    private let ready = ReviewChecklist.make(changedFiles: 2, changedLines: 40, blockers: [])

    private func decide(
        _ mode: PromotionMode, risk: String = "low", allow: Bool = true, critic: CriticScore? = nil,
        violations: [GuardrailViolation] = [], hasChanges: Bool = true, checklist: ReviewChecklist? = nil,
        green: Bool = true
    ) -> PromotionDecision {
        PromotionPlan.decide(
            mode: mode, risk: risk, allowAutoPromote: allow, critic: critic ?? passing, guardrailViolations: violations,
            hasChanges: hasChanges, checklist: checklist ?? ready, verificationGreen: green)
    }

    @Test func noneSkipsEvenWhenBlocked() {
        #expect(decide(.none).action == .skipped)
        #expect(decide(.none, critic: failing, hasChanges: false).action == .skipped)
    }

    @Test func guardrailViolationBlocksEveryMode() {
        let violation = GuardrailViolation(code: .sensitiveFileChanged, detail: "changed .env")
        for mode in [PromotionMode.pr, .auto] {
            let decision = decide(mode, violations: [violation])
            #expect(decision.action == .blocked)
            #expect(decision.reasons == ["guardrail policy.guardrail.sensitive_file_changed: changed .env"])
        }
    }

    @Test func failedCriticOrNoChangesBlocks() {
        let critic = decide(.auto, critic: failing)
        #expect(critic.action == .blocked)
        #expect(critic.reasons == ["critic failed with score 0.65; all four parts must pass"])
        let empty = decide(.pr, hasChanges: false)
        #expect(empty.action == .blocked)
        #expect(empty.reasons == ["the dispatch produced no changes to promote"])
        #expect(decide(.pr, critic: failing, hasChanges: false).reasons.count == 2)
    }

    @Test func prModeOpensAPullRequest() {
        #expect(decide(.pr).action == .openPR)
        #expect(decide(.pr, risk: "high", allow: false, green: false).action == .openPR)
    }

    @Test func autoMergesWhenEveryConditionHolds() {
        let decision = decide(.auto)
        #expect(decision.action == .merge)
    }

    @Test func autoWithoutAGreenVerificationStaysAPullRequest() {
        let decision = decide(.auto, green: false)
        #expect(decision.action == .openPR)
        #expect(decision.reasons == ["kept as a pull request: no green verification run; auto-merge requires one"])
    }

    @Test func autoSaysWhichConditionKeptItPROnly() {
        let risky = decide(.auto, risk: "medium")
        #expect(risky.action == .openPR)
        #expect(risky.reasons == ["kept as a pull request: risk is \"medium\"; auto-merge needs \"low\""])

        let disallowed = decide(.auto, allow: false)
        #expect(disallowed.action == .openPR)
        #expect(disallowed.reasons == ["kept as a pull request: auto-promotion is not allowed by configuration"])

        let blockers = ReviewChecklist.make(changedFiles: 1, changedLines: 1, blockers: ["needs a schema review"])
        let unready = decide(.auto, checklist: blockers)
        #expect(unready.action == .openPR)
        #expect(unready.reasons == ["kept as a pull request: review checklist has 1 blocker(s): needs a schema review"])

        let everything = decide(.auto, risk: "high", allow: false, checklist: blockers, green: false)
        #expect(everything.action == .openPR)
        #expect(everything.reasons.count == 4)
    }

    @Test func autoNeedsTheMinimumCriticScore() {
        // A passed critic below 0.85 cannot come from `evaluate`, but a stored score could carry one.
        let lowScore = CriticScore(score: 0.8, passed: true, parts: [])
        let decision = decide(.auto, critic: lowScore)
        #expect(decision.action == .openPR)
        #expect(decision.reasons == ["kept as a pull request: critic score 0.80 is below 0.85"])
        #expect(decide(.auto, critic: CriticScore(score: 0.85, passed: true, parts: [])).action == .merge)
    }
}
