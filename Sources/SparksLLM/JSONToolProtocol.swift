import Foundation
import SparksCore

/// Tool calls for models without native tool support: the tools are described in the system
/// prompt and the model answers with `{"tool": "<name>", "params": {…}}` to call one. Anything
/// else is its final answer.
public struct JSONToolProtocol: Sendable {
    /// Replies are held to `schema(for:)`: the final answer comes as `{"answer": "…"}`.
    public var constrained: Bool

    public init(constrained: Bool = false) {
        self.constrained = constrained
    }

    /// Rewrites a request with tools into one without: tool descriptions go into the system
    /// prompt, earlier tool calls become JSON text, tool results become user messages.
    public func encode(_ request: ChatRequest) -> ChatRequest {
        var messages: [ChatMessage] = []
        let instructions = instructions(for: request.tools)
        var placed = false
        var namesByCallID: [String: String] = [:]
        for message in request.messages {
            switch message.role {
            case .system where !placed:
                messages.append(.system((message.content ?? "") + "\n\n" + instructions))
                placed = true
            case .assistant where !message.toolCalls.isEmpty:
                for call in message.toolCalls { namesByCallID[call.id] = call.name }
                let calls = message.toolCalls.map { call -> String in
                    let params = JSONValue.parse(call.arguments) ?? .object([:])
                    return JSONValue.object(["tool": .string(call.name), "params": params]).canonicalText
                }
                messages.append(.assistant(calls.joined(separator: "\n")))
            case .tool:
                let name = message.toolCallID.flatMap { namesByCallID[$0] } ?? "tool"
                messages.append(.user("[tool result: \(name)]\n\(message.content ?? "")"))
            default:
                messages.append(message)
            }
        }
        if !placed { messages.insert(.system(instructions), at: 0) }
        return ChatRequest(messages: messages, tools: [], model: request.model, temperature: request.temperature,
                           maxTokens: request.maxTokens,
                           responseSchema: constrained ? ResponseSchema(name: "tool_call_or_answer", schema: schema(for: request.tools, choice: request.toolChoice)) : nil)
    }

    /// One of: `{"tool": <an offered name>, "params": <its parameters>}` per tool, or
    /// `{"answer": <text>}`. A forced choice (`ToolChoice.function`) leaves only that tool.
    public func schema(for tools: [ToolSpec], choice: ToolChoice? = nil) -> JSONValue {
        var options: [JSONValue] = tools.filter { tool in
            if case .function(let name)? = choice { return tool.name == name }
            return true
        }.map { tool in
            ["type": "object",
             "properties": ["tool": ["type": "string", "enum": [.string(tool.name)]], "params": tool.parameters],
             "required": ["tool", "params"]]
        }
        if choice == nil || choice == .auto {
            options.append(["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"]])
        }
        return ["oneOf": .array(options)]
    }

    func instructions(for tools: [ToolSpec]) -> String {
        var text = "## Tools\nYou can call these tools:\n"
        for tool in tools {
            // Constrained replies follow the schema anyway; a small model does better with a short line.
            text += constrained
                ? "- \(tool.name): \(tool.description)\n  params: \(Self.shortSignature(tool.parameters))\n"
                : "- \(tool.name): \(tool.description)\n  parameters (JSON Schema): \(tool.parameters.canonicalText)\n"
        }
        text += """

        To call a tool, reply with only one JSON object and nothing else:
        {"tool": "<tool name>", "params": {<arguments>}}
        You will get the tool's result in the next message. Call one tool per reply.

        """
        text += constrained
            ? "When the task is done, reply with {\"answer\": \"<your final answer>\"}."
            : "When the task is done, reply with your final answer as plain text, not JSON."
        return text
    }

    /// `{"path": string, "old": string}`: the parameters' names and types, in schema order where it
    /// has one (required first).
    static func shortSignature(_ parameters: JSONValue) -> String {
        guard let properties = parameters["properties"]?.objectValue, !properties.isEmpty else { return "{}" }
        let required = parameters["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let names = required.filter { properties[$0] != nil } + properties.keys.sorted().filter { !required.contains($0) }
        let fields = names.map { name -> String in
            let type = properties[name]?["type"]?.stringValue ?? "value"
            return "\"\(name)\": \(type)"
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// Reads a reply: a tool call if it is a `{"tool": …}` object naming an offered tool, else text.
    public func decode(_ text: String, offered: [ToolSpec], callNumber: Int) -> ChatMessage {
        if let object = JSONExtraction.firstObject(in: text), object["tool"] == nil,
           let answer = object["answer"]?.stringValue {
            return .assistant(answer)
        }
        guard let object = JSONExtraction.firstObject(in: text),
              let name = object["tool"]?.stringValue ?? object["name"]?.stringValue,
              offered.contains(where: { $0.name == name })
        else {
            return .assistant(text)
        }
        let params = object["params"] ?? object["arguments"] ?? object["parameters"] ?? .object([:])
        let arguments = params.stringValue.flatMap { JSONValue.parse($0)?.canonicalText } ?? params.canonicalText
        return .assistant(nil, toolCalls: [ToolCall(id: "call_json_\(callNumber)", name: name, arguments: arguments)])
    }
}
