import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore

struct LeaderboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "Rank sparks by their real outcomes; A/B test a challenger; rate tasks.",
        discussion: """
            Every finished task counts (dispatch, chat, API, cron, eval). rank = 0.6·success rate +
            0.2·rating (ratings from `sparks leaderboard rate`, 0.5 when unrated) + 0.2·efficiency
            (1 − tokens per task / 10,000, 0.5 without token data).

            A/B test: set [selection] ab_test_spark = "NAME" and ab_test_fraction = 0.1 to send that share
            of the tasks selection routes elsewhere to the challenger; `show` then says whether to promote it
            (≥ 50 samples and a success rate ≥ 0.10 above the best other spark).

            Examples:
              sparks leaderboard show --lane delivery
              sparks leaderboard compare coder editor
              sparks leaderboard rate 7f9c2a1e up --note "clean diff"
              sparks leaderboard reset
            """,
        subcommands: [Show.self, Compare.self, Rate.self, Reset.self], defaultSubcommand: Show.self)

    struct Scope: ParsableArguments {
        @Option(name: .long, help: "Only this lane.") var lane: String?
        @Option(name: .long, help: "Only this repository label.") var repo: String?
        @Option(name: .long, help: "Only this risk.") var risk: String?
    }

    static func rows(_ store: SparksStore, scope: Scope) throws -> [LeaderboardRow] {
        let since = try store.lastLeaderboardReset()
        let outcomes = try store.kpiOutcomes(lane: scope.lane, repo: scope.repo, risk: scope.risk, since: since)
        return Leaderboard.rank(outcomes, ratings: try store.taskRatings())
    }

    static func describe(_ row: LeaderboardRow) -> String {
        let stars = String(repeating: "★", count: row.stars) + String(repeating: "☆", count: 5 - row.stars)
        let rating = row.averageRating.map { String(format: "%+.2f (%d)", $0, row.ratedTasks) } ?? "unrated"
        let tokens = row.averageTokens.map { String(format: "%.0f", $0) } ?? "-"
        return String(format: "%-14@ %@  rank %.3f  success %.2f (%d/%d)  rating %@  tokens/task %@  latency %.1f s",
                      row.spark, stars, row.rankScore, row.successRate, row.succeeded, row.samples, rating, tokens,
                      row.averageLatencyMs / 1000)
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "The ranking, best first.")
        @OptionGroup var scope: Scope
        @Flag(name: .long, help: "JSON instead of text.") var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let rows = try LeaderboardCommand.rows(store, scope: scope)
                let challenger = config.orchestration.abTestSpark.map { Leaderboard.recommendation(for: $0, in: rows) }
                if json {
                    let encoder = JSONEncoder()
                    encoder.keyEncodingStrategy = .convertToSnakeCase
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                    struct Output: Encodable { var rows: [LeaderboardRow]; var abTest: PromotionRecommendation? }
                    Terminal.out(String(decoding: try encoder.encode(Output(rows: rows, abTest: challenger)), as: UTF8.self))
                    return
                }
                if rows.isEmpty {
                    Terminal.error("no finished tasks yet\(try store.lastLeaderboardReset() == nil ? "" : " since the last reset")")
                }
                for (index, row) in rows.enumerated() { Terminal.out("\(index + 1). " + LeaderboardCommand.describe(row)) }
                if let challenger {
                    Terminal.out("A/B: \(challenger.recommended ? "promote" : "keep testing") \(challenger.challenger) — \(challenger.reason)")
                }
            }
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "compare", abstract: "Two sparks side by side.")
        @Argument(help: "A spark.") var first: String
        @Argument(help: "Another spark.") var second: String
        @OptionGroup var scope: Scope
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let rows = try LeaderboardCommand.rows(store, scope: scope)
                for name in [first, second] {
                    if let row = rows.first(where: { $0.spark == name }) {
                        Terminal.out(LeaderboardCommand.describe(row))
                    } else {
                        Terminal.out("\(name): no finished tasks")
                    }
                }
                if let a = rows.first(where: { $0.spark == first }), let b = rows.first(where: { $0.spark == second }) {
                    let leader = a.rankScore >= b.rankScore ? a : b
                    Terminal.out(String(format: "%@ leads by %.3f rank (success %+.2f)", leader.spark, abs(a.rankScore - b.rankScore),
                                        a.successRate - b.successRate))
                }
            }
        }
    }

    struct Rate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rate", abstract: "Rate a finished task: up, down or neutral.")
        @Argument(help: "Task id (or a unique prefix).") var id: String
        @Argument(help: "up, down or neutral.") var rating: String
        @Option(name: .long, help: "Why.") var note: String?
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let value: Int
                switch rating.lowercased() {
                case "up", "+1", "1", "good": value = 1
                case "down", "-1", "bad": value = -1
                case "neutral", "0": value = 0
                default: throw ValidationError("the rating is up, down or neutral, not \"\(rating)\"")
                }
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let task = try findTask(id, in: store)
                guard task.status.isTerminal else {
                    throw SparksError(.invalidInput, "task \(task.id.uuidString.prefix(8).lowercased()) has not finished (\(task.status.rawValue))")
                }
                try store.rateTask(task.id, rating: value, note: note)
                Terminal.out("rated \(task.id.uuidString.prefix(8).lowercased()) (\(task.spark)) \(value > 0 ? "up" : value < 0 ? "down" : "neutral")")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset", abstract: "Start the ranking afresh from now (outcomes stay for KPIs).")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let at = try store.resetLeaderboard()
                Terminal.out("leaderboard reset at \(at.formatted(.iso8601))")
            }
        }
    }
}
