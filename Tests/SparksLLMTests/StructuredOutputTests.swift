@testable import SparksLLM
import SparksCore
import SparksTesting
import Testing

/// Reply schemas and forced tool choice, on the wire and through the constrained JSON protocol.
@Suite struct StructuredOutputTests {
    let tools = [
        ToolSpec(name: "file_read", description: "Read a file.",
                 parameters: ["type": "object", "properties": ["path": ["type": "string"]], "required": ["path"]]),
        ToolSpec(name: "file_edit", description: "Edit a file.",
                 parameters: ["type": "object",
                              "properties": ["path": ["type": "string"], "old": ["type": "string"], "new": ["type": "string"]],
                              "required": ["path", "old", "new"]]),
    ]

    @Test func eachDialectSendsTheSchemaItsServerTakes() {
        let schema = ResponseSchema(name: "route", schema: ["type": "object"])
        let request = ChatRequest(messages: [.user("hi")], responseSchema: schema)
        let llama = WireFormat.requestBody(request, model: "m", stream: false, temperature: 0, maxTokens: 10,
                                           structuredOutput: .jsonObjectSchema)
        #expect(llama["response_format"] == ["type": "json_object", "schema": ["type": "object"]])
        let openAI = WireFormat.requestBody(request, model: "m", stream: false, temperature: 0, maxTokens: 10,
                                            structuredOutput: .jsonSchema)
        #expect(openAI["response_format"]?["type"] == "json_schema")
        #expect(openAI["response_format"]?["json_schema"]?["name"] == "route")
        #expect(openAI["response_format"]?["json_schema"]?["schema"] == ["type": "object"])
        let plain = WireFormat.requestBody(request, model: "m", stream: false, temperature: 0, maxTokens: 10)
        #expect(plain["response_format"] == nil)
    }

    @Test func toolChoiceIsSentAsAskedAndAutoByDefault() {
        func choice(_ value: ToolChoice?) -> JSONValue? {
            WireFormat.requestBody(ChatRequest(messages: [.user("x")], tools: tools, toolChoice: value), model: "m", stream: false,
                                   temperature: 0, maxTokens: 10)["tool_choice"]
        }
        #expect(choice(nil) == "auto")
        #expect(choice(.required) == "required")
        #expect(choice(.function("file_edit")) == ["type": "function", "function": ["name": "file_edit"]])
    }

    @Test func theConstrainedProtocolOffersEachToolOrAnAnswer() throws {
        let protocolInUse = JSONToolProtocol(constrained: true)
        let encoded = protocolInUse.encode(ChatRequest(messages: [.system("s"), .user("fix it")], tools: tools))
        #expect(encoded.tools.isEmpty)
        let options = try #require(encoded.responseSchema?.schema["oneOf"]?.arrayValue)
        #expect(options.count == 3)
        #expect(options[0]["properties"]?["tool"]?["enum"] == ["file_read"])
        #expect(options[1]["properties"]?["params"] == tools[1].parameters)
        #expect(options[2]["required"] == ["answer"])
        let system = try #require(encoded.messages.first?.content)
        #expect(system.contains("params: {\"path\": string, \"old\": string, \"new\": string}"))
        #expect(system.contains("reply with {\"answer\": "))
        // A forced tool leaves only that tool: no answer, no other tool.
        let forced = protocolInUse.encode(ChatRequest(messages: [.user("x")], tools: tools, toolChoice: .function("file_edit")))
        #expect(forced.responseSchema?.schema["oneOf"]?.arrayValue?.count == 1)
        #expect(forced.responseSchema?.schema["oneOf"]?.arrayValue?.first?["properties"]?["tool"]?["enum"] == ["file_edit"])
        let required = protocolInUse.encode(ChatRequest(messages: [.user("x")], tools: tools, toolChoice: .required))
        #expect(required.responseSchema?.schema["oneOf"]?.arrayValue?.count == 2)
        // The plain protocol sends no schema.
        #expect(JSONToolProtocol().encode(ChatRequest(messages: [.user("x")], tools: tools)).responseSchema == nil)
    }

    @Test func anAnswerObjectIsTextAndAToolObjectIsACall() {
        let protocolInUse = JSONToolProtocol(constrained: true)
        let answer = protocolInUse.decode("{\"answer\": \"Fixed the typo.\"}", offered: tools, callNumber: 1)
        #expect(answer.content == "Fixed the typo.")
        #expect(answer.toolCalls.isEmpty)
        let call = protocolInUse.decode("{\"tool\": \"file_read\", \"params\": {\"path\": \"a\"}}", offered: tools, callNumber: 2)
        #expect(call.toolCalls.first?.name == "file_read")
        #expect(call.toolCalls.first?.arguments == "{\"path\":\"a\"}")
    }

    @Test func theConstrainedStyleSendsTheSchemaToTheServer() async throws {
        let server = ScriptedLLMServer(replies: [.text("{\"tool\": \"file_edit\", \"params\": {\"path\": \"a\", \"old\": \"x\", \"new\": \"y\"}}")])
        try await server.start()
        let client = OpenAICompatibleClient(settings: ClientSettings(baseURL: server.baseURL, apiKey: nil, model: "scripted-model",
                                                                     structuredOutput: .jsonObjectSchema))
        let model = ToolModeAdapter(base: client, style: .constrained)
        let reply = try await model.respond(ChatRequest(messages: [.system("s"), .user("edit a")], tools: tools,
                                                        toolChoice: .function("file_edit")))
        await client.shutdown()
        await server.stop()
        #expect(reply.message.toolCalls.first?.name == "file_edit")
        let sent = try #require(server.chatRequests.first?.body)
        #expect(sent["tools"] == nil)
        #expect(sent["response_format"]?["type"] == "json_object")
        #expect(sent["response_format"]?["schema"]?["oneOf"]?.arrayValue?.count == 1)
    }
}
