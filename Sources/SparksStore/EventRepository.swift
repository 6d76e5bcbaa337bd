import Foundation
import GRDB
import SparksCore

/// One recorded event: what happened, when, to which task.
public struct EventRecord: Sendable, Hashable {
    public var id: Int64
    public var createdAt: Date
    public var category: String
    public var taskID: UUID?
    public var spark: String?
    public var sessionKey: String?
    public var message: String
    /// JSON text with the event's details.
    public var details: String?
}

extension SparksStore {
    /// Records an event in the event log, which every process writes and the observer stream
    /// tails. Best effort: an event that cannot be written is dropped (and false returned) rather
    /// than failing the work it describes.
    @discardableResult
    public func emit(_ category: EventCategory, _ message: String, taskID: UUID? = nil, spark: String? = nil,
                     session: String? = nil, details: JSONValue? = nil, at date: Date = Date()) -> Bool {
        do {
            let redactor = self.redactor
            try appendEvent(category: category.rawValue, message: redactor.redactKnown(message), taskID: taskID, spark: spark,
                            sessionKey: session, details: details.map { redactor.redactKnown($0.canonicalText) }, at: date)
            return true
        } catch {
            return false
        }
    }

    /// Events after `id` (exclusive), oldest first: what the observer stream sends next.
    public func observedEvents(after id: Int64, limit: Int = 500) throws(SparksError) -> [ObservedEvent] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit])
                .compactMap(Self.observedEvent)
        }
    }

    /// The newest event's id (0 when there is none).
    public func latestEventID() throws(SparksError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM events") ?? 0 }
    }

    static func observedEvent(_ row: Row) -> ObservedEvent? {
        guard let category = EventCategory(rawValue: row["category"]) else { return nil }
        return ObservedEvent(id: row["id"], timestamp: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
                             category: category, taskID: (row["task_id"] as String?).flatMap(UUID.init(uuidString:)),
                             spark: row["spark"], session: row["session_key"], message: row["message"],
                             details: (row["details"] as String?).flatMap(JSONValue.parse))
    }

    /// Records an event row. Details are JSON text.
    func appendEvent(category: String, message: String, taskID: UUID? = nil, spark: String? = nil,
                            sessionKey: String? = nil, details: String? = nil, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO events (created_at, category, task_id, spark, session_key, message, details)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Timestamp.string(date), category, taskID.map(Self.key), spark, sessionKey, message, details])
        }
    }

    /// Events, oldest first: of one task, or the newest `limit` of the given categories.
    public func events(taskID: UUID? = nil, categories: [String] = [], limit: Int = 200) throws(SparksError) -> [EventRecord] {
        try read { db in
            var clauses: [String] = []
            var arguments = StatementArguments()
            if let taskID {
                clauses.append("task_id = ?")
                _ = arguments.append(contentsOf: [Self.key(taskID)])
            }
            if !categories.isEmpty {
                clauses.append("category IN (\(databaseQuestionMarks(count: categories.count)))")
                _ = arguments.append(contentsOf: StatementArguments(categories))
            }
            let filter = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM events\(filter) ORDER BY id DESC LIMIT ?) ORDER BY id",
                                    arguments: arguments).map { row in
                EventRecord(id: row["id"], createdAt: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
                            category: row["category"], taskID: (row["task_id"] as String?).flatMap(UUID.init(uuidString:)),
                            spark: row["spark"], sessionKey: row["session_key"], message: row["message"], details: row["details"])
            }
        }
    }

    /// Deletes events older than `date`; returns how many.
    @discardableResult
    public func pruneEvents(before date: Date) throws(SparksError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM events WHERE created_at < ?", arguments: [Timestamp.string(date)])
            return db.changesCount
        }
    }
}
