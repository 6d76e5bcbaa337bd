import Foundation

/// Renders what one autonomous task did: its outcome, goal, tools and the full execution tree.
///
/// Deterministic in the same way as `SessionReview`: time order, injected time zone, no clock.
public struct TaskReview: Sendable {
    public var timeZone: TimeZone
    public var format: ReviewFormat

    public init(timeZone: TimeZone, format: ReviewFormat = .plain) {
        self.timeZone = timeZone
        self.format = format
    }

    /// The review of task `taskID`, picked out of `entries`: the rows carrying that task id and
    /// everything linked below them through `parentID` (tool runs need not repeat the task id).
    ///
    /// The status line reads `succeeded` or `failed` from the last finish/fail row, `running`
    /// when there is none yet.
    public func render(taskID: String, entries: [ActivityEntry]) -> String {
        let own = entries.filter { $0.taskID == taskID }
        let tree = ActivityTree(ActivityTree.subtree(of: own, in: entries))
        guard !tree.isEmpty else {
            return format.escape("No activity recorded for task \(taskID).")
        }
        let renderer = ReviewRenderer(timeZone: timeZone, format: format, entries: tree.ordered)
        let outcome = tree.ordered.last { $0.kind == .taskFinished || $0.kind == .taskFailed }
        var status: String
        switch outcome?.kind {
        case .taskFinished?: status = "succeeded"
        case .taskFailed?: status = "failed"
        default: status = "running"
        }
        if let ms = outcome?.durationMs { status += " in \(ReviewText.duration(ms: ms))" }

        var title = "Task \(taskID)"
        if let spark = tree.ordered.compactMap(\.spark).first(where: { !$0.isEmpty }) { title += " [\(spark)]" }
        var lines = [format.heading(title) + format.escape(": \(status)")]
        if let start = tree.ordered.first(where: { $0.kind == .taskStarted }) {
            lines.append(format.escape("Goal: \(ReviewText.oneLine(start.summary, limit: .max))"))
        }
        if let period = renderer.period(tree.ordered) { lines.append(format.escape(period)) }
        let runs = tree.ordered.filter { $0.kind == .toolRun }
        lines.append(format.escape("Tools: \(runs.isEmpty ? "none" : ReviewRenderer.toolCount(runs))"))
        lines += ["", format.heading("Execution")]
        lines += renderer.tree(tree)
        return lines.joined(separator: "\n")
    }
}
