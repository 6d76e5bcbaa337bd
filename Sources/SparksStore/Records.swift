import Foundation
import SparksCore

/// A task as stored, with its outcome once it has one.
public struct TaskRecord: Sendable, Hashable {
    public var id: UUID
    public var goal: String
    public var context: String?
    public var spark: String
    public var repository: String
    public var lane: String
    public var risk: String
    public var status: TaskStatus
    public var steps: Int
    public var usage: TokenUsage
    public var createdAt: Date
    public var reason: ReasonCode?
    public var summary: String?
    public var error: String?
    public var durationMs: Int?
    public var finishedAt: Date?
    /// The task's own clone, its branch and starting commit, and the user's repository.
    public var workspace: String?
    public var branch: String?
    public var baseCommit: String?
    public var sourceRepository: String?
    public var appliedAt: Date?
    public var priority: Int = 0
    public var attempts: Int = 0
    public var maxAttempts: Int = 3
    public var source: String = "cli"
    public var repoLabel: String = ""
    public var verifyCommand: String?
    public var verifyExitCode: Int?
    public var rolledBack: Bool = false
    public var cancelRequested: Bool = false
    public var sparkExplicit: Bool = true
    public var waitSecs: Int?
    public var notBefore: Date?
    public var startedAt: Date?
    public var owner: String?
    public var parentID: UUID?
    public var baseRef: String?
    public var cliTool: String?

    /// The task as it was asked for, to run it (again).
    public var spec: TaskSpec {
        TaskSpec(id: id, goal: goal, context: context, spark: spark, repository: repository, lane: lane, risk: risk,
                 priority: priority, source: source, repoLabel: repoLabel, verify: verifyCommand,
                 sparkExplicit: sparkExplicit, waitSecs: waitSecs, maxAttempts: maxAttempts, parentID: parentID,
                 baseRef: baseRef, cliTool: cliTool)
    }
}

/// One start of a task: a task interrupted or retried has several.
public struct TaskAttempt: Sendable, Hashable {
    public var attempt: Int
    public var owner: String?
    public var status: String
    public var reason: String?
    public var detail: String?
    public var startedAt: Date
    public var finishedAt: Date?
}

/// How often a tool was used and how it went.
public struct ToolUsageRecord: Sendable, Hashable {
    public var toolName: String
    public var invocations: Int
    public var successes: Int
    public var failures: Int
    public var averageDurationMs: Double
    public var lastError: String?
}

/// Timestamps are stored as ISO 8601 text in UTC with milliseconds, which sorts as time does.
enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func string(_ date: Date) -> String { date.formatted(style) }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return try? style.parse(text)
    }
}
