import Foundation

/// The ledgers a feature run leaves behind, one JSON and one Markdown file each.
public enum LedgerKind: String, Sendable, Hashable, Codable, CaseIterable {
    case dispatch = "feature"
    case verify = "feature-verify"
    case promote = "feature-promote"
    case gate = "feature-gate"

    /// The file name prefix (`feature-verify`), which is also the `ledger` field of the JSON.
    public var filePrefix: String { rawValue }
}

/// A ledger `LedgerWriter` can write as JSON and Markdown.
public protocol FeatureLedger: Codable, Sendable {
    static var kind: LedgerKind { get }
    var featureID: String { get }
    /// When the ledger was made; it names the files.
    var recordedAt: Date { get }
    /// `Self.kind`, stored so that the JSON says which ledger it is.
    var ledger: LedgerKind { get }
    /// The ledger as a readable Markdown document.
    func markdown() -> String
}

/// How one contract task ended in a dispatch.
public enum FeatureTaskStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case succeeded, failed
    /// Not run because a task it depends on did not succeed.
    case blocked
    /// Not run: the dispatch stopped early (no --continue-on-failure) or was a dry run.
    case skipped
    case cancelled
}

/// The overall result of a dispatch, by precedence: failed > blocked > partial > verify_failed > succeeded.
public enum FeatureDispatchStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case succeeded
    /// Tasks only failed because their `verify` command did.
    case verifyFailed = "verify_failed"
    /// Some tasks were skipped, cancelled or never recorded; none failed or was blocked.
    case partial
    case blocked
    case failed
}

/// One contract task in a dispatch ledger.
public struct FeatureTaskRecord: Sendable, Hashable, Codable {
    public static let summaryLimit = 500

    /// The contract's task id (`T2`).
    public var taskID: String
    /// The Sparks task that ran it, when one was started.
    public var sparksTaskID: UUID?
    public var status: FeatureTaskStatus
    public var attempts: Int
    public var spark: String?
    public var branch: String?
    /// The spark's summary, at most 500 characters (longer text is cut when set).
    public var summary: String {
        didSet { if summary.count > Self.summaryLimit { summary = Self.truncated(summary) } }
    }
    /// The exit code of the task's `verify` command, when it ran.
    public var verifyExitCode: Int?
    public var error: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var durationSecs: Double

    public init(taskID: String, sparksTaskID: UUID? = nil, status: FeatureTaskStatus, attempts: Int = 0,
                spark: String? = nil, branch: String? = nil, summary: String = "", verifyExitCode: Int? = nil,
                error: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil, durationSecs: Double = 0) {
        self.taskID = taskID
        self.sparksTaskID = sparksTaskID
        self.status = status
        self.attempts = attempts
        self.spark = spark
        self.branch = branch
        self.summary = Self.truncated(summary)
        self.verifyExitCode = verifyExitCode
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSecs = durationSecs
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", sparksTaskID = "sparks_task_id", status, attempts, spark, branch, summary
        case verifyExitCode = "verify_exit_code", error, startedAt = "started_at", finishedAt = "finished_at"
        case durationSecs = "duration_secs"
    }

    /// True for a task that failed only because its verify command exited non-zero.
    public var failedVerification: Bool {
        status == .failed && (verifyExitCode ?? 0) != 0
    }

    /// `text` cut to `summaryLimit` characters, the last one an ellipsis when cut.
    public static func truncated(_ text: String) -> String {
        text.count <= summaryLimit ? text : String(text.prefix(summaryLimit - 1)) + "…"
    }
}

/// What `feature dispatch` did: every task's outcome, in plan order.
public struct FeatureDispatchLedger: FeatureLedger, Hashable {
    public static let kind = LedgerKind.dispatch

    public private(set) var ledger = LedgerKind.dispatch

    public var featureID: String
    public var contractFile: String?
    public var startedAt: Date
    public var finishedAt: Date
    /// The plan the dispatch followed: every enabled task, batch by batch.
    public var batches: [[String]] {
        didSet { status = Self.status(of: tasks, expected: batches.flatMap { $0 }) }
    }
    public var tasks: [FeatureTaskRecord] {
        didSet { status = Self.status(of: tasks, expected: batches.flatMap { $0 }) }
    }
    /// Derived from `tasks` and `batches` (kept in the JSON for readers of the file).
    public private(set) var status: FeatureDispatchStatus
    public var dryRun: Bool
    /// The repository the feature is for, and the clone and branch its tasks' work was merged
    /// into (what `feature verify` checks and `feature promote` merges).
    public var repository: String?
    public var integrationPath: String?
    public var integrationBranch: String?

    public init(featureID: String, contractFile: String? = nil, startedAt: Date, finishedAt: Date,
                batches: [[String]], tasks: [FeatureTaskRecord], dryRun: Bool = false) {
        self.featureID = featureID
        self.contractFile = contractFile
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.batches = batches
        self.tasks = tasks
        self.dryRun = dryRun
        self.status = Self.status(of: tasks, expected: batches.flatMap { $0 })
    }

    enum CodingKeys: String, CodingKey {
        case ledger, featureID = "feature_id", contractFile = "contract_file", startedAt = "started_at"
        case finishedAt = "finished_at", batches, tasks, status, dryRun = "dry_run"
        case repository, integrationPath = "integration_path", integrationBranch = "integration_branch"
    }

    public var recordedAt: Date { finishedAt }

    public func record(for taskID: String) -> FeatureTaskRecord? { tasks.first { $0.taskID == taskID } }

    /// The overall status: failed (a task failed other than by its verify command) > blocked >
    /// partial (skipped, cancelled or unrecorded tasks) > verify_failed > succeeded.
    public static func status(of tasks: [FeatureTaskRecord], expected: [String]) -> FeatureDispatchStatus {
        let recorded = Set(tasks.map(\.taskID))
        if tasks.contains(where: { $0.status == .failed && !$0.failedVerification }) { return .failed }
        if tasks.contains(where: { $0.status == .blocked }) { return .blocked }
        if tasks.contains(where: { $0.status == .skipped || $0.status == .cancelled })
            || expected.contains(where: { !recorded.contains($0) }) {
            return .partial
        }
        if tasks.contains(where: \.failedVerification) { return .verifyFailed }
        return .succeeded
    }

    /// Why this dispatch does not allow promotion, as stable codes: `task_failed:T2`,
    /// `task_verify_failed:T2`, `task_blocked:T3`, `task_skipped:T4`, `task_cancelled:T5`,
    /// `task_missing:T6` (an enabled task with no record), `criterion_uncovered:AC1` (no enabled task
    /// maps it), `criterion_incomplete:AC2` (a task mapping it did not succeed). Empty when promotable.
    public func blockers(for contract: FeatureContract) -> [String] {
        var reasons: [String] = []
        var succeeded: Set<String> = []
        var judged: Set<String> = []
        for task in contract.enabledTasks where judged.insert(task.id).inserted {
            guard let record = record(for: task.id) else {
                reasons.append("task_missing:\(task.id)")
                continue
            }
            switch record.status {
            case .succeeded: succeeded.insert(task.id)
            case .failed: reasons.append("\(record.failedVerification ? "task_verify_failed" : "task_failed"):\(task.id)")
            case .blocked, .skipped, .cancelled: reasons.append("task_\(record.status.rawValue):\(task.id)")
            }
        }
        let coverage = ContractPlanner.taskCoverage(of: contract)
        var seen: Set<String> = []
        for criterion in contract.acceptanceCriteria where seen.insert(criterion.id).inserted {
            let covering = coverage[criterion.id, default: []]
            if covering.isEmpty {
                reasons.append("criterion_uncovered:\(criterion.id)")
            } else if !covering.allSatisfy(succeeded.contains) {
                reasons.append("criterion_incomplete:\(criterion.id)")
            }
        }
        return reasons
    }
}

/// What `feature verify` found.
public struct FeatureVerifyLedger: FeatureLedger, Hashable {
    public static let kind = LedgerKind.verify

    public private(set) var ledger = LedgerKind.verify

    public var featureID: String
    public var contractFile: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var report: VerifyReport

    public init(report: VerifyReport, contractFile: String? = nil, startedAt: Date, finishedAt: Date) {
        self.featureID = report.featureID
        self.contractFile = contractFile
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.report = report
    }

    enum CodingKeys: String, CodingKey {
        case ledger, featureID = "feature_id", contractFile = "contract_file", startedAt = "started_at"
        case finishedAt = "finished_at", report
    }

    public var recordedAt: Date { finishedAt }
}

/// What `feature promote` decided, and on which ledgers.
public struct FeaturePromoteLedger: FeatureLedger, Hashable {
    public static let kind = LedgerKind.promote

    public private(set) var ledger = LedgerKind.promote

    public var featureID: String
    public var recordedAt: Date
    public var decision: PromotionDecision
    public var dispatchLedger: String?
    public var verifyLedger: String?
    /// Who approved a promotion that needed approval; nil when none was given.
    public var approvedBy: String?
    /// Whether the feature was promoted (auto, or approved).
    public var promoted: Bool

    public init(decision: PromotionDecision, recordedAt: Date, dispatchLedger: String? = nil,
                verifyLedger: String? = nil, approvedBy: String? = nil, promoted: Bool) {
        self.featureID = decision.featureID
        self.recordedAt = recordedAt
        self.decision = decision
        self.dispatchLedger = dispatchLedger
        self.verifyLedger = verifyLedger
        self.approvedBy = approvedBy
        self.promoted = promoted
    }

    enum CodingKeys: String, CodingKey {
        case ledger, featureID = "feature_id", recordedAt = "recorded_at", decision, dispatchLedger = "dispatch_ledger"
        case verifyLedger = "verify_ledger", approvedBy = "approved_by", promoted
    }
}

/// `feature gate`: dispatch, verify and promotion in one record, with the paths of their ledgers.
public struct FeatureGateLedger: FeatureLedger, Hashable {
    public static let kind = LedgerKind.gate

    public private(set) var ledger = LedgerKind.gate

    public var featureID: String
    public var recordedAt: Date
    public var dispatchStatus: FeatureDispatchStatus
    public var verifyProfile: CheckProfile
    public var verifyPromotable: Bool
    public var decision: PromotionDecision
    public var dispatchLedger: String?
    public var verifyLedger: String?
    public var promoteLedger: String?

    public init(dispatch: FeatureDispatchLedger, verify: VerifyReport, decision: PromotionDecision, recordedAt: Date,
                dispatchLedger: String? = nil, verifyLedger: String? = nil, promoteLedger: String? = nil) {
        self.featureID = decision.featureID
        self.recordedAt = recordedAt
        self.dispatchStatus = dispatch.status
        self.verifyProfile = verify.profile
        self.verifyPromotable = verify.promotable
        self.decision = decision
        self.dispatchLedger = dispatchLedger
        self.verifyLedger = verifyLedger
        self.promoteLedger = promoteLedger
    }

    enum CodingKeys: String, CodingKey {
        case ledger, featureID = "feature_id", recordedAt = "recorded_at", dispatchStatus = "dispatch_status"
        case verifyProfile = "verify_profile", verifyPromotable = "verify_promotable", decision
        case dispatchLedger = "dispatch_ledger", verifyLedger = "verify_ledger", promoteLedger = "promote_ledger"
    }
}
