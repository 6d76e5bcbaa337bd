import Foundation

/// How `CIMonitor` watches a pull request and what it may do about the result.
public struct CIMonitorSettings: Sendable, Hashable {
    /// The shortest poll interval accepted: faster polling only burns the GitHub rate limit.
    public static let minimumPollInterval: Duration = .seconds(5)

    /// Time between two looks at the checks; never below `minimumPollInterval`.
    public var pollInterval: Duration {
        didSet { pollInterval = max(pollInterval, Self.minimumPollInterval) }
    }
    /// How long to watch in total before ending with `timeout`.
    public var timeout: Duration
    /// Whether to ask the heal hook to fix failing checks.
    public var heal: Bool
    /// How many heal attempts one run may make.
    public var maxHeal: Int
    /// Whether to merge a pull request whose checks passed.
    public var autoMerge: Bool
    /// Whether the task's autonomy level permits merging; `autoMerge` alone is not enough.
    public var autonomyAllowsMerge: Bool
    /// How long an empty rollup is waited on (checks take a while to register after a push)
    /// before the run ends with `no_checks`.
    public var noChecksGrace: Duration

    public init(
        pollInterval: Duration = .seconds(45), timeout: Duration = .seconds(1200), heal: Bool = false, maxHeal: Int = 2,
        autoMerge: Bool = false, autonomyAllowsMerge: Bool = false, noChecksGrace: Duration = .seconds(300)
    ) {
        self.pollInterval = max(pollInterval, Self.minimumPollInterval)
        self.timeout = timeout
        self.heal = heal
        self.maxHeal = max(0, maxHeal)
        self.autoMerge = autoMerge
        self.autonomyAllowsMerge = autonomyAllowsMerge
        self.noChecksGrace = noChecksGrace
    }
}
