@testable import SparksLLM
import SparksCore
import Testing

@Suite struct WireParsingTests {
    @Test func sseParserHandlesSplitsAnywhere() {
        let stream = "data: {\"a\":1}\n\n: comment\r\ndata: {\"b\":\"é\"}\r\n\r\ndata: [DONE]\n\n"
        let bytes = Array(stream.utf8)
        // Feed one byte at a time: events must come out whole, including the 2-byte é.
        var parser = SSEParser()
        var events: [String] = []
        for byte in bytes { events += parser.feed([byte]) }
        events += parser.finish()
        #expect(events == ["{\"a\":1}", "{\"b\":\"é\"}", "[DONE]"])
    }

    @Test func sseParserJoinsMultiLineDataAndFlushesUnterminatedEvent() {
        var parser = SSEParser()
        var events = parser.feed(Array("data: line1\ndata: line2\n\ndata: tail".utf8))
        events += parser.finish()
        #expect(events == ["line1\nline2", "tail"])
    }

    @Test func accumulatorJoinsToolCallFragmentsByIndex() {
        var accumulator = StreamAccumulator()
        accumulator.add(delta: ["tool_calls": [["index": 0, "id": "call_a", "type": "function",
                                                "function": ["name": "file_write", "arguments": ""]]]])
        accumulator.add(delta: ["tool_calls": [["index": 1, "id": "call_b", "function": ["name": "file_read", "arguments": "{\"pa"]]]])
        accumulator.add(delta: ["tool_calls": [["index": 0, "function": ["arguments": "{\"path\":\"a.txt\","]]]])
        accumulator.add(delta: ["tool_calls": [["index": 0, "function": ["arguments": "\"content\":\"hi\"}"]]]])
        accumulator.add(delta: ["tool_calls": [["index": 1, "function": ["arguments": "th\":\"b\"}"]]]])
        let calls = accumulator.calls()
        #expect(calls == [ToolCall(id: "call_a", name: "file_write", arguments: "{\"path\":\"a.txt\",\"content\":\"hi\"}"),
                          ToolCall(id: "call_b", name: "file_read", arguments: "{\"path\":\"b\"}")])
    }

    @Test func responseParsingReadsToolCallsContentPartsAndUsage() throws {
        let json = JSONValue.parse("""
            {"choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}],
             "tool_calls":[{"id":"c1","type":"function","function":{"name":"grep","arguments":{"pattern":"x"}}}]},
             "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":3}}
            """)!
        let (message, finish, usage) = try WireFormat.response(json)
        #expect(message.content == "hi there")
        #expect(message.toolCalls == [ToolCall(id: "c1", name: "grep", arguments: "{\"pattern\":\"x\"}")])
        #expect(finish == .toolCalls)
        #expect(usage == TokenUsage(promptTokens: 12, completionTokens: 3))
    }

    @Test func requestBodyCarriesToolsAndToolMessages() {
        let request = ChatRequest(
            messages: [.system("s"), .user("u"), .assistant(nil, toolCalls: [ToolCall(id: "c1", name: "glob", arguments: "{}")]),
                       .tool(callID: "c1", "result")],
            tools: [ToolSpec(name: "glob", description: "find", parameters: ["type": "object"])])
        let body = WireFormat.requestBody(request, model: "m", stream: true, temperature: 0.2, maxTokens: 100)
        #expect(body["stream_options"]?["include_usage"] == .bool(true))
        #expect(body["tools"]?.arrayValue?.first?["function"]?["name"] == "glob")
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages[2]["content"] == .null)
        #expect(messages[2]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == "{}")
        #expect(messages[3]["tool_call_id"] == "c1")
    }

    @Test func jsonExtractionOrder() {
        #expect(JSONExtraction.firstObject(in: "{\"tool\":\"a\"}")?["tool"] == "a")
        #expect(JSONExtraction.firstObject(in: "Sure:\n```json\n{\"tool\": \"b\", \"params\": {}}\n```")?["tool"] == "b")
        #expect(JSONExtraction.firstObject(in: "I will call {\"tool\": \"c\", \"params\": {\"x\": \"}\"}} now")?["tool"] == "c")
        #expect(JSONExtraction.firstObject(in: "no json here") == nil)
    }

    @Test func jsonToolProtocolRoundTrip() {
        let tools = [ToolSpec(name: "file_read", description: "read", parameters: ["type": "object"])]
        let proto = JSONToolProtocol()
        let call = proto.decode("```json\n{\"tool\": \"file_read\", \"params\": {\"path\": \"a\"}}\n```", offered: tools, callNumber: 1)
        #expect(call.toolCalls.first?.name == "file_read")
        #expect(call.toolCalls.first?.arguments == "{\"path\":\"a\"}")
        // A JSON object naming a tool that is not offered is an answer, not a call.
        let answer = proto.decode("{\"tool\": \"rm_rf\", \"params\": {}}", offered: tools, callNumber: 2)
        #expect(answer.toolCalls.isEmpty)

        let encoded = proto.encode(ChatRequest(
            messages: [.system("sys"), .user("go"), .assistant(nil, toolCalls: [ToolCall(id: "x", name: "file_read", arguments: "{\"path\":\"a\"}")]),
                       .tool(callID: "x", "content of a")],
            tools: tools))
        #expect(encoded.tools.isEmpty)
        #expect(encoded.messages[0].content?.contains("{\"tool\": \"<tool name>\"") == true)
        #expect(encoded.messages[2].content == "{\"params\":{\"path\":\"a\"},\"tool\":\"file_read\"}")
        #expect(encoded.messages[3].role == .user)
        #expect(encoded.messages[3].content == "[tool result: file_read]\ncontent of a")
    }

    @Test func retryDelays() {
        let policy = RetryPolicy(maxRetries: 3, baseDelay: 1, maxDelay: 8)
        #expect(policy.delay(attempt: 0, retryAfter: nil, random: 0) == 0.5)
        #expect(policy.delay(attempt: 0, retryAfter: nil, random: 0.999) < 1.0)
        #expect(policy.delay(attempt: 2, retryAfter: nil, random: 0) == 2)
        #expect(policy.delay(attempt: 10, retryAfter: nil, random: 1) == 8)
        #expect(policy.delay(attempt: 0, retryAfter: 7, random: 0.5) == 7)
        #expect(RetryPolicy.parseRetryAfter("3") == 3)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func redactorRemovesKeysAndTokenShapes() {
        let redactor = Redactor(secrets: ["my-very-secret-value"])
        let text = redactor.redact("key my-very-secret-value and sk-proj-abcdefghijklmnop and ghp_1234567890abcdef ok")
        #expect(!text.contains("my-very-secret-value"))
        #expect(!text.contains("sk-proj"))
        #expect(!text.contains("ghp_"))
        #expect(text.hasSuffix(" ok"))
    }
}
