import Foundation
import SparksAgent
import SparksCore
import SparksLLM
import SparksSandbox
import SparksTesting
import SparksTools
import Synchronization
import Testing

/// The ReAct loop end to end: the real client against the scripted server on loopback, real files.
@Suite struct ReActStrategyTests {
    final class Recorder: Sendable {
        let events = Mutex<[TaskEvent]>([])
        let tools = Mutex<[(String, Bool)]>([])
        var toolResults: [(String, Bool)] { tools.withLock { $0 } }
        var guardTrips: [ReasonCode] {
            events.withLock { $0.compactMap { if case .guardTripped(let reason, _) = $0 { reason } else { nil } } }
        }
    }

    func run(_ replies: [ScriptedReply], goal: String = "do it", maxSteps: Int = 10, spark: SparkDefinition = SparkDefinition.builtIns[0],
             repo: TemporaryDirectory, check: (AgentResult, ScriptedLLMServer, Recorder) throws -> Void) async throws {
        let server = ScriptedLLMServer(replies: replies)
        try await server.start()
        let client = OpenAICompatibleClient(settings: ClientSettings(baseURL: server.baseURL, apiKey: nil, model: "scripted-model",
                                                                     retry: RetryPolicy(maxRetries: 0)))
        let recorder = Recorder()
        let pathGuard = try PathGuard(root: repo.path)
        let run = AgentRun(
            task: TaskSpec(goal: goal, spark: spark.name, repository: pathGuard.root), spark: spark,
            model: ToolModeAdapter(base: client, style: .auto), tools: try ToolRegistry.builtIn().tools(for: spark),
            toolContext: ToolContext(pathGuard: pathGuard), maxSteps: maxSteps, contextWindow: 128_000,
            hooks: AgentHooks(event: { event in recorder.events.withLock { $0.append(event) } },
                              toolUsed: { name, ok, _, _ in recorder.tools.withLock { $0.append((name, ok)) } }))
        let result: AgentResult
        do {
            result = try await ReActStrategy().run(run)
        } catch {
            await client.shutdown()
            await server.stop()
            throw error
        }
        await client.shutdown()
        await server.stop()
        try check(result, server, recorder)
    }

    @Test func writesAFileAndFinishes() async throws {
        let repo = try TemporaryDirectory(prefix: "react")
        try await run([.toolCall("file_write", "{\"path\":\"hello.txt\",\"content\":\"Hello, Sparks!\\n\"}"),
                       .text("Created hello.txt with a greeting.")],
                      goal: "create hello.txt with a greeting", repo: repo) { result, server, recorder in
            #expect(result.succeeded)
            #expect(result.summary == "Created hello.txt with a greeting.")
            #expect(result.steps == 2)
            #expect(result.usage == TokenUsage(promptTokens: 200, completionTokens: 40))
            #expect(result.changedFiles == ["hello.txt"])
            #expect(repo.read("hello.txt") == "Hello, Sparks!\n")
            #expect(recorder.toolResults.map(\.0) == ["file_write"])
            // The second request carries the tool result for the model to see.
            let last = server.chatRequests[1].messages.last
            #expect(last?["role"] == "tool")
            #expect(last?["content"]?.stringValue?.contains("created hello.txt") == true)
            #expect(server.chatRequests[0].toolNames.sorted() == SparkDefinition.builtIns[0].tools.sorted())
        }
    }

    @Test func traversalGetsAnErrorObservationAndNoContent() async throws {
        let repo = try TemporaryDirectory(prefix: "react")
        let outside = try TemporaryDirectory(prefix: "secret")
        try outside.write("passwords.txt", "root:SUPER-SECRET-PASSWORD")
        let relative = "../" + (outside.path as NSString).lastPathComponent + "/passwords.txt"
        try await run([.toolCall("file_read", "{\"path\":\"\(relative)\"}"),
                       .toolCall("file_read", "{\"path\":\"\(outside.file("passwords.txt"))\"}"),
                       .text("I cannot read files outside the repository.")], repo: repo) { result, server, recorder in
            #expect(result.succeeded)
            let observations = server.chatRequests.dropFirst().compactMap { $0.messages.last?["content"]?.stringValue }
            #expect(observations.count == 2)
            for observation in observations {
                #expect(observation.hasPrefix("[tool error] path"))
                #expect(!observation.contains("SUPER-SECRET"))
            }
            #expect(recorder.toolResults.map(\.1) == [false, false])
        }
    }

    @Test func loopGuardRefusesRepeatsAndStopsAfterThree() async throws {
        let repo = try TemporaryDirectory(prefix: "react")
        try repo.write("a.txt", "A")
        let read = ScriptedReply.toolCall("file_read", "{\"path\":\"a.txt\"}")
        try await run([read, read, read, read, .text("unreachable")], repo: repo) { result, server, recorder in
            #expect(!result.succeeded)
            #expect(result.reason == .loopGuardTriggered)
            #expect(server.chatRequests.count == 4)
            let second = server.chatRequests[2].messages.last?["content"]?.stringValue ?? ""
            #expect(second.contains("[reason:loop_guard_triggered]"))
            #expect(recorder.toolResults.map(\.0) == ["file_read", "loop_guard", "loop_guard", "loop_guard"])
            #expect(recorder.guardTrips.contains(.loopGuardTriggered))
        }
    }

    @Test func rereadingAfterAnEditIsAllowed() async throws {
        let repo = try TemporaryDirectory(prefix: "react")
        try repo.write("a.txt", "old")
        try await run([.toolCall("file_read", "{\"path\":\"a.txt\"}"),
                       .toolCall("file_edit", "{\"path\":\"a.txt\",\"old\":\"old\",\"new\":\"new\"}"),
                       .toolCall("file_read", "{\"path\":\"a.txt\"}"),
                       .text("Changed old to new.")], repo: repo) { result, _, recorder in
            #expect(result.succeeded)
            #expect(recorder.toolResults.map(\.1) == [true, true, true])
            #expect(repo.read("a.txt") == "new")
        }
    }

    @Test func stepLimitAsksForASummary() async throws {
        let repo = try TemporaryDirectory(prefix: "react")
        try await run([.toolCall("list_dir", "{}"), .toolCall("glob", "{\"pattern\":\"*\"}"), .text("Listed files; nothing else done.")],
                      maxSteps: 2, repo: repo) { result, server, _ in
            #expect(!result.succeeded)
            #expect(result.reason == .stepLimitExceeded)
            #expect(result.summary == "Listed files; nothing else done.")
            #expect(server.chatRequests.last?.toolNames.isEmpty == true)
            #expect(server.chatRequests.last?.messages.last?["content"]?.stringValue?.contains("step limit") == true)
        }
    }

    @Test func scoutCannotWrite() async throws {
        let repo = try TemporaryDirectory(prefix: "react")
        try await run([.toolCall("file_write", "{\"path\":\"x.txt\",\"content\":\"x\"}"), .text("I am read-only.")],
                      spark: SparkDefinition.builtIns[1], repo: repo) { result, server, _ in
            #expect(result.succeeded)
            #expect(!FileManager.default.fileExists(atPath: repo.file("x.txt")))
            #expect(!server.chatRequests[0].toolNames.contains("file_write"))
            #expect(server.chatRequests[1].messages.last?["content"]?.stringValue?.contains("not available to this spark") == true)
        }
    }
}
