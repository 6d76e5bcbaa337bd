import Foundation
import SparksCore
import Synchronization

/// One task's trace: the task (trace id = the task id), a span for the spark's run, a generation
/// per model call (model, usage, latency, input and output truncated and redacted), a span per
/// tool call and one for verification — sent to every configured sink (Langfuse, OTLP).
public struct TaskTrace: Sendable {
    public let sinks: [any TraceSink]
    public let traceID: String
    /// The root span (the task).
    public let taskSpanID: String
    /// The span of the spark's run; generations and tool spans hang below it.
    public let runSpanID: String
    let redactor: Redactor
    static let textLimit = 2000
    private let started = StartTimes()

    public init(sinks: [any TraceSink], taskID: UUID, redactor: Redactor) {
        self.sinks = sinks
        self.traceID = TraceSpan.traceID(of: taskID)
        self.taskSpanID = TraceSpan.newSpanID()
        self.runSpanID = TraceSpan.newSpanID()
        self.redactor = redactor
    }

    func text(_ value: String) -> String {
        let redacted = redactor.redact(value)
        return redacted.count > Self.textLimit ? String(redacted.prefix(Self.textLimit)) + "…" : redacted
    }

    private func send(_ span: TraceSpan) {
        for sink in sinks { sink.record(span) }
    }

    private func span(_ kind: TraceSpan.Kind, id: String, parent: String?, name: String, start: Date) -> TraceSpan {
        TraceSpan(traceID: traceID, spanID: id, parentID: parent, kind: kind, name: name, start: start)
    }

    public func start(task: TaskSpec, at date: Date = Date()) {
        started.set(date)
        var root = span(.task, id: taskSpanID, parent: nil, name: task.id.uuidString.lowercased(), start: date)
        root.input = text(task.goal)
        root.attributes = ["repository": .string(task.repoLabel), "lane": .string(task.lane), "risk": .string(task.risk),
                           "spark": .string(task.spark), "source": .string(task.source)]
        send(root)
        var run = span(.run, id: runSpanID, parent: taskSpanID, name: task.spark, start: date)
        run.input = root.input
        send(run)
    }

    /// One model call.
    public func generation(step: Int, model: String, input: String, output: String, usage: TokenUsage, estimated: Bool,
                           start: Date, end: Date) {
        var generation = span(.generation, id: TraceSpan.newSpanID(), parent: runSpanID, name: "llm_step_\(step)", start: start)
        generation.end = end
        generation.model = model
        generation.input = text(input)
        generation.output = text(output)
        generation.usage = usage
        generation.usageEstimated = estimated
        generation.attributes = ["latency_ms": .number((end.timeIntervalSince(start) * 1000).rounded())]
        send(generation)
    }

    /// One tool call (`name` is the tool's), or the verification (`verify`).
    public func span(name: String, input: String, output: String, ok: Bool, start: Date, end: Date, parent: String? = nil) {
        let kind: TraceSpan.Kind = name == "verify" ? .verify : .tool
        var child = span(kind, id: TraceSpan.newSpanID(), parent: parent ?? runSpanID,
                         name: name.hasPrefix("tool:") ? String(name.dropFirst(5)) : name, start: start)
        child.end = end
        child.input = text(input)
        child.output = text(output)
        child.ok = ok
        send(child)
    }

    /// Ends the run span and the task.
    public func finish(_ outcome: TaskOutcome, spark: String, at date: Date = Date()) {
        let start = started.get() ?? date
        var run = span(.run, id: runSpanID, parent: taskSpanID, name: spark, start: start)
        run.end = date
        run.output = text(outcome.summary)
        run.ok = outcome.status == .succeeded
        send(run)
        var root = span(.task, id: taskSpanID, parent: nil, name: outcome.taskID.uuidString.lowercased(), start: start)
        root.end = date
        root.output = run.output
        root.ok = run.ok
        root.attributes = [
            "status": .string(outcome.status.rawValue), "reason": outcome.reason.map { .string($0.rawValue) } ?? .null,
            "steps": .number(Double(outcome.steps)), "duration_ms": .number(Double(outcome.durationMs)),
            "prompt_tokens": .number(Double(outcome.usage.promptTokens)),
            "completion_tokens": .number(Double(outcome.usage.completionTokens)),
            "verify_exit_code": outcome.verifyExitCode.map { .number(Double($0)) } ?? .null,
        ]
        send(root)
    }
}

/// When the trace started (set once, read at the end), shared by the copies of a `TaskTrace`.
private final class StartTimes: Sendable {
    private let value = Mutex<Date?>(nil)
    func set(_ date: Date) { value.withLock { $0 = date } }
    func get() -> Date? { value.withLock { $0 } }
}
