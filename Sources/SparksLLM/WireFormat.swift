import Foundation
import SparksCore

/// The OpenAI chat-completions wire format: request bodies out, responses and stream chunks in.
/// Responses are read leniently (as `JSONValue`) because compatible servers differ in details.
enum WireFormat {
    static func requestBody(_ request: ChatRequest, model: String, stream: Bool, temperature: Double, maxTokens: Int,
                            structuredOutput: StructuredOutput = .none) -> JSONValue
    {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(request.messages.map(message)),
            "temperature": .number(request.temperature ?? temperature),
            "max_tokens": .number(Double(request.maxTokens ?? maxTokens)),
            "stream": .bool(stream),
        ]
        if stream { body["stream_options"] = ["include_usage": true] }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                ["type": "function",
                 "function": ["name": .string(tool.name), "description": .string(tool.description),
                              "parameters": tool.parameters]]
            })
            body["tool_choice"] = switch request.toolChoice ?? .auto {
            case .auto: "auto"
            case .required: "required"
            case .function(let name): ["type": "function", "function": ["name": .string(name)]]
            }
        }
        if let schema = request.responseSchema {
            switch structuredOutput {
            case .none: break
            case .jsonSchema:
                body["response_format"] = ["type": "json_schema",
                                           "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": false]]
            case .jsonObjectSchema:
                body["response_format"] = ["type": "json_object", "schema": schema.schema]
            }
        }
        return .object(body)
    }

    static func message(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        object["content"] = message.content.map(JSONValue.string) ?? .null
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(message.toolCalls.map { call in
                ["id": .string(call.id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
            })
        }
        if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        return .object(object)
    }

    /// Reads a non-streamed completion.
    static func response(_ json: JSONValue) throws(SparksError) -> (ChatMessage, FinishReason, TokenUsage?) {
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw SparksError(.llmBadResponse, "the provider's answer has no choices[0].message",
                              hint: "is llm.base_url an OpenAI-compatible chat-completions endpoint?")
        }
        let calls = (message["tool_calls"]?.arrayValue ?? []).enumerated().compactMap { offset, call in
            toolCall(call, fallbackID: "call_\(offset)")
        }
        let content = text(message["content"])
        return (ChatMessage.assistant(content, toolCalls: calls), finishReason(choice["finish_reason"]), usage(json["usage"]))
    }

    static func toolCall(_ call: JSONValue, fallbackID: String) -> ToolCall? {
        guard let function = call["function"], let name = function["name"]?.stringValue else { return nil }
        let arguments: String = switch function["arguments"] {
        case .string(let text)?: text
        case .object(let object)?: JSONValue.object(object).canonicalText
        default: "{}"
        }
        return ToolCall(id: call["id"]?.stringValue ?? fallbackID, name: name, arguments: arguments)
    }

    /// Content as text: a string, or an array of text parts.
    static func text(_ content: JSONValue?) -> String? {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            let joined = parts.compactMap { $0["text"]?.stringValue ?? $0.stringValue }.joined()
            return joined.isEmpty ? nil : joined
        default: return nil
        }
    }

    static func finishReason(_ value: JSONValue?) -> FinishReason {
        value?.stringValue.flatMap(FinishReason.init(rawValue:)) ?? (value?.stringValue == nil ? .unknown : .stop)
    }

    static func usage(_ value: JSONValue?) -> TokenUsage? {
        guard let value, let prompt = value["prompt_tokens"]?.intValue else { return nil }
        return TokenUsage(promptTokens: prompt, completionTokens: value["completion_tokens"]?.intValue ?? 0)
    }

    /// The `{"error": {...}}` envelope's message and code, if the body is one.
    static func errorDetail(_ body: String) -> (message: String, code: String?)? {
        guard let json = JSONValue.parse(body) else { return nil }
        if let error = json["error"] {
            if let message = error["message"]?.stringValue {
                return (message, error["code"]?.stringValue ?? error["type"]?.stringValue)
            }
            if let message = error.stringValue { return (message, nil) }
        }
        if let message = json["message"]?.stringValue { return (message, json["code"]?.stringValue) }
        return nil
    }
}

/// Joins the fragments of streamed tool calls: the id and name come in the first fragment for an
/// index, the arguments in pieces across many chunks.
struct StreamAccumulator {
    private struct Partial {
        var id: String?
        var name: String?
        var arguments = ""
    }

    private var partials: [Int: Partial] = [:]
    private var order: [Int] = []

    mutating func add(delta: JSONValue) {
        for (position, fragment) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
            let index = fragment["index"]?.intValue ?? position
            if partials[index] == nil {
                partials[index] = Partial()
                order.append(index)
            }
            if let id = fragment["id"]?.stringValue, !id.isEmpty { partials[index]?.id = id }
            if let function = fragment["function"] {
                if let name = function["name"]?.stringValue, !name.isEmpty { partials[index]?.name = name }
                switch function["arguments"] {
                case .string(let piece)?: partials[index]?.arguments += piece
                case .object(let object)?: partials[index]?.arguments += JSONValue.object(object).canonicalText
                default: break
                }
            }
        }
    }

    /// The completed calls, in the order their indices first appeared.
    func calls() -> [ToolCall] {
        order.compactMap { index in
            guard let partial = partials[index], let name = partial.name else { return nil }
            let arguments = partial.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
            return ToolCall(id: partial.id ?? "call_\(index)", name: name, arguments: arguments.isEmpty ? "{}" : arguments)
        }
    }
}
