import Foundation
import SparksCore

/// `memory_search(query, k?)`: what Sparks remembers that is relevant to `query`.
public struct MemorySearchTool: Tool {
    public init() {}
    public let name = "memory_search"
    public let description = "Search Sparks' long-term memory (lessons from earlier tasks, facts people stored, code "
        + "structure) by meaning and keywords. Returns the most relevant memories, best first."
    public let risk = ToolRisk.read
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["query": ["type": "string", "description": "What to look for, in plain words"],
                        "k": ["type": "integer", "description": "How many memories (1-20, default 5)"]],
         "required": ["query"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        guard let memory = context.memory else {
            throw SparksError(.toolFailed, "memory_search: memory is not available in this task")
        }
        let query = try arguments.requiredString("query", "text", "q")
        let k = min(max(try arguments.optionalInt("k") ?? 5, 1), 20)
        let found = try await memory.recall(query, limit: k)
        guard !found.isEmpty else { return ToolOutput("No memories match \"\(query)\".") }
        let lines = found.map { item in
            "- [\(item.category)] \(item.content) (id \(item.id.prefix(8)), score \(String(format: "%.2f", item.score)))"
        }
        return ToolOutput(lines.joined(separator: "\n"))
    }
}

/// `memory_store(category, content)`: remember something for later tasks.
public struct MemoryStoreTool: Tool {
    public init() {}
    public let name = "memory_store"
    public let description = "Store a short, durable fact or lesson in Sparks' long-term memory for later tasks "
        + "(e.g. how a project builds, a pitfall you hit). Near-duplicates update the existing memory. Never store secrets."
    public let risk = ToolRisk.write
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["category": ["type": "string", "description": "One word: fact, lesson, code_structure, pattern, …"],
                        "content": ["type": "string", "description": "The memory, one or two sentences (at most 1000 characters)"]],
         "required": ["category", "content"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        guard let memory = context.memory, let source = context.memorySource else {
            throw SparksError(.toolFailed, "memory_store: memory is not available in this task")
        }
        let category = try arguments.requiredString("category", "kind", "type")
        let content = try arguments.requiredString("content", "text", "memory")
        guard content.count <= 1000 else {
            throw SparksError(.toolArguments, "memory_store: `content` is \(content.count) characters; keep it under 1000")
        }
        // Secrets never go into memory, which is recalled into later prompts.
        let redacted = Redactor().redact(content)
        guard redacted == content else {
            throw SparksError(.toolArguments, "memory_store: the text looks like it contains a secret (a key or token); store it without")
        }
        let stored = try await memory.remember(category: category, content: content, source: source)
        return ToolOutput(stored.updatedExisting ? "Updated an existing, near-identical memory (id \(stored.id.prefix(8)))."
                              : "Stored (id \(stored.id.prefix(8))).")
    }
}
