/// How far a finished self-build may go on its own.
public enum PromotionMode: String, Sendable, Codable, Hashable, CaseIterable {
    /// Never promote; the change stays in its worktree.
    case none
    /// Open a pull request for a human to merge.
    case pr
    /// Merge without a human when every condition holds; otherwise fall back to a pull request.
    case auto
}

/// What happens to a self-build change, and why.
public struct PromotionDecision: Sendable, Codable, Hashable {
    public enum Action: String, Sendable, Codable, Hashable, CaseIterable {
        /// Promotion is turned off.
        case skipped
        /// A guardrail, the critic or an empty change set stops the change.
        case blocked
        /// Open a pull request.
        case openPR = "open_pr"
        /// Merge the change.
        case merge
    }

    public var action: Action
    /// Every reason behind the action, in the order the rules were checked.
    public var reasons: [String]

    public init(action: Action, reasons: [String]) {
        self.action = action
        self.reasons = reasons
    }
}

/// Decides whether a self-build change is skipped, blocked, opened as a pull request or merged.
public enum PromotionPlan {
    /// Lowest critic score that may auto-merge.
    public static let autoMergeMinimumScore = 0.85

    /// Applies the promotion rules in order: `none` skips; a guardrail violation, a failed critic
    /// or an empty change blocks; `pr` opens a pull request; `auto` merges only when the risk is
    /// `low`, auto-promotion is allowed, the critic passed with at least 0.85, the review checklist
    /// is merge-ready and a verification run was green, and otherwise opens a pull request.
    ///
    /// Unlike the original supervisor, `auto` never merges without a green verification run.
    public static func decide(
        mode: PromotionMode, risk: String, allowAutoPromote: Bool, critic: CriticScore,
        guardrailViolations: [GuardrailViolation], hasChanges: Bool, checklist: ReviewChecklist,
        verificationGreen: Bool
    ) -> PromotionDecision {
        if mode == .none {
            return PromotionDecision(action: .skipped, reasons: ["promotion mode is none"])
        }
        var blocking = guardrailViolations.map { "guardrail \($0.fullCode): \($0.detail)" }
        if !critic.passed {
            blocking.append("critic failed with score \(formatScore(critic.score)); all four parts must pass")
        }
        if !hasChanges { blocking.append("the dispatch produced no changes to promote") }
        if !blocking.isEmpty { return PromotionDecision(action: .blocked, reasons: blocking) }

        if mode == .pr {
            return PromotionDecision(action: .openPR, reasons: ["promotion mode is pr"])
        }
        var prOnly: [String] = []
        if risk != "low" { prOnly.append("risk is \"\(risk)\"; auto-merge needs \"low\"") }
        if !allowAutoPromote { prOnly.append("auto-promotion is not allowed by configuration") }
        if critic.score < autoMergeMinimumScore {
            prOnly.append("critic score \(formatScore(critic.score)) is below \(formatScore(autoMergeMinimumScore))")
        }
        if !checklist.mergeReady {
            prOnly.append(
                "review checklist has \(checklist.blockers.count) blocker(s): \(checklist.blockers.joined(separator: "; "))")
        }
        if !verificationGreen {
            prOnly.append("no green verification run; auto-merge requires one")
        }
        if prOnly.isEmpty {
            return PromotionDecision(
                action: .merge,
                reasons: [
                    "auto: low risk, auto-promotion allowed, critic \(formatScore(critic.score)), checklist ready, verification green"
                ])
        }
        return PromotionDecision(action: .openPR, reasons: prOnly.map { "kept as a pull request: \($0)" })
    }

    private static func formatScore(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let cents = hundredths % 100
        return "\(hundredths / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
