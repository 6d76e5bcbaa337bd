import Foundation
import SparksProactive
import Testing

@Suite struct SessionReviewTests {
    let review = SessionReview(timeZone: ReviewFixtures.berlin)
    /// Reversed, so the tests also show the renderer puts entries in time order itself.
    let entries = Array(ReviewFixtures.session.reversed())

    @Test func summaryCountsKindsSparksTasksAndToolFailures() {
        #expect(review.render(entries, level: .summary) == ReviewFixtures.summaryText)
    }

    @Test func standardFoldsToolRunsIntoTheirTask() {
        let expected =
            ReviewFixtures.summaryText + """


                Timeline
                09:00:00 chat_in Please fix the build
                09:00:01 routing [coder] routed to coder
                09:00:02 task_started [coder] Fix the build — tools: 2 runs, 1 failed
                09:00:05 task_finished [coder] Build fixed (3.0s)
                09:00:06 chat_out Done: the build is fixed.
                """
        #expect(review.render(entries, level: .standard) == expected)
    }

    @Test func detailedNestsToolRunsUnderTheirTaskWithInputAndOutput() {
        let expected =
            ReviewFixtures.summaryText + """


                Details
                09:00:00 chat_in Please fix the build
                09:00:01 routing [coder] routed to coder
                    detail: needs code changes
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
                09:00:06 chat_out Done: the build is fixed.
                """
        #expect(review.render(entries, level: .detailed) == expected)
    }

    @Test func timesFollowTheInjectedTimeZone() {
        let utc = SessionReview(timeZone: TimeZone(identifier: "UTC")!)
        let text = utc.render(entries, level: .standard)
        #expect(text.contains("Period: 2025-03-01 08:00:00 → 08:00:06 (6s)"))
        #expect(text.contains("08:00:00 chat_in Please fix the build"))
    }

    @Test func entriesOverSeveralDaysShowTheDate() {
        let late = ActivityEntry(
            id: 8, at: ReviewFixtures.at(86_400 + 3600), session: "chat:42", kind: .chatIn, summary: "next day")
        let text = review.render(entries + [late], level: .standard)
        #expect(text.contains("Period: 2025-03-01 09:00:00 → 2025-03-02 10:00:00 (25h 00m)"))
        #expect(text.contains("2025-03-01 09:00:00 chat_in Please fix the build"))
        #expect(text.contains("2025-03-02 10:00:00 chat_in next day"))
    }

    @Test func emptyLogSaysSo() {
        #expect(review.render([], level: .detailed) == "Session review\nNo activity in this period.")
    }

    @Test func deeperTreesOrphansAndCyclesAreAllShownOnce() {
        let tree: [ActivityEntry] = [
            ActivityEntry(id: 1, at: ReviewFixtures.at(0), session: "s", kind: .taskStarted, summary: "task"),
            ActivityEntry(
                id: 2, at: ReviewFixtures.at(1), session: "s", kind: .toolRun, parentID: 1, summary: "",
                toolName: "delegate", ok: true),
            // A tool run started by another tool run: two levels under the task.
            ActivityEntry(
                id: 3, at: ReviewFixtures.at(2), session: "s", kind: .toolRun, parentID: 2, summary: "",
                toolName: "grep", ok: false),
            // Its parent is outside the window: shown as a root.
            ActivityEntry(
                id: 4, at: ReviewFixtures.at(3), session: "s", kind: .toolRun, parentID: 99, summary: "",
                toolName: "orphan"),
            // Two rows pointing at each other: corrupt, but still shown.
            ActivityEntry(id: 5, at: ReviewFixtures.at(4), session: "s", kind: .pulse, parentID: 6, summary: "a"),
            ActivityEntry(id: 6, at: ReviewFixtures.at(5), session: "s", kind: .pulse, parentID: 5, summary: "b"),
        ]
        let detailed = review.render(tree, level: .detailed).components(separatedBy: "\n")
        let details = Array(detailed.drop(while: { $0 != "Details" }).dropFirst())
        #expect(
            details == [
                "09:00:00 task_started task",
                "  09:00:01 tool_run delegate ok",
                "    09:00:02 tool_run grep failed",
                "09:00:03 tool_run orphan",
                "09:00:04 pulse a",
                "  09:00:05 pulse b",
            ])

        let standard = review.render(tree, level: .standard).components(separatedBy: "\n")
        let timeline = Array(standard.drop(while: { $0 != "Timeline" }).dropFirst())
        #expect(
            timeline == [
                "09:00:00 task_started task — tools: 2 runs, 1 failed",
                "09:00:03 tool_run orphan",
                "09:00:04 pulse a",
                "09:00:05 pulse b",
            ])
    }

    @Test func telegramHTMLEscapesLoggedTextAndBoldsHeadings() {
        var hostile = ReviewFixtures.session
        hostile[0].summary = "if a < b && c > d"
        hostile[3].toolOutput = "<script>alert(1)</script> & more"
        let html = SessionReview(timeZone: ReviewFixtures.berlin, format: .telegramHTML)
            .render(hostile, level: .detailed)
        #expect(html.hasPrefix("<b>Session review</b>\n"))
        #expect(html.contains("<b>Details</b>"))
        #expect(html.contains("chat_in if a &lt; b &amp;&amp; c &gt; d"))
        #expect(html.contains("output: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        // With the headings' tags gone, no markup character is left unescaped.
        let stripped = html.replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "")
        #expect(!stripped.contains("<"))
        #expect(!stripped.contains(">"))
        let ampersands = stripped.components(separatedBy: "&").dropFirst()
        #expect(ampersands.allSatisfy { $0.hasPrefix("amp;") || $0.hasPrefix("lt;") || $0.hasPrefix("gt;") })
    }

    @Test func plainFormatLeavesMarkupCharactersAlone() {
        var entries = ReviewFixtures.session
        entries[0].summary = "a < b & c"
        #expect(review.render(entries, level: .standard).contains("chat_in a < b & c"))
    }

    @Test func escapeHTMLReplacesTheThreeCharacters() {
        #expect(ReviewFormat.escapeHTML("<b>Tom & \"Jerry\"</b>") == "&lt;b&gt;Tom &amp; \"Jerry\"&lt;/b&gt;")
        #expect(ReviewFormat.plain.escape("<x>") == "<x>")
    }

    @Test func detailedCutsLongToolOutput() {
        var entries = ReviewFixtures.session
        entries[3].toolOutput = String(repeating: "a", count: 2000) + "TAIL"
        let text = review.render(entries, level: .detailed)
        #expect(text.contains("output: " + String(repeating: "a", count: 2000) + ActivityEntry.truncationMarker))
        #expect(!text.contains("TAIL"))
    }

    @Test func standardCutsLongSummariesToOneLine() {
        var entries = ReviewFixtures.session
        entries[0].summary = "first\nsecond " + String(repeating: "x", count: 300)
        let line = review.render(entries, level: .standard).components(separatedBy: "\n")
            .first { $0.hasPrefix("09:00:00") }
        let expectedSummary = String(("first second " + String(repeating: "x", count: 300)).prefix(160)) + "…"
        #expect(line == "09:00:00 chat_in " + expectedSummary)
    }
}
