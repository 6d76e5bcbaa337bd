import SparksCore
import SparksLLM

/// Keeps a conversation inside the model's context window. Past 80 % of the window, the middle of
/// the conversation becomes a short digest: the system prompt, the task, and the latest messages
/// stay whole. A tool result is never separated from the call it answers.
public struct ContextCompactor: Sendable {
    public var contextWindow: Int
    public var threshold: Double = 0.8
    public var keepLast: Int = 6

    public init(contextWindow: Int) {
        self.contextWindow = contextWindow
    }

    public func needsCompaction(_ messages: [ChatMessage], lastPromptTokens: Int?) -> Bool {
        let estimate = max(lastPromptTokens ?? 0, TokenEstimator.estimate(messages))
        return Double(estimate) > Double(contextWindow) * threshold
    }

    public func compact(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard messages.count > 2 + keepLast else { return shrinkLongMessages(messages) }
        var tailStart = messages.count - keepLast
        // Start the kept tail at a message that is not a tool result, so every kept tool result
        // still follows the assistant message that called it.
        while tailStart > 2, messages[tailStart].role == .tool { tailStart -= 1 }
        guard tailStart > 2 else { return shrinkLongMessages(messages) }
        var digest: [String] = []
        for message in messages[2..<tailStart] {
            switch message.role {
            case .assistant:
                for call in message.toolCalls { digest.append("Called: \(call.name) \(call.arguments.prefix(120))") }
                if let text = message.content, !text.isEmpty { digest.append("Said: \(text.prefix(80))") }
            case .tool:
                digest.append("Result: \((message.content ?? "").prefix(80).replacingOccurrences(of: "\n", with: " "))")
            default:
                digest.append("Note: \((message.content ?? "").prefix(80))")
            }
        }
        let summary = ChatMessage.user("[Earlier steps, condensed to fit the context window]\n" + digest.joined(separator: "\n"))
        let compacted = Array(messages[0..<2]) + [summary] + Array(messages[tailStart...])
        return needsCompaction(compacted, lastPromptTokens: nil) ? shrinkLongMessages(compacted) : compacted
    }

    /// Last resort: cut long tool results in what is kept.
    private func shrinkLongMessages(_ messages: [ChatMessage]) -> [ChatMessage] {
        let budget = max(500, contextWindow / 8 * 4)
        return messages.map { message in
            guard message.role == .tool, let text = message.content, text.count > budget else { return message }
            var copy = message
            copy.content = String(text.prefix(budget)) + "\n[… cut to fit the context window …]"
            return copy
        }
    }
}
