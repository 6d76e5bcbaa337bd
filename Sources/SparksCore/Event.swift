import Foundation

/// Something that happened while a task ran, reported to whoever started it (CLI progress lines
/// today; the event stream and traces later).
public enum TaskEvent: Sendable {
    /// The prompt scanner found something in the goal or context (`flag` or `block`).
    case scanned(decision: String, score: Int, rules: [String])
    /// KPI-driven selection chose the spark; `explanation` says why.
    case selected(spark: String, action: String, reasons: [String], explanation: String)
    /// The task is in the queue.
    case queued(taskID: UUID, spark: String)
    /// All slots are taken; the task waits (`running` tasks hold them).
    case waitingForSlot(running: Int)
    /// A transient failure; the task goes back to the queue and starts again at `notBefore`.
    case retrying(attempt: Int, notBefore: Date, reason: String)
    case started(taskID: UUID, spark: String, repository: String)
    /// The task's own clone is ready; `sandbox` names the backend its processes run in.
    case workspaceReady(path: String, branch: String, sandbox: String)
    /// A phase of the code strategy began: explore, execute, verify or heal.
    case phase(name: String, detail: String)
    case verifyStarted(command: String)
    case verifyFinished(passed: Bool, detail: String)
    case stepStarted(step: Int)
    case textDelta(String)
    case toolStarted(step: Int, name: String, arguments: String)
    case toolFinished(step: Int, name: String, ok: Bool, durationMs: Int, preview: String)
    case guardTripped(reason: ReasonCode, detail: String)
    case finished(TaskOutcome)
}

/// Receives task events. Must return quickly; it is called on the task's own path.
public typealias TaskEventSink = @Sendable (TaskEvent) -> Void
