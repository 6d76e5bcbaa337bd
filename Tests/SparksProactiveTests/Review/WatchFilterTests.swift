import Foundation
import SparksProactive
import Testing

@Suite struct WatchFilterTests {
    let zone = ReviewFixtures.berlin

    @Test func defaultsToFiveMinutes() {
        let watch = WatchFilter(timeZone: zone)
        #expect(watch.seconds == 300)
        #expect(watch.note == nil)
        #expect(watch.deadline(from: ReviewFixtures.start) == ReviewFixtures.at(300))
    }

    @Test func longWatchesAreClampedWithANote() {
        let watch = WatchFilter(seconds: 7200, timeZone: zone)
        #expect(watch.seconds == 3600)
        #expect(watch.note == "Watching for 3600 s, the maximum (asked for 7200 s).")
        #expect(WatchFilter(seconds: 3600, timeZone: zone).note == nil)
        #expect(WatchFilter(seconds: 0, timeZone: zone).seconds == 1)
        #expect(WatchFilter(seconds: 0, timeZone: zone).note != nil)
    }

    @Test func parsesTheCommand() throws {
        #expect(try WatchFilter(parsing: "/watch", timeZone: zone).seconds == 300)
        #expect(try WatchFilter(parsing: "/watch 600", timeZone: zone).seconds == 600)
        #expect(try WatchFilter(parsing: "/watch@sparks_bot 9000", timeZone: zone).seconds == 3600)
        #expect(try WatchFilter(parsing: "45", timeZone: zone).seconds == 45)
    }

    @Test(arguments: ["/watch soon", "/watch -5", "/watch 0", "/watch 10 20", "/watch 1.5"])
    func refusesWhatIsNotSeconds(text: String) {
        let error = #expect(throws: ReviewError.self) { try WatchFilter(parsing: text, timeZone: zone) }
        #expect(error?.code == .watchInvalid)
        #expect(error?.field == "seconds")
    }

    @Test func rendersOneLinePerEntryInTimeOrder() {
        let lines = WatchFilter(timeZone: zone).lines(for: ReviewFixtures.session.reversed())
        #expect(
            lines == [
                "09:00:00 chat_in - Please fix the build",
                "09:00:01 routing coder routed to coder",
                "09:00:02 task_started coder Fix the build",
                "09:00:03 tool_run coder shell",
                "09:00:04 tool_run coder file_edit",
                "09:00:05 task_finished coder Build fixed",
                "09:00:06 chat_out - Done: the build is fixed.",
            ])
    }

    @Test func aRuleFiltersTheLines() {
        let rule = ReviewFixtures.rule(pattern: "denied", target: .toolOutput)
        let watch = WatchFilter(rule: rule, timeZone: zone)
        #expect(watch.lines(for: ReviewFixtures.session) == ["09:00:04 tool_run coder file_edit"])
        #expect(!watch.accepts(ReviewFixtures.session[0]))
    }

    @Test func htmlLinesAreEscapedAndMultiLineSummariesFlattened() {
        let entry = ActivityEntry(
            id: 1, at: ReviewFixtures.start, session: "s", kind: .chatIn, summary: "a <b>\nc")
        #expect(WatchFilter(timeZone: zone, format: .telegramHTML).lines(for: [entry]) == ["09:00:00 chat_in - a &lt;b&gt; c"])
    }
}
