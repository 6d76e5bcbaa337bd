import Foundation
import SparksProactive
import Testing

@Suite struct TaskReviewTests {
    let review = TaskReview(timeZone: ReviewFixtures.berlin)

    @Test func rendersOneTaskWithItsToolTree() {
        // Another task's rows are in the log too and must stay out.
        let other = [
            ActivityEntry(
                id: 20, at: ReviewFixtures.at(3), session: "auto", kind: .taskStarted, spark: "scout", taskID: "t2",
                summary: "Scan"),
            ActivityEntry(
                id: 21, at: ReviewFixtures.at(4), session: "auto", kind: .toolRun, parentID: 20, summary: "",
                toolName: "grep", ok: true),
        ]
        let text = review.render(taskID: "t1", entries: ReviewFixtures.session + other)
        // Tool run 5 carries no task id; it belongs to t1 through its parent row.
        #expect(
            text == """
                Task t1 [coder]: succeeded in 3.0s
                Goal: Fix the build
                Period: 2025-03-01 09:00:02 → 09:00:05 (3s)
                Tools: 2 runs, 1 failed

                Execution
                09:00:02 task_started [coder] Fix the build
                    task: t1
                  09:00:03 tool_run [coder] shell ok (1.2s)
                      input: cargo build
                      output: Compiling sparks
                        Finished
                  09:00:04 tool_run [coder] file_edit failed (80ms)
                      input: src/main.rs
                      output: error: permission denied
                09:00:05 task_finished [coder] Build fixed (3.0s)
                """)
    }

    @Test func failedAndRunningTasksSaySo() {
        var failed = Array(ReviewFixtures.session[2...4])
        failed.append(
            ActivityEntry(
                id: 6, at: ReviewFixtures.at(5), session: "s", kind: .taskFailed, spark: "coder", taskID: "t1",
                summary: "gave up", ok: false))
        #expect(review.render(taskID: "t1", entries: failed).hasPrefix("Task t1 [coder]: failed\n"))

        let running = Array(ReviewFixtures.session[2...4])
        #expect(review.render(taskID: "t1", entries: running).hasPrefix("Task t1 [coder]: running\n"))
    }

    @Test func unknownTaskHasNoActivity() {
        #expect(review.render(taskID: "nope", entries: ReviewFixtures.session) == "No activity recorded for task nope.")
    }

    @Test func telegramHTMLEscapesTheTaskText() {
        let html = TaskReview(timeZone: ReviewFixtures.berlin, format: .telegramHTML)
            .render(
                taskID: "<t1>",
                entries: [
                    ActivityEntry(
                        id: 1, at: ReviewFixtures.start, session: "s", kind: .taskStarted, taskID: "<t1>",
                        summary: "a & b")
                ])
        #expect(html.hasPrefix("<b>Task &lt;t1&gt;</b>: running\nGoal: a &amp; b\n"))
    }
}
