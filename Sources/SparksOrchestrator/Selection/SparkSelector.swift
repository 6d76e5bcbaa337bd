import Foundation
import SparksCore
import SparksStore

/// The thresholds of KPI-driven spark selection (`spark_policy_v1`, after the original's
/// `ghost_policy_v1`).
public struct SelectionPolicy: Sendable, Hashable {
    public var minSamples = 3
    /// A candidate must beat the active spark's score by more than this to take over.
    public var confidenceMargin = 0.05
    /// Go back to the baseline when it beats the active spark's recent score by more than this.
    public var maxRegression = 0.08
    /// How many of a spark's newest outcomes make its "recent" score.
    public var stabilityWindow = 3
    public var successWeight = 0.7
    public var verificationWeight = 0.2
    public var rollbackWeight = 1.0

    public static let version = "spark_policy_v1"

    public init() {}
}

/// How one spark has done in a scope.
public struct SparkStats: Sendable, Hashable {
    public var spark: String
    /// Tasks that ended succeeded or failed.
    public var samples = 0
    public var succeeded = 0
    /// Tasks whose verify command ran, and those where it exited 0.
    public var verifyRuns = 0
    public var verifyPassed = 0
    /// Tasks whose changes were reverted or thrown away after they finished.
    public var rollbacks = 0

    public init(spark: String) { self.spark = spark }

    public var successRate: Double { samples == 0 ? 0 : Double(succeeded) / Double(samples) }
    /// Passed verifications over verifications run; 0 when none ran (an unverified task earns nothing).
    public var verificationPassRate: Double { verifyRuns == 0 ? 0 : Double(verifyPassed) / Double(verifyRuns) }
    public var rollbackRate: Double { samples == 0 ? 0 : Double(rollbacks) / Double(samples) }

    public func score(_ policy: SelectionPolicy) -> Double {
        policy.successWeight * successRate + policy.verificationWeight * verificationPassRate - policy.rollbackWeight * rollbackRate
    }

    mutating func add(_ outcome: ScopeOutcome) {
        samples += 1
        if outcome.status == .succeeded { succeeded += 1 }
        if let code = outcome.verifyExitCode {
            verifyRuns += 1
            if code == 0 { verifyPassed += 1 }
        }
        if outcome.rolledBack { rollbacks += 1 }
    }
}

/// Which spark a task should go to, and why.
public struct SelectionDecision: Sendable, Hashable {
    public enum Action: String, Sendable {
        /// The baseline spark, for want of evidence or of a better candidate.
        case keepDefault = "keep_default"
        /// A candidate proved better than the active spark.
        case promote
        /// The active candidate regressed; back to the baseline.
        case rollback
        /// The previously promoted candidate is still best.
        case maintain
        /// The A/B challenger, for the fraction of tasks the A/B test sends it.
        case abTest = "ab_test"
    }

    public var spark: String
    public var baseline: String
    public var action: Action
    public var reasonCodes: [String]
    /// One readable paragraph: scope, thresholds, the numbers that decided.
    public var explanation: String
    public var stats: [SparkStats]
}

/// Chooses a spark for a task from real outcomes in its (repo, lane, risk) scope: success,
/// verification by exit code and rollbacks by what happened to the changes — never the model's words.
/// Only sparks that can do a task on their own are candidates (not coordinators or critics).
public struct SparkSelector: Sendable {
    public let policy: SelectionPolicy

    public init(policy: SelectionPolicy = SelectionPolicy()) {
        self.policy = policy
    }

    /// Decides from `outcomes` (newest first) given the roster and the spark that was chosen last
    /// in this scope.
    public func decide(outcomes: [ScopeOutcome], roster: [SparkDefinition], previous: String?,
                       scope: (repo: String, lane: String, risk: String)) -> SelectionDecision {
        let candidates = roster.filter { $0.role != .coordinator && $0.role != .critic }.map(\.name)
        let baseline = candidates.contains("coder") ? "coder" : candidates.first ?? roster.first?.name ?? "coder"
        var overall: [String: SparkStats] = [:]
        var recent: [String: SparkStats] = [:]
        for name in candidates {
            overall[name] = SparkStats(spark: name)
            recent[name] = SparkStats(spark: name)
        }
        for outcome in outcomes where overall[outcome.spark] != nil {
            overall[outcome.spark]!.add(outcome)
            if recent[outcome.spark]!.samples < policy.stabilityWindow { recent[outcome.spark]!.add(outcome) }
        }
        let stats = candidates.compactMap { overall[$0] }
        func score(_ name: String) -> Double { overall[name]?.score(policy) ?? 0 }
        func recentScore(_ name: String) -> Double { recent[name]?.score(policy) ?? 0 }
        func describe(_ name: String) -> String {
            guard let s = overall[name] else { return "\(name): no data" }
            return "\(name) score \(Self.format(s.score(policy))) (success \(s.succeeded)/\(s.samples), verified "
                + "\(s.verifyPassed)/\(s.verifyRuns), rollbacks \(s.rollbacks); recent \(Self.format(recentScore(name))))"
        }
        let header = "\(SelectionPolicy.version) scope \(scope.repo)/\(scope.lane)/\(scope.risk): "
        func decision(_ spark: String, _ action: SelectionDecision.Action, _ codes: [String], _ why: String) -> SelectionDecision {
            let numbers = stats.map { describe($0.spark) }.joined(separator: "; ")
            return SelectionDecision(spark: spark, baseline: baseline, action: action, reasonCodes: codes,
                                     explanation: header + why + ". " + numbers, stats: stats)
        }

        let baselineSamples = overall[baseline]?.samples ?? 0
        // A candidate is eligible with enough samples and no recent regression against its own record.
        let eligible = candidates.filter { name in
            name != baseline && (overall[name]?.samples ?? 0) >= policy.minSamples
                && recentScore(name) >= score(name) - policy.maxRegression
        }.sorted { score($0) != score($1) ? score($0) > score($1) : $0 < $1 }
        guard baselineSamples >= policy.minSamples else {
            return decision(baseline, .keepDefault, ["baseline_insufficient_samples"],
                            "baseline \(baseline) has \(baselineSamples) of \(policy.minSamples) samples needed; keeping it")
        }
        let active = previous.flatMap { candidates.contains($0) ? $0 : nil } ?? baseline
        if active != baseline {
            let activeSamples = overall[active]?.samples ?? 0
            if activeSamples >= policy.minSamples, score(baseline) - recentScore(active) > policy.maxRegression {
                return decision(baseline, .rollback, ["candidate_regressed", "rollback_to_baseline"],
                                "\(active)'s recent score \(Self.format(recentScore(active))) fell more than "
                                    + "\(Self.format(policy.maxRegression)) below baseline \(baseline) (\(Self.format(score(baseline)))); back to \(baseline)")
            }
            if let top = eligible.first, top != active, score(top) - score(active) > policy.confidenceMargin {
                return decision(top, .promote, ["promote_superior_candidate"],
                                "\(top) beats active \(active) by \(Self.format(score(top) - score(active))) "
                                    + "(margin \(Self.format(policy.confidenceMargin)))")
            }
            return decision(active, .maintain, ["promotion_maintained"],
                            "\(active) stays: no candidate beats it by more than \(Self.format(policy.confidenceMargin))")
        }
        if let top = eligible.first, score(top) - score(baseline) > policy.confidenceMargin {
            return decision(top, .promote, ["promote_superior_candidate"],
                            "\(top) beats baseline \(baseline) by \(Self.format(score(top) - score(baseline))) "
                                + "(margin \(Self.format(policy.confidenceMargin)), ≥ \(policy.minSamples) samples)")
        }
        return decision(baseline, .keepDefault, ["no_eligible_candidate"],
                        "no candidate with ≥ \(policy.minSamples) samples beats baseline \(baseline) by more than "
                            + Self.format(policy.confidenceMargin))
    }

    /// Decides for a task and records the decision in the store.
    public func select(for task: TaskSpec, roster: [SparkDefinition], store: SparksStore) throws(SparksError) -> SelectionDecision {
        let outcomes = try store.scopeOutcomes(repo: task.repoLabel, lane: task.lane, risk: task.risk)
        let previous = try store.lastSelectedSpark(repo: task.repoLabel, lane: task.lane, risk: task.risk)
        let decision = decide(outcomes: outcomes, roster: roster, previous: previous,
                              scope: (task.repoLabel, task.lane, task.risk))
        try store.recordSelection(SelectionRecord(
            taskID: task.id, repo: task.repoLabel, lane: task.lane, risk: task.risk, selected: decision.spark,
            baseline: decision.baseline, action: decision.action.rawValue, reasonCodes: decision.reasonCodes,
            explanation: decision.explanation))
        return decision
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
