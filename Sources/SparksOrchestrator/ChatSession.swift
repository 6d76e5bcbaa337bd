import Foundation
import SparksCore
import SparksLLM
import SparksStore

/// A conversation with the model, as in the REPL: each turn is streamed and saved.
public final class ChatSession: @unchecked Sendable {
    // Used from one front-end loop at a time; not shared across tasks.
    private let model: any ChatModel
    private let store: SparksStore
    private let sessionKey: String
    public private(set) var conversation: UUID
    private var messages: [ChatMessage]
    /// The model for the next turns; `nil` means the configured one.
    public var modelOverride: String?
    /// The routing call's temperature; nil = 0 (deterministic routing).
    public var temperature: Double?
    /// The mood's line (`mood` and `mood_injection` knobs), added to the system prompt of answers.
    public var moodLine: String?
    public private(set) var usage = TokenUsage()

    public static let systemPrompt = """
        You are Sparks, a self-hosted assistant for software engineers. Answer clearly and briefly. \
        For work on a repository, tell the user they can hand it to a spark with `sparks dispatch --goal "…" --repo PATH`.
        """

    /// `history`: earlier turns to continue from (an API request carries its whole conversation);
    /// they are saved with the new conversation.
    public init(model: any ChatModel, store: SparksStore, sessionKey: String = "cli:local", history: [ChatMessage] = [])
        throws(SparksError)
    {
        self.model = model
        self.store = store
        self.sessionKey = sessionKey
        self.conversation = try store.createConversation(sessionKey: sessionKey, title: "chat")
        self.messages = [.system(Self.systemPrompt)] + history
        for message in history { try store.appendMessage(message, to: conversation) }
    }

    public var currentModel: String { modelOverride ?? model.defaultModel }

    /// Sends one user message; `onText` receives the answer as it streams. Returns the whole answer.
    public func send(_ text: String, onText: @escaping @Sendable (String) -> Void) async throws(SparksError) -> String {
        let user = ChatMessage.user(text)
        let prompt = moodLine.map { [messages[0], .system($0)] + messages.dropFirst() } ?? messages
        let response = try await model.respond(ChatRequest(messages: prompt + [user], model: modelOverride), onText: onText)
        messages.append(user)
        messages.append(response.message)
        usage = usage + response.usage
        try store.appendMessage(user, to: conversation)
        try store.appendMessage(response.message, to: conversation)
        return response.message.content ?? ""
    }

    /// Adds a turn answered without a plain model call (a routed answer, a tool result, a task's
    /// report), so that later turns see it.
    public func record(user text: String, assistant answer: String, usage turnUsage: TokenUsage = TokenUsage()) throws(SparksError) {
        let user = ChatMessage.user(text)
        let reply = ChatMessage.assistant(answer)
        messages.append(user)
        messages.append(reply)
        usage = usage + turnUsage
        try store.appendMessage(user, to: conversation)
        try store.appendMessage(reply, to: conversation)
    }

    /// The conversation so far, without the system prompt.
    public var history: [ChatMessage] { Array(messages.dropFirst()) }

    public var key: String { sessionKey }

    /// Starts over with an empty conversation.
    public func reset() throws(SparksError) {
        conversation = try store.createConversation(sessionKey: sessionKey, title: "chat")
        messages = [.system(Self.systemPrompt)]
    }

    public func availableModels() async throws(SparksError) -> [String] {
        try await model.listModels()
    }
}
