import Foundation

/// What the heal hook gets when checks fail: enough to start a fixing task on the PR's branch.
public struct HealRequest: Sendable, Hashable {
    /// The most log text handed over; the end of a log is where the error is.
    public static let maxLogCharacters = 4000

    public var pr: String
    /// The PR's head branch, when `gh` could tell; the fix is pushed there.
    public var headBranch: String?
    public var failingChecks: [String]
    /// The last `maxLogCharacters` of the failed jobs' logs; empty when none could be fetched.
    public var logsTail: String
    /// 1 for the first attempt of a run.
    public var attempt: Int

    public init(pr: String, headBranch: String?, failingChecks: [String], logsTail: String, attempt: Int) {
        self.pr = pr
        self.headBranch = headBranch
        self.failingChecks = failingChecks
        self.logsTail = String(logsTail.suffix(Self.maxLogCharacters))
        self.attempt = attempt
    }
}

/// What a heal attempt did.
public struct HealResult: Sendable, Hashable {
    /// Whether a fix was pushed to the PR's branch (new checks will run).
    public var pushed: Bool
    /// A line for the monitor's log: what was changed, or why nothing was.
    public var detail: String

    public init(pushed: Bool, detail: String) {
        self.pushed = pushed
        self.detail = detail
    }
}
