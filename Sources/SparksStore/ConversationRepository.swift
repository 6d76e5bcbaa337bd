import Foundation
import GRDB
import SparksCore

extension SparksStore {
    /// Starts a conversation: a REPL session (`session_key` `cli:local`) or a task's transcript.
    public func createConversation(sessionKey: String, taskID: UUID? = nil, title: String? = nil) throws(SparksError) -> UUID {
        let id = UUID()
        let now = Timestamp.string(Date())
        try write { db in
            try db.execute(
                sql: "INSERT INTO conversations (id, session_key, task_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id.uuidString.lowercased(), sessionKey, taskID?.uuidString.lowercased(), title, now, now])
        }
        return id
    }

    public func appendMessage(_ message: ChatMessage, to conversation: UUID) throws(SparksError) {
        let now = Timestamp.string(Date())
        let toolCalls: String? = message.toolCalls.isEmpty ? nil : {
            let data = (try? JSONEncoder().encode(message.toolCalls)) ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self)
        }()
        let redactor = self.redactor
        let content = message.content.map { redactor.redactKnown($0) }
        let calls = toolCalls.map { redactor.redactKnown($0) }
        try write { db in
            try db.execute(
                sql: "INSERT INTO messages (conversation_id, role, content, tool_calls, tool_call_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [conversation.uuidString.lowercased(), message.role.rawValue, content, calls,
                            message.toolCallID, now])
            try db.execute(sql: "UPDATE conversations SET updated_at = ? WHERE id = ?",
                           arguments: [now, conversation.uuidString.lowercased()])
        }
    }

    public func messages(in conversation: UUID) throws(SparksError) -> [ChatMessage] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT role, content, tool_calls, tool_call_id FROM messages WHERE conversation_id = ? ORDER BY id",
                             arguments: [conversation.uuidString.lowercased()])
                .map { row in
                    let calls = (row["tool_calls"] as String?).flatMap {
                        try? JSONDecoder().decode([ToolCall].self, from: Data($0.utf8))
                    } ?? []
                    return ChatMessage(role: ChatRole(rawValue: row["role"]) ?? .user, content: row["content"],
                                       toolCalls: calls, toolCallID: row["tool_call_id"])
                }
        }
    }

    /// The transcript conversation of a task, if one was recorded.
    public func conversation(forTask taskID: UUID) throws(SparksError) -> UUID? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT id FROM conversations WHERE task_id = ? ORDER BY created_at LIMIT 1",
                                arguments: [taskID.uuidString.lowercased()])
        }.flatMap(UUID.init(uuidString:))
    }
}

extension SparksStore {
    /// The chat conversation (not a task's) of a session most recently active, if any.
    public func latestConversation(sessionKey: String) throws(SparksError) -> UUID? {
        try read { db in
            try String.fetchOne(db, sql: """
                SELECT id FROM conversations WHERE session_key = ? AND task_id IS NULL ORDER BY updated_at DESC LIMIT 1
                """, arguments: [sessionKey]).flatMap(UUID.init(uuidString:))
        }
    }
}
