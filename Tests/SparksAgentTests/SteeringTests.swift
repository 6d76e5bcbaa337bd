import Foundation
import SparksAgent
import SparksCore
import SparksLLM
import SparksSandbox
import SparksTesting
import SparksTools
import Synchronization
import Testing

/// Small-model steering through the constrained JSON protocol, against the scripted server:
/// what the model is offered, and what the loop does with its mistakes.
@Suite struct SteeringTests {
    let editor = SparkDefinition.builtIns.first { $0.name == "editor" }!

    func run(_ replies: [ScriptedReply], goal: String, repo: TemporaryDirectory, verify: String? = nil,
             check: (AgentResult, ScriptedLLMServer) throws -> Void) async throws {
        let server = ScriptedLLMServer(replies: replies)
        try await server.start()
        let client = OpenAICompatibleClient(settings: ClientSettings(baseURL: server.baseURL, apiKey: nil, model: "scripted-model",
                                                                     retry: RetryPolicy(maxRetries: 0),
                                                                     structuredOutput: .jsonObjectSchema))
        let pathGuard = try PathGuard(root: repo.path)
        var agentRun = AgentRun(
            task: TaskSpec(goal: goal, spark: editor.name, repository: pathGuard.root), spark: editor,
            model: ToolModeAdapter(base: client, style: .constrained), tools: try ToolRegistry.builtIn().tools(for: editor),
            toolContext: ToolContext(pathGuard: pathGuard), maxSteps: 6, contextWindow: 8192)
        agentRun.steering = true
        // The verify "command" here is a check of the file, standing in for the sandboxed one.
        let verifier: CodeStrategy.Verifier? = verify.map { expected in
            { @Sendable in
                let text = (try? String(contentsOfFile: repo.path + "/app.conf", encoding: .utf8)) ?? ""
                let passed = text.contains(expected)
                return VerificationReport(passed: passed, exitCode: passed ? 0 : 1, detail: passed ? "ok" : "app.conf lacks \(expected)")
            }
        }
        let result: AgentResult
        do {
            result = try await ReActStrategy().run(agentRun, verify: verifier)
        } catch {
            await client.shutdown()
            await server.stop()
            throw error
        }
        await client.shutdown()
        await server.stop()
        try check(result, server)
    }

    func schema(_ request: RecordedRequest) -> JSONValue? { request.body?["response_format"]?["schema"] }

    func offeredTools(_ request: RecordedRequest) -> [String] {
        (schema(request)?["oneOf"]?.arrayValue ?? []).compactMap { $0["properties"]?["tool"]?["enum"]?.arrayValue?.first?.stringValue }
    }

    @Test func pathsAreLimitedToTheNamedFileAndOptionalParametersDropped() async throws {
        let repo = try TemporaryDirectory(prefix: "steer")
        try repo.write("app.conf", "greeting=hello, wrold\n")
        try repo.write("test.sh", "grep -q world app.conf\n")
        try await run([.text("{\"tool\": \"file_edit\", \"params\": {\"path\": \"app.conf\", \"old\": \"wrold\", \"new\": \"world\"}}")],
                      goal: "Fix the typo in app.conf: old=\"wrold\", new=\"world\".", repo: repo, verify: "hello, world") { result, server in
            #expect(result.succeeded)
            #expect(result.steps == 1)
            #expect(result.verification?.passed == true)
            #expect(result.summary.contains("app.conf"))
            let first = try #require(server.chatRequests.first)
            let options = schema(first)?["oneOf"]?.arrayValue ?? []
            let read = options.first { $0["properties"]?["tool"]?["enum"] == ["file_read"] }
            #expect(read?["properties"]?["params"]?["properties"]?["path"]?["enum"] == ["app.conf"])
            #expect(read?["properties"]?["params"]?["properties"]?["start_line"] == nil)
            #expect(repo.read("app.conf") == "greeting=hello, world\n")
        }
    }

    @Test func aRepeatedReadIsAskedAgainWithTheEditForced() async throws {
        let repo = try TemporaryDirectory(prefix: "steer")
        try repo.write("app.conf", "greeting=hello, wrold\n")
        let read = ScriptedReply.text("{\"tool\": \"file_read\", \"params\": {\"path\": \"app.conf\"}}")
        try await run([read, read,
                       .text("{\"tool\": \"file_edit\", \"params\": {\"path\": \"app.conf\", \"old\": \"wrold\", \"new\": \"world\"}}")],
                      goal: "Fix the typo in app.conf.", repo: repo, verify: "hello, world") { result, server in
            #expect(result.succeeded)
            #expect(server.chatRequests.count == 3)
            // The repeat was not run: the third request offered only the edit, forced.
            #expect(offeredTools(server.chatRequests[1]) == ["file_read", "file_edit"])
            #expect(offeredTools(server.chatRequests[2]) == ["file_edit"])
            #expect(schema(server.chatRequests[2])?["oneOf"]?.arrayValue?.count == 1)
            #expect(repo.read("app.conf") == "greeting=hello, world\n")
        }
    }

    @Test func anAnswerBeforeAnyChangeIsAskedAgainForATool() async throws {
        let repo = try TemporaryDirectory(prefix: "steer")
        try repo.write("app.conf", "greeting=hello, wrold\n")
        try await run([.text("{\"answer\": \"Done.\"}"),
                       .text("{\"tool\": \"file_edit\", \"params\": {\"path\": \"app.conf\", \"old\": \"wrold\", \"new\": \"world\"}}")],
                      goal: "Fix the typo in app.conf.", repo: repo, verify: "hello, world") { result, server in
            #expect(result.succeeded)
            #expect(server.chatRequests.count == 2)
            // Forced: the retry's schema has no answer option.
            let options = schema(server.chatRequests[1])?["oneOf"]?.arrayValue ?? []
            #expect(!options.contains { $0["required"] == ["answer"] })
        }
    }

    @Test func aFailingVerifyGoesBackToTheModel() async throws {
        let repo = try TemporaryDirectory(prefix: "steer")
        try repo.write("app.conf", "greeting=hello, wrold\n")
        try await run([.text("{\"tool\": \"file_edit\", \"params\": {\"path\": \"app.conf\", \"old\": \"wrold\", \"new\": \"word\"}}"),
                       .text("{\"tool\": \"file_edit\", \"params\": {\"path\": \"app.conf\", \"old\": \"word\", \"new\": \"world\"}}")],
                      goal: "Fix the typo in app.conf.", repo: repo, verify: "hello, world") { result, server in
            #expect(result.succeeded)
            #expect(result.steps == 2)
            let told = server.chatRequests[1].messages.last?["content"]?.stringValue ?? ""
            #expect(told.contains("The verify command fails after that change"))
            #expect(told.contains("app.conf lacks hello, world"))
        }
    }
}
