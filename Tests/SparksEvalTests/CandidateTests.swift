import Testing

@testable import SparksEval

@Suite("Tournament candidates")
struct CandidateTests {
    private let base = "You are the Sparks coder. Follow the repository's CONTRIBUTING notes."

    @Test func baselineComesFirstUnchanged() throws {
        let candidates = TournamentCandidates.make(baselineContext: base)
        let first = try #require(candidates.first)
        #expect(first.id == "baseline")
        #expect(first.context == base)
        #expect(first.axes.isEmpty)
    }

    @Test func defaultCapIsTwelveInCrossProductOrder() {
        let ids = TournamentCandidates.make(baselineContext: base).map(\.id)
        #expect(
            ids == [
                "baseline",
                "plan_verify.strict.minimal", "plan_verify.strict.balanced", "plan_verify.strict.context_rich",
                "plan_verify.balanced.minimal", "plan_verify.balanced.balanced", "plan_verify.balanced.context_rich",
                "plan_verify.adaptive.minimal", "plan_verify.adaptive.balanced", "plan_verify.adaptive.context_rich",
                "minimal_diff.strict.minimal", "minimal_diff.strict.balanced",
            ])
    }

    @Test func staticCandidateContextAddsTheThreeInstructions() throws {
        let candidates = TournamentCandidates.make(baselineContext: base, maxCandidates: 28)
        let candidate = try #require(candidates.first { $0.id == "blocker_evidence.adaptive.context_rich" })
        #expect(candidate.context.hasPrefix(base + "\n\n"))
        #expect(
            candidate.context.contains(
                "If you cannot finish, say exactly what blocks you and show the command output that proves it."))
        #expect(candidate.context.contains(TournamentCandidates.strictness[2].instruction))
        #expect(candidate.context.contains(TournamentCandidates.soul[2].instruction))
        #expect(candidate.axes == ["mutation": "blocker_evidence", "strictness": "adaptive", "soul": "context_rich"])
        #expect(candidates.count == 28)
        #expect(Set(candidates.map(\.id)).count == 28)
    }

    @Test func backlogCandidatesFollowTheStaticOnes() throws {
        let backlog = ["Fix flaky queue test", "  ", "Fix flaky queue test", "Add retry to webhook", "Docs", "Ignored fourth"]
        let candidates = TournamentCandidates.make(baselineContext: base, maxCandidates: 100, backlog: backlog)
        #expect(candidates.count == 1 + 27 + 3 * 4)
        let backlogIDs = candidates.dropFirst(28).map(\.id)
        #expect(
            Array(backlogIDs.prefix(5)) == [
                "backlog1.ticket_focus", "backlog1.acceptance_guarded", "backlog1.deterministic_diagnostics",
                "backlog1.regression_first", "backlog2.ticket_focus",
            ])
        let regression = try #require(candidates.first { $0.id == "backlog2.regression_first" })
        #expect(
            regression.context == base
                + "\n\nBefore changing code for Add retry to webhook, write or run a test that reproduces the problem.")
        #expect(regression.axes == ["focus": "regression_first", "backlog_item": "Add retry to webhook"])
        #expect(!candidates.contains { $0.context.contains("Ignored fourth") })
    }

    @Test func capAlwaysKeepsTheBaseline() {
        #expect(TournamentCandidates.make(baselineContext: base, maxCandidates: 0).map(\.id) == ["baseline"])
        #expect(TournamentCandidates.make(baselineContext: base, maxCandidates: 1).map(\.id) == ["baseline"])
        #expect(TournamentCandidates.make(baselineContext: base, maxCandidates: 3).count == 3)
    }

    @Test func generationIsDeterministic() {
        let first = TournamentCandidates.make(baselineContext: base, maxCandidates: 40, backlog: ["a", "b"])
        let second = TournamentCandidates.make(baselineContext: base, maxCandidates: 40, backlog: ["a", "b"])
        #expect(first == second)
        #expect(first.count == 36)
    }

    @Test func emptyBaselineGetsOnlyTheInstructions() throws {
        let candidate = try #require(TournamentCandidates.make(baselineContext: "", maxCandidates: 2).last)
        #expect(
            candidate.context
                == [
                    TournamentCandidates.mutations[0].instruction, TournamentCandidates.strictness[0].instruction,
                    TournamentCandidates.soul[0].instruction,
                ].joined(separator: " "))
    }
}
