import Testing

@testable import SparksEval

@Suite("Tournament decisions")
struct TournamentTests {
    private let baseline = TournamentEntry(
        candidateID: "baseline", overall: 0.70, execRate: 0.90, avgTask: 0.60, gateOK: true, exitOK: true)

    private func entry(
        _ id: String, overall: Double, exec: Double = 0.90, task: Double = 0.60, gate: Bool = true, exit: Bool = true
    ) -> TournamentEntry {
        TournamentEntry(candidateID: id, overall: overall, execRate: exec, avgTask: task, gateOK: gate, exitOK: exit)
    }

    @Test func clearImprovementIsPromoted() {
        let decision = Tournament.decide(
            baseline: baseline, entries: [entry("a", overall: 0.72), entry("b", overall: 0.75, exec: 0.92)],
            rules: TournamentRules())
        #expect(decision.winner == "b")
        #expect(decision.promote)
        #expect(decision.gated.isEmpty)
        #expect(decision.reasons.last == "promoting b")
    }

    @Test func regressingCandidateIsGatedOut() throws {
        // Best overall, but exec rate falls 0.05: more than the 0.02 allowed.
        let regressing = entry("fast_but_flaky", overall: 0.90, exec: 0.85)
        let decision = Tournament.decide(
            baseline: baseline, entries: [regressing, entry("steady", overall: 0.73)], rules: TournamentRules())
        #expect(decision.winner == "steady")
        #expect(decision.promote)
        let why = try #require(decision.gated["fast_but_flaky"])
        #expect(why == "exec rate regressed -0.050, more than the 0.020 allowed")
    }

    @Test func failedExitOrGateIsGatedOut() {
        let decision = Tournament.decide(
            baseline: baseline,
            entries: [entry("crashed", overall: 0.9, exit: false), entry("ungated", overall: 0.9, gate: false)],
            rules: TournamentRules())
        #expect(decision.winner == "baseline")
        #expect(!decision.promote)
        #expect(decision.gated == ["crashed": "harness run did not exit cleanly", "ungated": "quality gate failed"])
    }

    @Test func regressionWithinTheLimitPassesTheGate() {
        let decision = Tournament.decide(
            baseline: baseline, entries: [entry("slight", overall: 0.75, task: 0.58)], rules: TournamentRules(strict: false))
        #expect(decision.gated.isEmpty)
        #expect(decision.winner == "slight")
        #expect(decision.promote)
    }

    @Test func improvementBelowMinimumIsNotPromoted() {
        let decision = Tournament.decide(baseline: baseline, entries: [entry("tiny", overall: 0.705)], rules: TournamentRules())
        #expect(decision.winner == "tiny")
        #expect(!decision.promote)
        #expect(decision.reasons.contains("not promoted: overall improvement +0.005 is below the 0.010 minimum"))
    }

    @Test func strictRulesBlockAnExecDrop() {
        let dropping = entry("dropper", overall: 0.80, exec: 0.89)
        let strict = Tournament.decide(baseline: baseline, entries: [dropping], rules: TournamentRules(strict: true))
        #expect(strict.winner == "dropper")
        #expect(!strict.promote)
        #expect(strict.reasons.contains("not promoted: strict rules forbid any exec rate drop (-0.010)"))
        let lenient = Tournament.decide(baseline: baseline, entries: [dropping], rules: TournamentRules(strict: false))
        #expect(lenient.promote)
    }

    @Test func tiesBreakOnExecThenAvgTaskAndBaselineKeepsExactTies() {
        let decision = Tournament.decide(
            baseline: baseline,
            entries: [
                entry("x", overall: 0.75, exec: 0.91), entry("y", overall: 0.75, exec: 0.93),
                entry("z", overall: 0.75, exec: 0.93, task: 0.61),
            ],
            rules: TournamentRules())
        #expect(decision.winner == "z")
        let tie = Tournament.decide(baseline: baseline, entries: [entry("same", overall: 0.70)], rules: TournamentRules())
        #expect(tie.winner == "baseline")
        #expect(!tie.promote)
    }

    @Test func baselineListedAmongEntriesIsNotGatedAgainstItself() {
        let decision = Tournament.decide(
            baseline: baseline, entries: [baseline, entry("worse", overall: 0.60)], rules: TournamentRules())
        #expect(decision.winner == "baseline")
        #expect(Set(decision.gated.keys) == ["worse"])
    }
}
