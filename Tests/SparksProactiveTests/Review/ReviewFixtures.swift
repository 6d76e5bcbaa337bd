import Foundation
import SparksProactive

/// A small session: a chat turn that starts a task running two tools (one failing), then replies.
/// Times are 2025-03-01 09:00:00–09:00:06 in Europe/Berlin (08:00 UTC).
enum ReviewFixtures {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    /// 2025-03-01 08:00:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_740_816_000)

    static func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    static let session: [ActivityEntry] = [
        ActivityEntry(id: 1, at: at(0), session: "chat:42", kind: .chatIn, summary: "Please fix the build"),
        ActivityEntry(
            id: 2, at: at(1), session: "chat:42", kind: .routing, spark: "coder", summary: "routed to coder",
            detail: "needs code changes"),
        ActivityEntry(
            id: 3, at: at(2), session: "chat:42", kind: .taskStarted, spark: "coder", taskID: "t1",
            summary: "Fix the build"),
        ActivityEntry(
            id: 4, at: at(3), session: "chat:42", kind: .toolRun, spark: "coder", taskID: "t1", parentID: 3,
            summary: "", toolName: "shell", toolInput: "cargo build", toolOutput: "Compiling sparks\nFinished",
            durationMs: 1200, ok: true),
        ActivityEntry(
            id: 5, at: at(4), session: "chat:42", kind: .toolRun, spark: "coder", parentID: 3, summary: "",
            toolName: "file_edit", toolInput: "src/main.rs", toolOutput: "error: permission denied",
            durationMs: 80, ok: false),
        ActivityEntry(
            id: 6, at: at(5), session: "chat:42", kind: .taskFinished, spark: "coder", taskID: "t1",
            summary: "Build fixed", durationMs: 3000, ok: true),
        ActivityEntry(id: 7, at: at(6), session: "chat:42", kind: .chatOut, summary: "Done: the build is fixed."),
    ]

    static let summaryText = """
        Session review
        Period: 2025-03-01 09:00:00 → 09:00:06 (6s)
        Events: 7 — chat_in 1, chat_out 1, routing 1, tool_run 2, task_started 1, task_finished 1
        Sparks: coder
        Tasks: 1 started, 1 ok, 0 failed
        Tools: 2 runs, 1 failed — file_edit 1 (1 failed), shell 1
        """

    /// An entry whose every text field holds a distinct word, for per-target matching.
    static let tagged = ActivityEntry(
        id: 10, at: at(10), session: "s", kind: .taskFailed, spark: "sparkword", summary: "summaryword",
        detail: "detailword", toolName: "toolword", toolInput: "inputword", toolOutput: "outputword")

    static func rule(
        id: Int64 = 1, pattern: String, target: AlertTarget = .any, severity: AlertSeverity = .warning,
        enabled: Bool = true, silenceSeconds: Int = AlertRule.defaultSilenceSeconds
    ) -> AlertRule {
        // Fixture patterns are valid; a bad one should fail the test loudly, not be skipped.
        guard
            let rule = try? AlertRule(
                id: id, name: "rule\(id)", pattern: pattern, target: target, severity: severity,
                enabled: enabled, silenceSeconds: silenceSeconds)
        else { preconditionFailure("invalid fixture rule \(pattern)") }
        return rule
    }
}
