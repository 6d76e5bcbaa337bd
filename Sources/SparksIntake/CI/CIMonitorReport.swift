import Foundation

/// How a CI monitor run ended. The raw values are stable: they go into events and ticket comments.
public enum CIMonitorStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// All checks passed without any heal attempt.
    case ciPassed = "ci_passed"
    /// All checks passed after at least one heal attempt.
    case healSucceeded = "heal_succeeded"
    /// Checks failed and healing was off (or allowed no attempts).
    case ciFailed = "ci_failed"
    /// Checks still failed after `maxHeal` heal attempts.
    case healExhausted = "heal_exhausted"
    /// No check ever appeared within the grace period; nothing verified the change.
    case noChecks = "no_checks"
    /// The checks did not settle before the timeout.
    case timeout
    /// The monitoring task was cancelled before the checks settled.
    case cancelled

    /// Whether the checks ended green, which is the precondition for merging.
    public var isPassing: Bool { self == .ciPassed || self == .healSucceeded }
}

/// The outcome of `CIMonitor.run(pr:in:)`.
public struct CIMonitorReport: Sendable, Hashable, Codable {
    public var status: CIMonitorStatus
    /// Heal attempts made (whether or not they pushed anything).
    public var healAttempts: Int
    /// Whether the pull request is merged at the end of the run.
    public var merged: Bool
    /// Why an enabled auto-merge did not happen; nil when it happened or was not enabled.
    public var mergeRefused: String?
    /// What the monitor did, one line per step, for the task log and the ticket comment.
    public var log: [String]

    public init(status: CIMonitorStatus, healAttempts: Int, merged: Bool, mergeRefused: String?, log: [String]) {
        self.status = status
        self.healAttempts = healAttempts
        self.merged = merged
        self.mergeRefused = mergeRefused
        self.log = log
    }
}
