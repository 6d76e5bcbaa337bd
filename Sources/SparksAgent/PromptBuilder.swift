import SparksCore

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

    public static func taskMessage(goal: String, context: String?) -> String {
        var text = "Task: \(goal)"
        if let context, !context.isEmpty { text += "\n\nContext:\n\(context)" }
        return text
    }
}
