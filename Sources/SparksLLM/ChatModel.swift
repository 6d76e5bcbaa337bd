import SparksCore

/// One request to a chat model.
public struct ChatRequest: Sendable {
    public var messages: [ChatMessage]
    public var tools: [ToolSpec]
    /// A model other than the client's default.
    public var model: String?
    public var temperature: Double?
    public var maxTokens: Int?
    /// A JSON schema the reply must follow, where the server can enforce one (see
    /// `StructuredOutput`); elsewhere the prompt alone asks for it.
    public var responseSchema: ResponseSchema?
    /// Which tool the model must call; nil lets it choose.
    public var toolChoice: ToolChoice?

    public init(messages: [ChatMessage], tools: [ToolSpec] = [], model: String? = nil, temperature: Double? = nil,
                maxTokens: Int? = nil, responseSchema: ResponseSchema? = nil, toolChoice: ToolChoice? = nil) {
        self.messages = messages
        self.tools = tools
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.responseSchema = responseSchema
        self.toolChoice = toolChoice
    }
}

/// A named JSON schema for a structured reply.
public struct ResponseSchema: Sendable, Hashable {
    public var name: String
    public var schema: JSONValue

    public init(name: String, schema: JSONValue) {
        self.name = name
        self.schema = schema
    }
}

/// Whether and which tool a model must call.
public enum ToolChoice: Sendable, Hashable {
    case auto
    /// Some tool, the model picks which.
    case required
    case function(String)
}

/// How a server takes a JSON schema for the reply.
public enum StructuredOutput: String, Sendable, Hashable {
    /// Not at all: the schema is only described in the prompt.
    case none
    /// OpenAI's `response_format: {"type": "json_schema", "json_schema": {name, schema, strict}}`.
    case jsonSchema = "json_schema"
    /// llama.cpp servers' `response_format: {"type": "json_object", "schema": …}`, enforced by a grammar
    /// (they reject OpenAI's form).
    case jsonObjectSchema = "json_object_schema"
}

/// Why the model stopped.
public enum FinishReason: String, Sendable {
    case stop, length, toolCalls = "tool_calls", contentFilter = "content_filter", unknown
}

/// A complete answer.
public struct ChatResponse: Sendable {
    public var message: ChatMessage
    public var finishReason: FinishReason
    public var usage: TokenUsage
    /// True when the provider reported no usage and it was estimated from the text.
    public var usageEstimated: Bool

    public init(message: ChatMessage, finishReason: FinishReason, usage: TokenUsage, usageEstimated: Bool = false) {
        self.message = message
        self.finishReason = finishReason
        self.usage = usage
        self.usageEstimated = usageEstimated
    }
}

/// What a streamed answer yields, in order: text pieces as they arrive, each tool call once its
/// arguments are complete, then usage and the finish reason.
public enum ChatStreamEvent: Sendable {
    case text(String)
    case toolCall(ToolCall)
    case usage(TokenUsage)
    case finished(FinishReason)
}

/// A chat model: anything that answers chat-completions requests.
public protocol ChatModel: Sendable {
    /// The model used when a request names none.
    var defaultModel: String { get }
    func complete(_ request: ChatRequest) async throws(SparksError) -> ChatResponse
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error>
    func listModels() async throws(SparksError) -> [String]
}

extension ChatModel {
    /// Streams an answer, handing each text piece to `onText`, and returns it whole.
    public func respond(_ request: ChatRequest, onText: @Sendable (String) -> Void = { _ in })
        async throws(SparksError) -> ChatResponse
    {
        var text = ""
        var calls: [ToolCall] = []
        var usage: TokenUsage?
        var finish = FinishReason.unknown
        do {
            for try await event in stream(request) {
                switch event {
                case .text(let piece):
                    text += piece
                    onText(piece)
                case .toolCall(let call): calls.append(call)
                case .usage(let reported): usage = reported
                case .finished(let reason): finish = reason
                }
            }
        } catch {
            throw SparksError.wrap(error, code: .llmBadResponse)
        }
        let message = ChatMessage.assistant(text.isEmpty ? nil : text, toolCalls: calls)
        if let usage {
            return ChatResponse(message: message, finishReason: finish, usage: usage)
        }
        let estimate = TokenUsage(promptTokens: TokenEstimator.estimate(request.messages),
                                  completionTokens: TokenEstimator.estimate(text) + TokenEstimator.estimate(calls.map(\.arguments).joined()))
        return ChatResponse(message: message, finishReason: finish, usage: estimate, usageEstimated: true)
    }
}
