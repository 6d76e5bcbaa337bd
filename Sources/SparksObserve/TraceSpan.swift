import Foundation
import SparksCore

/// One unit of a task's trace, independent of where it is sent: the task itself (the root), the
/// spark's run below it, and below the run a span per model call (a generation), tool call and
/// verification. Exporters (Langfuse, OpenTelemetry) translate it into their own shapes.
public struct TraceSpan: Sendable {
    public enum Kind: String, Sendable {
        case task, run, generation, tool, verify
    }

    /// 32 lowercase hex digits (the task id without dashes).
    public var traceID: String
    /// 16 lowercase hex digits.
    public var spanID: String
    public var parentID: String?
    public var kind: Kind
    /// The task id, the spark, the tool or the model, by kind.
    public var name: String
    public var start: Date
    /// Nil while the span is still open (sent once at its start, for exporters that show live work).
    public var end: Date?
    /// Redacted and truncated.
    public var input: String?
    public var output: String?
    public var ok = true
    public var model: String?
    public var usage: TokenUsage?
    /// True when the provider reported no usage and the numbers are estimates.
    public var usageEstimated = false
    /// Everything else worth filtering on (lane, risk, status, reason, steps, …).
    public var attributes: [String: JSONValue] = [:]

    public init(traceID: String, spanID: String, parentID: String?, kind: Kind, name: String, start: Date) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.kind = kind
        self.name = name
        self.start = start
    }

    /// A fresh random span id.
    public static func newSpanID() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
    }

    /// The trace id of a task: its id as 32 hex digits.
    public static func traceID(of taskID: UUID) -> String {
        taskID.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}

/// Somewhere spans go. `record` must only queue: it is called on the task's path.
public protocol TraceSink: Sendable {
    func record(_ span: TraceSpan)
}
