import Foundation
import SparksCore
import SparksLLM
import SparksObserve
import Synchronization

/// A chat model that reports each call of one task to its Langfuse trace as a generation: the
/// model, the tokens the provider reported, the latency, and the last input message and the
/// answer (truncated and redacted). The answer streams through unchanged.
final class TracedChatModel: ChatModel {
    let base: any ChatModel
    let trace: TaskTrace
    private let calls = Mutex(0)

    init(base: any ChatModel, trace: TaskTrace) {
        self.base = base
        self.trace = trace
    }

    var defaultModel: String { base.defaultModel }

    func listModels() async throws(SparksError) -> [String] { try await base.listModels() }

    func complete(_ request: ChatRequest) async throws(SparksError) -> ChatResponse {
        let start = Date()
        let response = try await base.complete(request)
        record(request, output: Self.describe(response.message.content ?? "", response.message.toolCalls.map(\.name)),
               usage: response.usage, estimated: response.usageEstimated, start: start)
        return response
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let upstream = base.stream(request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                let start = Date()
                var text = ""
                var tools: [String] = []
                var usage: TokenUsage?
                do {
                    for try await event in upstream {
                        switch event {
                        case .text(let piece): text += piece
                        case .toolCall(let call): tools.append(call.name)
                        case .usage(let reported): usage = reported
                        case .finished: break
                        }
                        continuation.yield(event)
                    }
                    record(request, output: Self.describe(text, tools), usage: usage ?? TokenUsage(), estimated: usage == nil, start: start)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func record(_ request: ChatRequest, output: String, usage: TokenUsage, estimated: Bool, start: Date) {
        let step = calls.withLock { count in
            count += 1
            return count
        }
        let input = request.messages.last.map { "\($0.role.rawValue): \($0.content ?? "")" } ?? ""
        trace.generation(step: step, model: request.model ?? base.defaultModel, input: input, output: output, usage: usage,
                         estimated: estimated, start: start, end: Date())
    }

    static func describe(_ text: String, _ tools: [String]) -> String {
        tools.isEmpty ? text : (text.isEmpty ? "" : text + "\n") + "tool calls: " + tools.joined(separator: ", ")
    }
}
