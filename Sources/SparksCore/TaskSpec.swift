import Foundation

/// One unit of work handed to a spark.
public struct TaskSpec: Sendable, Hashable {
    public var id: UUID
    public var goal: String
    public var context: String?
    public var spark: String
    /// Absolute path of the repository the spark works on.
    public var repository: String
    public var lane: String
    public var risk: String

    public init(id: UUID = UUID(), goal: String, context: String? = nil, spark: String, repository: String,
                lane: String = "delivery", risk: String = "medium") {
        self.id = id
        self.goal = goal
        self.context = context
        self.spark = spark
        self.repository = repository
        self.lane = lane
        self.risk = risk
    }
}

/// Where a task is in its life.
public enum TaskStatus: String, Sendable, Codable, CaseIterable {
    case running
    case succeeded
    case failed
    /// The process that ran it died (crash, kill, power loss) before it finished.
    case interrupted

    public var isTerminal: Bool { self != .running }
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

    public init(taskID: UUID, status: TaskStatus, reason: ReasonCode? = nil, summary: String, error: String? = nil,
                steps: Int, usage: TokenUsage, durationMs: Int) {
        self.taskID = taskID
        self.status = status
        self.reason = reason
        self.summary = summary
        self.error = error
        self.steps = steps
        self.usage = usage
        self.durationMs = durationMs
    }
}
