import Foundation

/// Something that happened while a task ran, reported to whoever started it (CLI progress lines
/// today; the event stream and traces later).
public enum TaskEvent: Sendable {
    case started(taskID: UUID, spark: String, repository: String)
    /// The task's own clone is ready; `sandbox` names the backend its processes run in.
    case workspaceReady(path: String, branch: String, sandbox: String)
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
