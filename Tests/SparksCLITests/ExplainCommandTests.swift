import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `sparks explain` on tasks made for real: one routed from a chat message, one dispatched with
/// KPI selection and a verify command.
@Suite struct ExplainCommandTests {
    @Test func aChatTaskNamesItsRouteSelectionToolsAndVerification() async throws {
        let server = ScriptedLLMServer(replies: [
            .text(#"{"type": "complex", "spark": "coder", "goal": "create notes.txt saying hi", "context": ""}"#),
            .toolCall("file_write", #"{"path":"notes.txt","content":"hi\n"}"#),
            .text("Created notes.txt."),
            .toolCall("file_read", #"{"path":"notes.txt"}"#),
            .text("It says hi."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "explain-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "explain-repo")
        let sparks = SparksBinary(home: home, baseURL: server.baseURL)

        let chat = try await sparks.run(["chat", "-m", "please create notes.txt saying hi", "--repo", repo.path])
        #expect(chat.exitCode == 0, "stderr: \(chat.stderr)")
        let store = try SparksStore(path: home.path + "/sparks.db")
        let chatTask = try #require(try store.recentTasks(limit: 1).first)
        let explained = try await sparks.run(["explain", String(chatTask.id.uuidString.prefix(8))])
        #expect(explained.exitCode == 0, "stderr: \(explained.stderr)")
        #expect(explained.stdout.contains("Route: the chat message in session"), "\(explained.stdout)")
        #expect(explained.stdout.contains("complex → coder (classified)"))
        #expect(explained.stdout.contains("Spark: coder was named explicitly"))
        #expect(explained.stdout.contains("used file_write ×1"))
        #expect(explained.stdout.contains("Verification: none"))

        let dispatch = try await sparks.run(["dispatch", "--repo", repo.path, "--goal", "what does notes.txt say?",
                                             "--verify", "test -f README.md", "--risk", "low"])
        #expect(dispatch.exitCode == 0, "stderr: \(dispatch.stderr)")
        let task = try #require(try store.recentTasks(limit: 1).first)
        let json = try await sparks.run(["explain", task.id.uuidString, "--json"])
        let object = try #require(JSONValue.parse(json.stdout))
        #expect(object["routing"]?.stringValue?.contains("dispatched directly from cli") == true)
        #expect(object["selection"]?.stringValue?.contains("KPI-driven selection") == true, "\(json.stdout)")
        #expect(object["selection_reasons"]?.arrayValue?.isEmpty == false)
        #expect(object["verification_passed"] == true)
        #expect(object["verification"]?.stringValue?.contains("test -f README.md") == true)
        #expect(object["tools_used"]?.arrayValue?.first?["tool"] == "file_read")
    }
}
