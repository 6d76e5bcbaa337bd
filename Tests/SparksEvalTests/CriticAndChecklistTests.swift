import Testing

@testable import SparksEval

@Suite("Critic score and review checklist")
struct CriticAndChecklistTests {
    @Test func allPartsEarnedScoresOneAndPasses() {
        let critic = CriticScore.evaluate(
            dispatchSucceeded: true, exitCode: 0, changeCount: 3, maintenancePassed: true, guardrailsPassed: true)
        #expect(critic.score == 1.0)
        #expect(critic.passed)
        #expect(
            critic.parts == [
                "+0.35 dispatch succeeded with exit 0", "+0.10 change set has 3 change(s)",
                "+0.35 maintenance checks all passed", "+0.20 guardrails passed",
            ])
    }

    @Test(arguments: [
        // (succeeded, exit, changes, maintenance, guardrails, expected score)
        (false, Int32(0), 1, true, true, 0.65),
        (true, Int32(1), 1, true, true, 0.65),
        (true, Int32(0), 0, true, true, 0.90),
        (true, Int32(0), 1, false, true, 0.65),
        (true, Int32(0), 1, true, false, 0.80),
        (false, Int32(2), 0, false, false, 0.0),
        (true, Int32(0), 0, false, true, 0.55),
    ])
    func missingPartsLowerTheScoreAndFail(
        _ succeeded: Bool, _ exitCode: Int32, _ changes: Int, _ maintenance: Bool, _ guardrails: Bool, _ expected: Double
    ) {
        let critic = CriticScore.evaluate(
            dispatchSucceeded: succeeded, exitCode: exitCode, changeCount: changes, maintenancePassed: maintenance,
            guardrailsPassed: guardrails)
        #expect(critic.score == expected)
        #expect(!critic.passed)
        #expect(critic.parts.count == 4)
    }

    @Test func failedPartsSayWhy() {
        let critic = CriticScore.evaluate(
            dispatchSucceeded: true, exitCode: 3, changeCount: 0, maintenancePassed: false, guardrailsPassed: false)
        #expect(
            critic.parts == [
                "+0.00 dispatch exited with 3", "+0.00 change set is empty",
                "+0.00 maintenance checks did not all pass", "+0.00 guardrails violated",
            ])
    }

    @Test(arguments: [
        (0, 0, ReviewChecklist.BlastRadius.low),
        (3, 120, .low),
        (4, 120, .medium),
        (3, 121, .medium),
        (8, 600, .medium),
        (9, 600, .high),
        (8, 601, .high),
        (1, 5000, .high),
    ])
    func blastRadiusBoundaries(_ files: Int, _ lines: Int, _ expected: ReviewChecklist.BlastRadius) {
        #expect(ReviewChecklist.make(changedFiles: files, changedLines: lines, blockers: []).blastRadius == expected)
    }

    @Test func checklistIsMergeReadyOnlyWithoutBlockers() {
        let ready = ReviewChecklist.make(changedFiles: 1, changedLines: 10, blockers: [])
        #expect(ready.mergeReady)
        #expect(
            ready.rollbackPlan == [
                "git revert the merge commit", "re-run the verification command on the reverted branch",
                "reopen the ticket with the failure evidence",
            ])
        let blocked = ReviewChecklist.make(changedFiles: 1, changedLines: 10, blockers: ["migration untested"])
        #expect(!blocked.mergeReady)
        #expect(blocked.blockers == ["migration untested"])
        #expect(blocked.rollbackPlan.count == 3)
    }
}
