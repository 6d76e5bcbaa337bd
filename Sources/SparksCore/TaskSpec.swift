import Foundation

/// One unit of work handed to a spark.
public struct TaskSpec: Sendable, Hashable {
    public var id: UUID
    public var goal: String
    public var context: String?
    public var spark: String
    /// Absolute path of the repository the spark works on.
    public var repository: String
    /// The work stream the task belongs to (`delivery`, `scheduling`, `feature`, …); with `repoLabel`
    /// and `risk` it forms the scope KPIs and spark selection are computed in.
    public var lane: String
    public var risk: String
    /// Higher runs first among queued tasks.
    public var priority: Int
    /// Who asked for it: `cli`, `chat`, `schedule`, `feature`, `api`, …
    public var source: String
    /// The repository's short name for KPI scopes (default: the last path component).
    public var repoLabel: String
    /// A command whose exit code decides whether the work is accepted (else the spark's own).
    public var verify: String?
    /// False when the spark was chosen by KPI-driven selection rather than named by the requester.
    public var sparkExplicit: Bool
    /// Stop the task after this many seconds (else the configured default).
    public var waitSecs: Int?
    /// How many times the task may be started (retries after transient failures and interruptions).
    public var maxAttempts: Int
    /// The task that delegated this one (a coordinator's sub-goal), if any.
    public var parentID: UUID?
    /// The branch or commit the task's worktree starts from (default: the repository's HEAD).
    public var baseRef: String?
    /// The coding CLI (`claude_code`, `codex`, `opencode`) the `coding_cli` tool prefers for this task.
    public var cliTool: String?

    public init(id: UUID = UUID(), goal: String, context: String? = nil, spark: String, repository: String,
                lane: String = "delivery", risk: String = "medium", priority: Int = 0, source: String = "cli",
                repoLabel: String? = nil, verify: String? = nil, sparkExplicit: Bool = true, waitSecs: Int? = nil,
                maxAttempts: Int = 3, parentID: UUID? = nil, baseRef: String? = nil, cliTool: String? = nil) {
        self.id = id
        self.goal = goal
        self.context = context
        self.spark = spark
        self.repository = repository
        self.lane = lane
        self.risk = risk
        self.priority = priority
        self.source = source
        self.repoLabel = repoLabel ?? TaskSpec.defaultRepoLabel(repository)
        self.verify = verify
        self.sparkExplicit = sparkExplicit
        self.waitSecs = waitSecs
        self.maxAttempts = maxAttempts
        self.parentID = parentID
        self.baseRef = baseRef
        self.cliTool = cliTool
    }

    /// The repository's directory name, as the original's KPI scopes use it.
    public static func defaultRepoLabel(_ repository: String) -> String {
        let name = (repository as NSString).lastPathComponent
        return name.isEmpty ? "/" : name
    }

    /// Lanes a request may name.
    public static let lanes = ["delivery", "self_improvement", "ticket_intake", "scheduling", "reentry", "feature"]
    /// Risk tiers, lowest first.
    public static let risks = ["low", "medium", "high", "critical"]
}

/// Where a task is in its life.
public enum TaskStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting in the queue for a slot.
    case queued
    case running
    case succeeded
    case failed
    /// The process that ran it died (crash, kill, power loss) before it finished.
    case interrupted
    /// Someone cancelled it.
    case cancelled

    public var isTerminal: Bool { self != .running && self != .queued }
}

/// How a task ended.
public struct TaskOutcome: Sendable, Hashable {
    public var taskID: UUID
    public var status: TaskStatus
    /// Why it ended, when it did not simply succeed.
    public var reason: ReasonCode?
    /// The spark's final answer, or the best summary available.
    public var summary: String
    public var error: String?
    public var steps: Int
    public var usage: TokenUsage
    public var durationMs: Int
    /// The verify command's exit code (nil when no verify command ran). This, not the model's
    /// words, is what KPIs count as a verification.
    public var verifyExitCode: Int?
    /// The failure may pass if the task runs again later (the provider was overloaded, rate
    /// limited or timed out); the queue retries such a task with a backoff. Not stored.
    public var retryable: Bool

    public init(taskID: UUID, status: TaskStatus, reason: ReasonCode? = nil, summary: String, error: String? = nil,
                steps: Int, usage: TokenUsage, durationMs: Int, verifyExitCode: Int? = nil, retryable: Bool = false) {
        self.taskID = taskID
        self.status = status
        self.reason = reason
        self.summary = summary
        self.error = error
        self.steps = steps
        self.usage = usage
        self.durationMs = durationMs
        self.verifyExitCode = verifyExitCode
        self.retryable = retryable
    }
}
