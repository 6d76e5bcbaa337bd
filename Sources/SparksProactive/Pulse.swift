import Foundation

/// Something the assistant might say unprompted: a heartbeat thought, a memory it connected, a
/// re-entry into an earlier conversation, news from an autonomous task. `PulseGate` decides
/// whether it reaches the user.
public struct Pulse: Sendable, Hashable, Codable {
    /// What produced the pulse.
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        case heartbeat
        case memoryScan = "memory_scan"
        case idleMusing = "idle_musing"
        case conversationReentry = "conversation_reentry"
        case autonomousTask = "autonomous_task"
        /// A self-metrics anomaly.
        case selfMetrics = "self_metrics"
        /// An alert rule matched the activity log.
        case alert
    }

    /// How much the pulse matters, from "log it only" to "interrupt even at night".
    public enum Urgency: String, Sendable, Hashable, Codable, CaseIterable {
        /// Never delivered; kept for logs.
        case silent
        /// Delivered by chance (the user's tolerance), outside quiet hours, within the rate limit.
        case low
        /// Delivered outside quiet hours, within the rate limit.
        case medium
        /// Always delivered.
        case high
    }

    /// Where a delivered pulse goes.
    public enum Target: Sendable, Hashable, Codable {
        /// Every connected front end.
        case broadcast
        /// One chat session.
        case session(String)

        private enum CodingKeys: String, CodingKey {
            case kind
            case sessionID = "session_id"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(String.self, forKey: .kind) {
            case "broadcast":
                self = .broadcast
            case "session":
                self = .session(try container.decode(String.self, forKey: .sessionID))
            case let other:
                throw DecodingError.dataCorruptedError(
                    forKey: .kind, in: container,
                    debugDescription: "Unknown pulse target '\(other)': expected broadcast or session.")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .broadcast:
                try container.encode("broadcast", forKey: .kind)
            case .session(let id):
                try container.encode("session", forKey: .kind)
                try container.encode(id, forKey: .sessionID)
            }
        }
    }

    public var source: Source
    public var urgency: Urgency
    /// The text to show the user.
    public var content: String
    /// The spark (persona) speaking, when the pulse comes from one.
    public var spark: String?
    /// The task the pulse reports on, for autonomous-task pulses.
    public var taskID: String?
    public var target: Target

    public init(
        source: Source, urgency: Urgency, content: String, spark: String? = nil,
        taskID: String? = nil, target: Target = .broadcast
    ) {
        self.source = source
        self.urgency = urgency
        self.content = content
        self.spark = spark
        self.taskID = taskID
        self.target = target
    }

    private enum CodingKeys: String, CodingKey {
        case source, urgency, content, spark, target
        case taskID = "task_id"
    }
}
