import Testing

@testable import SparksEval

@Suite("Adaptive tournament guardrails")
struct AdaptiveGuardrailsTests {
    private let base = TournamentRules()

    private func runs(clean: Int, dirty: Int) -> [Bool] {
        Array(repeating: true, count: clean) + Array(repeating: false, count: dirty)
    }

    @Test func defaultsMatchTheBrief() {
        #expect(base.maxRegression == 0.02)
        #expect(base.minImprovement == 0.01)
        #expect(base.strict)
    }

    @Test func tenRunsAtEightyPercentRelax() {
        let (rules, mode) = AdaptiveGuardrails.rules(recentRuns: runs(clean: 8, dirty: 2), base: base)
        #expect(mode == .relaxed)
        #expect(rules.minImprovement == 0.005)
        #expect(rules.maxRegression == 0.03)
        #expect(!rules.strict)
    }

    @Test func relaxingCapsMaxRegressionAtThreeHundredths() {
        let loose = TournamentRules(maxRegression: 0.025, minImprovement: 0.02, strict: true)
        let (rules, _) = AdaptiveGuardrails.rules(recentRuns: runs(clean: 10, dirty: 0), base: loose)
        #expect(rules.maxRegression == 0.03)
        #expect(rules.minImprovement == 0.01)
    }

    @Test func justBelowEightyPercentOrTooFewRunsIsNotRelaxed() {
        // 7 of 9 is 78 %: balanced. 9 of 9 clean but fewer than ten runs: balanced too.
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 7, dirty: 2), base: base).mode == .balanced)
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 9, dirty: 0), base: base).mode == .balanced)
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 15, dirty: 4), base: base).mode == .balanced)
    }

    @Test func fiveRunsAtSixtyPercentAreBalanced() {
        let (rules, mode) = AdaptiveGuardrails.rules(recentRuns: runs(clean: 3, dirty: 2), base: base)
        #expect(mode == .balanced)
        #expect(rules == base)
    }

    @Test func fiveRunsUnderFortyPercentTighten() {
        let (rules, mode) = AdaptiveGuardrails.rules(recentRuns: runs(clean: 1, dirty: 4), base: base)
        #expect(mode == .tightened)
        #expect(rules.minImprovement == 0.02)
        #expect(rules.maxRegression == 0.01)
        #expect(rules.strict)
        let relaxedBase = TournamentRules(maxRegression: 0.02, minImprovement: 0.01, strict: false)
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 0, dirty: 5), base: relaxedBase).rules.strict)
    }

    @Test func betweenFortyAndSixtyPercentOrShortHistoryIsDefault() {
        // 2 of 5 is exactly 40 %: not under 40 %, not 60 %.
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 2, dirty: 3), base: base).mode == .default)
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 0, dirty: 4), base: base).mode == .default)
        #expect(AdaptiveGuardrails.rules(recentRuns: [], base: base).mode == .default)
        #expect(AdaptiveGuardrails.rules(recentRuns: runs(clean: 0, dirty: 4), base: base).rules == base)
    }
}
