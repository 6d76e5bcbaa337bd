import Foundation

/// What kind of thing happened. The raw values are the `category` of the event stream's JSON and
/// never change once published. Categories of the original's stream that Sparks has the behaviour
/// for keep its meaning (`startup`, `cron_tick`, `chat_in`, `chat_out`, `tool_usage`); the rest
/// are Sparks' own. A test checks that every category has an emit site.
public enum EventCategory: String, Sendable, Codable, CaseIterable {
    /// A daemon started or stopped.
    case startup
    /// The scheduler fired, skipped or disabled a job.
    case cronTick = "cron_tick"
    /// A chat message arrived.
    case chatIn = "chat_in"
    /// A chat answer went out.
    case chatOut = "chat_out"
    /// A tool call finished (ok or failed, with its duration), or the loop guard refused one.
    case toolUsage = "tool_usage"
    /// The prompt scanner flagged or blocked an input.
    case promptScan = "prompt_scan"
    /// The router decided how to handle a chat message.
    case routing
    /// KPI-driven selection chose a spark.
    case selection
    case taskQueued = "task_queued"
    case taskStarted = "task_started"
    /// The verify command ran; its exit code is in the details.
    case taskVerified = "task_verified"
    case taskFinished = "task_finished"
    /// A transient failure or a shutdown sent the task back to the queue.
    case taskRequeued = "task_requeued"
    /// A dead process left the task running; it was recovered.
    case taskInterrupted = "task_interrupted"
    case taskCancelRequested = "task_cancel_requested"
    /// A person threw the task's work away (a rollback for KPIs).
    case taskDiscarded = "task_discarded"
    /// A phase of the code strategy or the coordinator pipeline began.
    case taskPhase = "task_phase"
    /// The sandbox or a guard refused something a spark tried (a path, a URL, a tampered `.git`).
    case sandboxViolation = "sandbox_violation"
    case approvalRequested = "approval_requested"
    case approvalGranted = "approval_granted"
    case approvalDenied = "approval_denied"
    /// The autonomy level refused an action.
    case autonomyRefused = "autonomy_refused"
    /// A feature contract run, verification or promotion.
    case feature
    /// An MCP server started, crashed, restarted, changed its tools or was given up.
    case mcpServer = "mcp_server"
    /// A ticket was taken in, skipped, refused, or its result written back to the tracker.
    case ticket
    /// A proactive message (heartbeat, musing, alert, re-entry) was delivered or held back.
    case pulse
    /// A runtime knob changed while running.
    case knobChange = "knob_change"
    /// A self-metrics sample found an anomaly (or the anomaly cleared).
    case selfMetrics = "self_metrics"
    /// An alert rule matched the activity log.
    case alert
    /// An observer client fell behind and missed events (sent to that client only).
    case observerLagged = "observer_lagged"

    /// A short upper-case label for terminals, as the original's `sparks observe` printed.
    public var label: String {
        switch self {
        case .startup: "STARTUP"
        case .cronTick: "CRON"
        case .chatIn: "CHAT_IN"
        case .chatOut: "CHAT_OUT"
        case .toolUsage: "TOOL_USE"
        case .promptScan: "SCAN"
        case .routing: "ROUTE"
        case .selection: "SELECT"
        case .taskQueued: "QUEUED"
        case .taskStarted: "STARTED"
        case .taskVerified: "VERIFY"
        case .taskFinished: "FINISHED"
        case .taskRequeued: "REQUEUED"
        case .taskInterrupted: "INTERRUPTED"
        case .taskCancelRequested: "CANCEL"
        case .taskDiscarded: "DISCARDED"
        case .taskPhase: "PHASE"
        case .sandboxViolation: "VIOLATION"
        case .approvalRequested: "APPROVAL?"
        case .approvalGranted: "APPROVED"
        case .approvalDenied: "DENIED"
        case .autonomyRefused: "AUTONOMY"
        case .feature: "FEATURE"
        case .mcpServer: "MCP"
        case .ticket: "TICKET"
        case .pulse: "PULSE"
        case .knobChange: "KNOB"
        case .selfMetrics: "METRICS"
        case .alert: "ALERT"
        case .observerLagged: "LAGGED"
        }
    }
}

/// One event of the stream, in the stable JSON shape (version 1):
/// `{"v":1,"id":42,"ts":"2026-11-27T05:15:08.123Z","category":"task_queued","task_id":"…","spark":"coder",
///   "session":"cli:local","message":"…","details":{…}}` — absent fields are omitted.
public struct ObservedEvent: Sendable, Hashable {
    public static let version = 1

    /// Its row in the event log (increasing); 0 for an event not stored (e.g. `observer_lagged`).
    public var id: Int64
    public var timestamp: Date
    public var category: EventCategory
    public var taskID: UUID?
    public var spark: String?
    public var session: String?
    public var message: String
    public var details: JSONValue?

    public init(id: Int64 = 0, timestamp: Date = Date(), category: EventCategory, taskID: UUID? = nil, spark: String? = nil,
                session: String? = nil, message: String, details: JSONValue? = nil) {
        self.id = id
        self.timestamp = timestamp
        self.category = category
        self.taskID = taskID
        self.spark = spark
        self.session = session
        self.message = message
        self.details = details
    }

    /// The versioned JSON object, one line, keys sorted.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "v": .number(Double(Self.version)), "id": .number(Double(id)), "ts": .string(Self.timestampText(timestamp)),
            "category": .string(category.rawValue), "message": .string(message),
        ]
        if let taskID { object["task_id"] = .string(taskID.uuidString.lowercased()) }
        if let spark { object["spark"] = .string(spark) }
        if let session { object["session"] = .string(session) }
        if let details { object["details"] = details }
        return .object(object)
    }

    /// Reads the JSON shape back; nil for a line that is not an event of a known category.
    public init?(json: JSONValue) {
        guard let categoryText = json["category"]?.stringValue, let category = EventCategory(rawValue: categoryText),
              let message = json["message"]?.stringValue
        else { return nil }
        self.init(id: Int64(json["id"]?.doubleValue ?? 0),
                  timestamp: json["ts"]?.stringValue.flatMap(Self.parseTimestamp) ?? Date(timeIntervalSince1970: 0),
                  category: category, taskID: json["task_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
                  spark: json["spark"]?.stringValue, session: json["session"]?.stringValue, message: message,
                  details: json["details"])
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// UTC, with the date and milliseconds: `2026-11-27T05:15:08.123Z`.
    public static func timestampText(_ date: Date) -> String { date.formatted(style) }

    public static func parseTimestamp(_ text: String) -> Date? { try? style.parse(text) }
}
