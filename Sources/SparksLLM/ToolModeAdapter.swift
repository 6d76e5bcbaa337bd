import Synchronization
import SparksCore

/// Wraps a model so that tools work whether or not it supports native tool calls.
public final class ToolModeAdapter: ChatModel {
    private let base: any ChatModel
    private let style: ToolCallStyle
    private let useJSON: Mutex<Bool>
    private let calls = Mutex(0)
    private let jsonProtocol: JSONToolProtocol

    public init(base: any ChatModel, style: ToolCallStyle) {
        self.base = base
        self.style = style
        self.useJSON = Mutex(style == .json || style == .constrained)
        self.jsonProtocol = JSONToolProtocol(constrained: style == .constrained)
    }

    public var defaultModel: String { base.defaultModel }

    /// True once requests go through the JSON-in-text protocol.
    public var usesJSONTools: Bool { useJSON.withLock { $0 } }

    public func listModels() async throws(SparksError) -> [String] { try await base.listModels() }

    public func complete(_ request: ChatRequest) async throws(SparksError) -> ChatResponse {
        try await respond(request)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        if request.tools.isEmpty || !usesJSONTools {
            guard !request.tools.isEmpty, style == .auto else { return base.stream(request) }
            return fallbackStream(request)
        }
        return jsonStream(request)
    }

    /// Native first; if the very first answer is "tools unsupported", switch to JSON and retry.
    private func fallbackStream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in base.stream(request) { continuation.yield(event) }
                    continuation.finish()
                } catch let error as SparksError where error.code == .llmToolsUnsupported {
                    useJSON.withLock { $0 = true }
                    do {
                        for try await event in jsonStream(request) { continuation.yield(event) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// JSON mode cannot show text as it streams: a reply is only known to be text, not a tool
    /// call, once it is complete.
    private func jsonStream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await base.complete(jsonProtocol.encode(request))
                    let number = calls.withLock { count in
                        count += 1
                        return count
                    }
                    let message = jsonProtocol.decode(response.message.content ?? "", offered: request.tools, callNumber: number)
                    if let text = message.content { continuation.yield(.text(text)) }
                    for call in message.toolCalls { continuation.yield(.toolCall(call)) }
                    continuation.yield(.usage(response.usage))
                    continuation.yield(.finished(message.toolCalls.isEmpty ? response.finishReason : .toolCalls))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
