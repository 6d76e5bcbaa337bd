import Foundation
import SparksProactive
import Testing

@Suite struct ActivityEntryTests {
    @Test func textAtTheLimitIsKept() {
        let text = String(repeating: "x", count: ActivityEntry.toolTextLimit)
        #expect(ActivityEntry.truncatedToolText(text) == text)
    }

    @Test func longerTextIsCutWithAMarker() {
        let text = String(repeating: "x", count: 2000) + "yz"
        let cut = ActivityEntry.truncatedToolText(text)
        #expect(cut == String(repeating: "x", count: 2000) + "… [truncated]")
    }

    @Test func cuttingCountsCharactersNotBytes() {
        // Each flag is one character of eight bytes; a byte cut would split one.
        let flags = String(repeating: "🇩🇪", count: 5)
        #expect(ActivityEntry.truncatedToolText(flags, limit: 3) == "🇩🇪🇩🇪🇩🇪" + ActivityEntry.truncationMarker)
    }

    @Test func truncatingCopyCutsInputAndOutputOnly() {
        let long = String(repeating: "i", count: 2500)
        let entry = ActivityEntry(
            id: 1, at: ReviewFixtures.start, session: "s", kind: .toolRun, summary: long, toolName: "shell",
            toolInput: long, toolOutput: "short")
        let cut = entry.truncatingToolText()
        #expect(cut.toolInput == String(repeating: "i", count: 2000) + ActivityEntry.truncationMarker)
        #expect(cut.toolOutput == "short")
        #expect(cut.summary == long)
    }

    @Test func kindsUseSnakeCaseRawValues() {
        #expect(
            ActivityKind.allCases.map(\.rawValue) == [
                "chat_in", "chat_out", "routing", "tool_run", "task_started", "task_finished", "task_failed", "pulse",
            ])
    }

    @Test func codableRoundTripUsesSnakeCaseKeys() throws {
        let entry = ReviewFixtures.session[3]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(entry)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"parent_id\":3"))
        #expect(json.contains("\"tool_name\":\"shell\""))
        #expect(json.contains("\"kind\":\"tool_run\""))
        #expect(json.contains("\"duration_ms\":1200"))
        #expect(try JSONDecoder().decode(ActivityEntry.self, from: data) == entry)
    }
}
