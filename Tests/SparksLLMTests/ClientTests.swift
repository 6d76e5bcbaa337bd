import Foundation
import SparksCore
import SparksLLM
import SparksTesting
import Synchronization
import Testing

/// The client against a real HTTP server on loopback.
@Suite struct ClientTests {
    final class Sleeps: Sendable {
        let delays = Mutex<[Double]>([])
        func record(_ delay: Double) { delays.withLock { $0.append(delay) } }
        var all: [Double] { delays.withLock { $0 } }
    }

    func withServer(_ replies: [ScriptedReply], options: ScriptedLLMServer.Options = .init(), apiKey: String? = nil,
                    model: String = "scripted-model", maxRetries: Int = 3, timeout: Int = 30,
                    _ body: (OpenAICompatibleClient, ScriptedLLMServer, Sleeps) async throws -> Void) async throws {
        let server = ScriptedLLMServer(replies: replies, options: options)
        try await server.start()
        let sleeps = Sleeps()
        let client = OpenAICompatibleClient(
            settings: ClientSettings(baseURL: server.baseURL, apiKey: apiKey, model: model, timeoutSecs: timeout,
                                     retry: RetryPolicy(maxRetries: maxRetries), apiKeyHint: "TEST_KEY"),
            sleep: { sleeps.record($0) })
        do {
            try await body(client, server, sleeps)
        } catch {
            await client.shutdown()
            await server.stop()
            throw error
        }
        await client.shutdown()
        await server.stop()
    }

    @Test func nonStreamingCompletion() async throws {
        try await withServer([.text("hello there", usage: TokenUsage(promptTokens: 7, completionTokens: 2))], apiKey: "k-123") { client, server, _ in
            let response = try await client.complete(ChatRequest(messages: [.user("hi")]))
            #expect(response.message.content == "hello there")
            #expect(response.usage == TokenUsage(promptTokens: 7, completionTokens: 2))
            #expect(!response.usageEstimated)
            #expect(server.chatRequests.first?.authorization == "Bearer k-123")
            #expect(server.chatRequests.first?.isStreaming == false)
        }
    }

    @Test func streamingTextAndToolCallsArriveInPieces() async throws {
        var reply = ScriptedReply.toolCalls([("file_write", "{\"path\":\"hello.txt\",\"content\":\"Hello, world\"}"),
                                             ("file_read", "{\"path\":\"README.md\"}")])
        reply.text = "Writing the file now."
        try await withServer([reply]) { client, server, _ in
            let pieces = Mutex<[String]>([])
            let tools = [ToolSpec(name: "file_write", description: "w", parameters: ["type": "object"]),
                         ToolSpec(name: "file_read", description: "r", parameters: ["type": "object"])]
            let response = try await client.respond(ChatRequest(messages: [.user("go")], tools: tools)) { piece in
                pieces.withLock { $0.append(piece) }
            }
            #expect(pieces.withLock { $0.count } > 1)
            #expect(pieces.withLock { $0.joined() } == "Writing the file now.")
            #expect(response.message.toolCalls.map(\.name) == ["file_write", "file_read"])
            #expect(response.message.toolCalls[0].arguments == "{\"path\":\"hello.txt\",\"content\":\"Hello, world\"}")
            #expect(response.finishReason == .toolCalls)
            #expect(response.usage == TokenUsage(promptTokens: 100, completionTokens: 20))
            let request = try #require(server.chatRequests.first)
            #expect(request.isStreaming)
            #expect(request.toolNames == ["file_write", "file_read"])
        }
    }

    @Test func retriesRateLimitHonouringRetryAfter() async throws {
        try await withServer([.error(429, "slow down", code: "rate_limit_exceeded", retryAfter: "2"),
                              .error(503, "overloaded"), .text("finally")]) { client, server, sleeps in
            let response = try await client.respond(ChatRequest(messages: [.user("hi")]))
            #expect(response.message.content == "finally")
            #expect(server.chatRequests.count == 3)
            #expect(sleeps.all.count == 2)
            #expect(sleeps.all[0] == 2)  // Retry-After wins over backoff
            #expect(sleeps.all[1] >= 0.5 && sleeps.all[1] <= 1.0)  // attempt 1: base 0.5 × 2, equal jitter
        }
    }

    @Test func givesUpAfterMaxRetries() async throws {
        try await withServer([.error(500, "boom"), .error(500, "boom"), .error(500, "boom")], maxRetries: 2) { client, server, sleeps in
            let error = await #expect(throws: SparksError.self) { try await client.complete(ChatRequest(messages: [.user("hi")])) }
            #expect(error?.code == .llmServer)
            #expect(server.chatRequests.count == 3)
            #expect(sleeps.all.count == 2)
        }
    }

    @Test func wrongKeyIsAClearErrorWithoutTheKey() async throws {
        try await withServer([], options: .init(apiKey: "right-key-123456"), apiKey: "sk-wrong-key-abcdef123") { client, server, sleeps in
            let error = await #expect(throws: SparksError.self) { try await client.respond(ChatRequest(messages: [.user("hi")])) }
            #expect(error?.code == .llmAuth)
            #expect(error?.message.contains("HTTP 401") == true)
            #expect(error?.hint?.contains("TEST_KEY") == true)
            #expect(error?.description.contains("sk-wrong-key") == false)
            #expect(sleeps.all.isEmpty)  // not retried
        }
    }

    @Test func unknownModelIsAClearError() async throws {
        try await withServer([], model: "no-such-model") { client, _, _ in
            let error = await #expect(throws: SparksError.self) { try await client.complete(ChatRequest(messages: [.user("hi")])) }
            #expect(error?.code == .llmModelNotFound)
            #expect(error?.message.contains("no-such-model") == true)
        }
    }

    @Test func unreachableEndpoint() async throws {
        // Port 9 (discard): nothing listens there. (A port bound and released could be taken by a
        // test server started in parallel.)
        let url = "http://127.0.0.1:9/v1"
        let client = OpenAICompatibleClient(settings: ClientSettings(baseURL: url, apiKey: nil, model: "m",
                                                                     retry: RetryPolicy(maxRetries: 1)),
                                            sleep: { _ in })
        let error = await #expect(throws: SparksError.self) { try await client.complete(ChatRequest(messages: [.user("hi")])) }
        await client.shutdown()
        #expect(error?.code == .llmUnreachable)
        #expect(error?.message.contains("connection refused") == true)
    }

    @Test func readTimeoutIsRetriedThenReported() async throws {
        // Generous margins: a loaded machine must not turn the on-time answer into a second timeout.
        try await withServer([ScriptedReply.text("late").delayed(by: 20), .text("on time")], timeout: 8) { client, server, sleeps in
            let response = try await client.complete(ChatRequest(messages: [.user("hi")]))
            #expect(response.message.content == "on time")
            #expect(sleeps.all.count == 1)
        }
    }

    @Test func listsModels() async throws {
        try await withServer([], options: .init(models: ["a", "b"]), model: "a") { client, _, _ in
            let models = try await client.listModels()
            #expect(models == ["a", "b"])
        }
    }

    @Test func fallsBackToJSONToolsWhenToolsAreUnsupported() async throws {
        try await withServer([.text("{\"tool\": \"file_read\", \"params\": {\"path\": \"a.txt\"}}"), .text("All done.")],
                             options: .init(rejectTools: true)) { client, server, _ in
            let model = ToolModeAdapter(base: client, style: .auto)
            let tools = [ToolSpec(name: "file_read", description: "read", parameters: ["type": "object"])]
            let first = try await model.respond(ChatRequest(messages: [.system("s"), .user("read a.txt")], tools: tools))
            #expect(first.message.toolCalls.first?.name == "file_read")
            #expect(first.message.toolCalls.first?.arguments == "{\"path\":\"a.txt\"}")
            #expect(model.usesJSONTools)
            let second = try await model.respond(ChatRequest(
                messages: [.system("s"), .user("read a.txt"), first.message, .tool(callID: first.message.toolCalls[0].id, "hello")],
                tools: tools))
            #expect(second.message.content == "All done.")
            // 1 rejected native request, then 2 JSON-mode requests without `tools`.
            #expect(server.chatRequests.count == 3)
            #expect(server.chatRequests[1].toolNames.isEmpty)
            #expect(server.chatRequests[2].messages.last?["content"]?.stringValue == "[tool result: file_read]\nhello")
        }
    }
}
