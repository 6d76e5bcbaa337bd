import SparksCore
import SparksLLM

/// The system prompt and first message of a spark's conversation.
public enum PromptBuilder {
    public static func systemPrompt(spark: SparkDefinition, repository: String, toolNames: [String]) -> String {
        let canWrite = toolNames.contains { SparkDefinition.writeTools.contains($0) }
        return """
        You are \(spark.name), a spark (an autonomous agent) of Sparks. \(spark.description)
        Your role: \(spark.role.rawValue).

        You work in a repository at \(repository). All paths are relative to its root.
        Your tools: \(toolNames.joined(separator: ", ")).\(canWrite ? "" : " You cannot change files.")

        How to work:
        - Act instead of describing what you would do: call tools to look at files and to change them.
        - Read before you edit. file_edit needs the exact current text.
        - Paths outside the repository and files that hold secrets (.env, keys) are refused; do not try to get around it.
        - Do not repeat an identical tool call: its result would not change. If a call fails, change your approach.
        - When the task is done, answer in plain text without calling tools: say what you did and which files you changed.
        """
    }

    public static func taskMessage(goal: String, context: String?, memories: [RecalledMemory] = [],
                                   memoryTokenBudget: Int = 600) -> String {
        var text = "Task: \(goal)"
        if let context, !context.isEmpty { text += "\n\nContext:\n\(context)" }
        let recalled = memorySection(memories, tokenBudget: memoryTokenBudget)
        if !recalled.isEmpty { text += "\n\n" + recalled }
        return text
    }

    /// Recalled memories, best first, as many as fit in `tokenBudget` (a long one is cut to fit).
    public static func memorySection(_ memories: [RecalledMemory], tokenBudget: Int) -> String {
        let header = "Relevant memories from earlier work (they may be outdated; check before relying on them):"
        var used = TokenEstimator.estimate(header)
        var lines: [String] = []
        for memory in memories {
            var line = "- [\(memory.category)] " + memory.content.replacingOccurrences(of: "\n", with: " ")
            var cost = TokenEstimator.estimate(line) + 1
            if used + cost > tokenBudget {
                // Cut the line to the room left, if that leaves something worth reading.
                let room = tokenBudget - used - 1
                guard room >= 24 else { break }
                let characters = max(0, room * 3)
                line = String(line.prefix(characters)) + "…"
                cost = TokenEstimator.estimate(line) + 1
                if used + cost > tokenBudget { break }
            }
            lines.append(line)
            used += cost
        }
        return lines.isEmpty ? "" : ([header] + lines).joined(separator: "\n")
    }
}
