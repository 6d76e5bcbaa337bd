import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore
import SparksTesting
import Testing

/// The leaderboard's arithmetic, the A/B arm, and an A/B-routed task for real.
@Suite struct LeaderboardTests {
    func outcome(_ spark: String, _ status: TaskStatus, tokens: Int = 0, ms: Int = 1000, id: UUID = UUID()) -> KPIOutcome {
        KPIOutcome(taskID: id, spark: spark, lane: "delivery", repo: "r", risk: "low", status: status, verifyExitCode: nil,
                   rolledBack: false, promptTokens: tokens, completionTokens: 0, durationMs: ms, finishedAt: Date())
    }

    @Test func rankScoreWeighsSuccessRatingAndEfficiency() throws {
        let rated = UUID()
        let rows = Leaderboard.rank([
            outcome("coder", .succeeded, tokens: 2000, id: rated), outcome("coder", .succeeded, tokens: 4000), outcome("coder", .failed, tokens: 6000),
            outcome("scout", .succeeded), outcome("scout", .succeeded),
        ], ratings: [rated: 1])
        let coder = try #require(rows.first { $0.spark == "coder" })
        // 0.6·(2/3) + 0.2·((1+1)/2) + 0.2·(1 − 4000/10000) = 0.4 + 0.2 + 0.12
        #expect(abs(coder.rankScore - 0.72) < 1e-9)
        #expect(coder.averageTokens == 4000)
        #expect(coder.stars == 4)
        let scout = try #require(rows.first { $0.spark == "scout" })
        // Unrated and without tokens: both terms are 0.5. 0.6 + 0.1 + 0.1
        #expect(abs(scout.rankScore - 0.8) < 1e-9)
        #expect(scout.stars == 5)
        #expect(rows.map(\.spark) == ["scout", "coder"])
    }

    @Test func theChallengerNeedsFiftySamplesAndATenPointLead() {
        func rows(challengerWins: Int, of samples: Int) -> [LeaderboardRow] {
            Leaderboard.rank((0..<samples).map { outcome("editor", $0 < challengerWins ? .succeeded : .failed) }
                + (0..<10).map { outcome("coder", $0 < 7 ? .succeeded : .failed) }, ratings: [:])
        }
        #expect(!Leaderboard.recommendation(for: "editor", in: rows(challengerWins: 49, of: 49)).recommended)
        #expect(Leaderboard.recommendation(for: "editor", in: rows(challengerWins: 40, of: 50)).recommended, "0.80 vs 0.70")
        let close = Leaderboard.recommendation(for: "editor", in: rows(challengerWins: 39, of: 50))
        #expect(!close.recommended, "0.78 vs 0.70")
        #expect(close.reason.contains("editor 0.78 vs coder 0.70"))
        #expect(!Leaderboard.recommendation(for: "critic", in: rows(challengerWins: 1, of: 1)).recommended)
    }

    @Test func theChallengerArmIsAStableShareOfTasks() {
        let ids = (0..<2000).map { _ in UUID() }
        let share = Double(ids.filter { Leaderboard.inChallengerArm($0, fraction: 0.25) }.count) / Double(ids.count)
        #expect(share > 0.18 && share < 0.32, "\(share)")
        #expect(ids.allSatisfy { Leaderboard.inChallengerArm($0, fraction: 0.25) == Leaderboard.inChallengerArm($0, fraction: 0.25) })
        #expect(!ids.contains { Leaderboard.inChallengerArm($0, fraction: 0) })
        #expect(ids.allSatisfy { Leaderboard.inChallengerArm($0, fraction: 1) })
    }

    @Test func anABTestSendsTheTaskToTheChallengerAndSaysSo() async throws {
        try await withHarness(replies: [.text("Looked around.")],
                              config: "[selection]\nab_test_spark = \"scout\"\nab_test_fraction = 1.0\n") { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "ab-repo")
            let outcome = try await harness.orchestrator.dispatch(
                .init(goal: "look around", spark: nil, repository: repo.path, lane: "delivery", risk: "low"))
            #expect(outcome.status == .succeeded)
            let task = try #require(try harness.store.task(idPrefix: outcome.taskID.uuidString))
            #expect(task.spark == "scout")
            let selection = try #require(try harness.store.selection(taskID: outcome.taskID))
            #expect(selection.action == "ab_test")
            #expect(selection.baseline == "coder")
            #expect(try harness.store.lastSelectedSpark(repo: task.repoLabel, lane: "delivery", risk: "low") == "coder",
                    "the policy's own choice stays the active one")
        }
    }
}
