import SparksCore

/// One answer the scripted server gives, in order of arrival.
public struct ScriptedReply: Sendable {
    public struct Call: Sendable {
        public var id: String
        public var name: String
        public var arguments: String
    }

    public var text: String?
    public var toolCalls: [Call] = []
    public var usage: TokenUsage? = TokenUsage(promptTokens: 100, completionTokens: 20)
    /// HTTP status; anything but 200 sends OpenAI's error JSON with `errorMessage` and `errorCode`.
    public var status: Int = 200
    public var errorMessage: String?
    public var errorCode: String?
    public var retryAfter: String?
    /// Seconds to wait before answering (for timeout tests).
    public var delay: Double = 0

    public static func text(_ text: String, usage: TokenUsage? = TokenUsage(promptTokens: 100, completionTokens: 20)) -> ScriptedReply {
        ScriptedReply(text: text, usage: usage)
    }

    /// A reply that calls one tool; `arguments` is the JSON text of the arguments.
    public static func toolCall(_ name: String, _ arguments: String, id: String? = nil, text: String? = nil) -> ScriptedReply {
        ScriptedReply(text: text, toolCalls: [Call(id: id ?? "call_\(name)_\(arguments.hashValue & 0xffff)", name: name, arguments: arguments)])
    }

    public static func toolCalls(_ calls: [(name: String, arguments: String)]) -> ScriptedReply {
        ScriptedReply(text: nil, toolCalls: calls.enumerated().map { index, call in
            Call(id: "call_\(index)_\(call.name)", name: call.name, arguments: call.arguments)
        })
    }

    public static func error(_ status: Int, _ message: String, code: String? = nil, retryAfter: String? = nil) -> ScriptedReply {
        ScriptedReply(text: nil, usage: nil, status: status, errorMessage: message, errorCode: code, retryAfter: retryAfter)
    }

    public func delayed(by seconds: Double) -> ScriptedReply {
        var copy = self
        copy.delay = seconds
        return copy
    }
}

/// A request the scripted server received.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var authorization: String?
    public var body: JSONValue?

    /// The messages of a chat-completions request.
    public var messages: [JSONValue] { body?["messages"]?.arrayValue ?? [] }
    public var isStreaming: Bool { body?["stream"]?.boolValue ?? false }
    public var toolNames: [String] {
        (body?["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
    }
}
