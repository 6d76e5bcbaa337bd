import Foundation
import SparksCore
import SparksStore

/// One spark's standing, from the real outcomes of its tasks.
public struct LeaderboardRow: Sendable, Hashable, Codable {
    public var spark: String
    public var samples: Int
    public var succeeded: Int
    public var successRate: Double
    /// Mean rating of its rated tasks (-1…1); nil when none was rated.
    public var averageRating: Double?
    public var ratedTasks: Int
    /// Mean tokens per task; nil without token data.
    public var averageTokens: Double?
    public var averageLatencyMs: Double
    /// 0.6·success + 0.2·rating (normalised to 0…1, 0.5 unrated) + 0.2·efficiency (1 − tokens/10,000, 0.5 without data).
    public var rankScore: Double
    /// One to five, by success-rate decile.
    public var stars: Int
}

/// Whether the A/B challenger should replace the leader.
public struct PromotionRecommendation: Sendable, Hashable, Codable {
    public var challenger: String
    public var recommended: Bool
    public var reason: String
}

/// The leaderboard of §26.3, fed by every finished task (the original's was never fed).
public enum Leaderboard {
    public static let minChallengerSamples = 50
    public static let promotionMargin = 0.10

    public static func rank(_ outcomes: [KPIOutcome], ratings: [UUID: Int]) -> [LeaderboardRow] {
        Dictionary(grouping: outcomes, by: \.spark).map { spark, outcomes in
            let succeeded = outcomes.filter { $0.status == .succeeded }.count
            let successRate = Double(succeeded) / Double(outcomes.count)
            let rated = outcomes.compactMap { ratings[$0.taskID] }
            let averageRating = rated.isEmpty ? nil : Double(rated.reduce(0, +)) / Double(rated.count)
            let withTokens = outcomes.filter { $0.promptTokens + $0.completionTokens > 0 }
            let averageTokens = withTokens.isEmpty ? nil
                : Double(withTokens.map { $0.promptTokens + $0.completionTokens }.reduce(0, +)) / Double(withTokens.count)
            let ratingNorm = averageRating.map { ($0 + 1) / 2 } ?? 0.5
            let efficiency = averageTokens.map { 1 - min($0 / 10_000, 1) } ?? 0.5
            let score = 0.6 * successRate + 0.2 * ratingNorm + 0.2 * efficiency
            return LeaderboardRow(
                spark: spark, samples: outcomes.count, succeeded: succeeded, successRate: successRate, averageRating: averageRating,
                ratedTasks: rated.count, averageTokens: averageTokens,
                averageLatencyMs: Double(outcomes.map(\.durationMs).reduce(0, +)) / Double(outcomes.count),
                rankScore: (score * 10_000).rounded() / 10_000, stars: max(1, min(5, Int((successRate * 10).rounded(.down)) / 2 + 1)))
        }
        .sorted { ($0.rankScore, $0.samples, $1.spark) > ($1.rankScore, $1.samples, $0.spark) }
    }

    /// The challenger is recommended once it has enough samples and beats the best other spark's
    /// success rate by the margin.
    public static func recommendation(for challenger: String, in rows: [LeaderboardRow]) -> PromotionRecommendation {
        guard let row = rows.first(where: { $0.spark == challenger }) else {
            return PromotionRecommendation(challenger: challenger, recommended: false, reason: "\(challenger) has no finished tasks yet")
        }
        guard row.samples >= minChallengerSamples else {
            return PromotionRecommendation(challenger: challenger, recommended: false,
                                           reason: "\(challenger) has \(row.samples) of the \(minChallengerSamples) samples needed")
        }
        guard let best = rows.filter({ $0.spark != challenger }).max(by: { $0.successRate < $1.successRate }) else {
            return PromotionRecommendation(challenger: challenger, recommended: true, reason: "\(challenger) is the only spark with outcomes")
        }
        let margin = row.successRate - best.successRate
        let text = String(format: "%@ %.2f vs %@ %.2f (margin %.2f, needed %.2f)", challenger, row.successRate, best.spark,
                          best.successRate, margin, promotionMargin)
        return PromotionRecommendation(challenger: challenger, recommended: margin >= promotionMargin - 1e-9, reason: text)
    }

    /// Whether a task goes to the A/B challenger: a stable `fraction` of task ids, so a retried
    /// task keeps its arm.
    public static func inChallengerArm(_ taskID: UUID, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        guard fraction < 1 else { return true }
        let bytes = taskID.uuid
        let bucket = (Int(bytes.0) << 8 | Int(bytes.1)) % 1000
        return Double(bucket) < fraction * 1000
    }
}
