import Foundation

/// What an activity-log row records.
///
/// Raw values are the stored `event_type` strings and what alert rules on `event_type` match.
public enum ActivityKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A message from the user.
    case chatIn = "chat_in"
    /// A reply to the user.
    case chatOut = "chat_out"
    /// The manager's decision where a message goes (direct answer, spark, pipeline).
    case routing
    /// One tool call, with its (truncated) input and output.
    case toolRun = "tool_run"
    /// An autonomous task was dispatched; tool runs point at this row through `parentID`.
    case taskStarted = "task_started"
    /// An autonomous task succeeded.
    case taskFinished = "task_finished"
    /// An autonomous task failed.
    case taskFailed = "task_failed"
    /// A proactive message (pulse) was delivered.
    case pulse
}

/// One row of the session activity log: what happened, when, in which session and by which spark.
///
/// Tool runs link to the row of the task that ran them through `parentID`, which is what turns a
/// flat log into the execution trees of the detailed review.
public struct ActivityEntry: Sendable, Hashable, Codable, Identifiable {
    /// Most characters of tool input or output a row keeps (see `truncatedToolText(_:limit:)`).
    public static let toolTextLimit = 2000
    /// Appended to tool text that was cut short.
    public static let truncationMarker = "… [truncated]"

    /// The row id; ids grow with insertion order and break ties between equal timestamps.
    public var id: Int64
    public var at: Date
    /// The session key (chat id, `cli`, `autonomous`, …).
    public var session: String
    public var kind: ActivityKind
    /// The spark that acted, if any.
    public var spark: String?
    public var taskID: String?
    /// The row this one belongs under (a tool run's task-start row).
    public var parentID: Int64?
    /// One human-readable line.
    public var summary: String
    /// Longer text: the full answer, the error, the routing reason.
    public var detail: String?
    public var toolName: String?
    public var toolInput: String?
    public var toolOutput: String?
    public var durationMs: Int?
    /// For tool runs and tasks: whether it succeeded; nil when it does not apply.
    public var ok: Bool?

    public init(
        id: Int64, at: Date, session: String, kind: ActivityKind, spark: String? = nil,
        taskID: String? = nil, parentID: Int64? = nil, summary: String, detail: String? = nil,
        toolName: String? = nil, toolInput: String? = nil, toolOutput: String? = nil,
        durationMs: Int? = nil, ok: Bool? = nil
    ) {
        self.id = id
        self.at = at
        self.session = session
        self.kind = kind
        self.spark = spark
        self.taskID = taskID
        self.parentID = parentID
        self.summary = summary
        self.detail = detail
        self.toolName = toolName
        self.toolInput = toolInput
        self.toolOutput = toolOutput
        self.durationMs = durationMs
        self.ok = ok
    }

    // Snake case to match the stored columns and the JSON of `sparks review --json`.
    private enum CodingKeys: String, CodingKey {
        case id, at, session, kind, spark, summary, detail, ok
        case taskID = "task_id", parentID = "parent_id", toolName = "tool_name"
        case toolInput = "tool_input", toolOutput = "tool_output", durationMs = "duration_ms"
    }

    /// `text` cut to at most `limit` characters followed by `truncationMarker`, or unchanged when it
    /// fits.
    ///
    /// Counts characters (grapheme clusters), so a cut never splits a multi-byte character.
    public static func truncatedToolText(_ text: String, limit: Int = toolTextLimit) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit))) + truncationMarker
    }

    /// A copy whose tool input and output are cut to `limit` characters, as the log stores them.
    public func truncatingToolText(limit: Int = toolTextLimit) -> ActivityEntry {
        var copy = self
        copy.toolInput = toolInput.map { Self.truncatedToolText($0, limit: limit) }
        copy.toolOutput = toolOutput.map { Self.truncatedToolText($0, limit: limit) }
        return copy
    }
}
