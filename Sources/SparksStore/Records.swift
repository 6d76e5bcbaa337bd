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
