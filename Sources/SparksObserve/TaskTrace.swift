import Foundation
import SparksCore

/// One task's trace in Langfuse: the trace (id = the task id), a span for the spark's run, a
/// generation per model call (model, usage, latency, input and output truncated and redacted), a
/// span per tool call and one for verification.
public struct TaskTrace: Sendable {
    public let exporter: LangfuseExporter
    public let traceID: String
    /// The span of the spark's run; generations and tool spans hang below it.
    public let runSpanID: String
    let redactor: Redactor
    static let textLimit = 2000

    public init(exporter: LangfuseExporter, taskID: UUID, redactor: Redactor) {
        self.exporter = exporter
        self.traceID = taskID.uuidString.lowercased()
        self.runSpanID = UUID().uuidString.lowercased()
        self.redactor = redactor
    }

    func text(_ value: String) -> JSONValue {
        let redacted = redactor.redact(value)
        return .string(redacted.count > Self.textLimit ? String(redacted.prefix(Self.textLimit)) + "…" : redacted)
    }

    static func time(_ date: Date) -> JSONValue { .string(ObservedEvent.timestampText(date)) }

    public func start(task: TaskSpec, at date: Date = Date()) {
        exporter.record(type: "trace-create", body: .object([
            "id": .string(traceID), "name": .string("task"), "timestamp": Self.time(date), "input": text(task.goal),
            "sessionId": .string(task.repoLabel), "userId": .string(task.source),
            "tags": .array([.string("sparks"), .string("spark:\(task.spark)"), .string("lane:\(task.lane)"), .string("risk:\(task.risk)")]),
            "metadata": .object(["repository": .string(task.repoLabel), "lane": .string(task.lane), "risk": .string(task.risk),
                                 "spark": .string(task.spark)]),
        ]), at: date)
        exporter.record(type: "span-create", body: .object([
            "id": .string(runSpanID), "traceId": .string(traceID), "name": .string("spark:\(task.spark)"),
            "startTime": Self.time(date), "input": text(task.goal),
        ]), at: date)
    }

    /// One model call.
    public func generation(step: Int, model: String, input: String, output: String, usage: TokenUsage, estimated: Bool,
                           start: Date, end: Date) {
        exporter.record(type: "generation-create", body: .object([
            "id": .string(UUID().uuidString.lowercased()), "traceId": .string(traceID), "parentObservationId": .string(runSpanID),
            "name": .string("llm_step_\(step)"), "model": .string(model), "startTime": Self.time(start), "endTime": Self.time(end),
            "input": text(input), "output": text(output),
            "usage": .object(["input": .number(Double(usage.promptTokens)), "output": .number(Double(usage.completionTokens)),
                              "total": .number(Double(usage.totalTokens)), "unit": .string("TOKENS")]),
            "metadata": .object(["usage_estimated": .bool(estimated), "latency_ms": .number(end.timeIntervalSince(start) * 1000)]),
        ]), at: end)
    }

    /// One tool call, or the verification (`verify`).
    public func span(name: String, input: String, output: String, ok: Bool, start: Date, end: Date, parent: String? = nil) {
        exporter.record(type: "span-create", body: .object([
            "id": .string(UUID().uuidString.lowercased()), "traceId": .string(traceID),
            "parentObservationId": .string(parent ?? runSpanID), "name": .string(name), "startTime": Self.time(start),
            "endTime": Self.time(end), "input": text(input), "output": text(output), "level": .string(ok ? "DEFAULT" : "ERROR"),
        ]), at: end)
    }

    /// Ends the run span and gives the trace its output.
    public func finish(_ outcome: TaskOutcome, at date: Date = Date()) {
        exporter.record(type: "span-update", body: .object([
            "id": .string(runSpanID), "traceId": .string(traceID), "endTime": Self.time(date), "output": text(outcome.summary),
            "level": .string(outcome.status == .succeeded ? "DEFAULT" : "ERROR"),
        ]), at: date)
        exporter.record(type: "trace-create", body: .object([
            "id": .string(traceID), "output": text(outcome.summary),
            "metadata": .object(["status": .string(outcome.status.rawValue), "reason": outcome.reason.map { .string($0.rawValue) } ?? .null,
                                 "steps": .number(Double(outcome.steps)), "duration_ms": .number(Double(outcome.durationMs)),
                                 "prompt_tokens": .number(Double(outcome.usage.promptTokens)),
                                 "completion_tokens": .number(Double(outcome.usage.completionTokens)),
                                 "verify_exit_code": outcome.verifyExitCode.map { .number(Double($0)) } ?? .null]),
        ]), at: date)
    }
}
