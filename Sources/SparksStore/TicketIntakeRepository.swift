import Foundation
import GRDB
import SparksCore

/// One ticket Sparks took in: the dedup key, the ticket as received (JSON), the task it became
/// and whether the result was written back.
public struct TicketIntakeRecord: Sendable, Hashable {
    /// `queued` (a task runs or will), `blocked` (the scanner or autonomy refused it), `synced`,
    /// `sync_failed`, `sync_skipped`.
    public var status: String
    public var dedupKey: String
    public var provider: String
    /// The configured source (`github:owner/name`).
    public var source: String
    /// The ticket as JSON (the intake module's `Ticket`).
    public var ticket: String
    /// `poll` or `webhook`.
    public var via: String
    public var taskID: UUID?
    public var receivedAt: Date
    public var syncedAt: Date?
    public var syncError: String?
    /// The task's status, when it has one.
    public var taskStatus: TaskStatus?
}

extension SparksStore {
    /// Takes a ticket in the first time its key is seen; false when it was taken in before, so
    /// the same ticket (polled twice, or polled and delivered by webhook) runs once.
    public func claimTicket(dedupKey: String, provider: String, source: String, ticket: String, via: String,
                            at date: Date = Date()) throws(SparksError) -> Bool {
        try write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO ticket_intake (dedup_key, provider, source, ticket, via, status, received_at)
                VALUES (?, ?, ?, ?, ?, 'claimed', ?)
                """, arguments: [dedupKey, provider, source, ticket, via, Timestamp.string(date)])
            return db.changesCount == 1
        }
    }

    /// Records the task a claimed ticket became and its state (`queued` or `blocked`).
    public func linkTicket(dedupKey: String, taskID: UUID?, status: String) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE ticket_intake SET task_id = ?, status = ? WHERE dedup_key = ?",
                           arguments: [taskID?.uuidString.lowercased(), status, dedupKey])
        }
    }

    /// Forgets a claim whose task could not be created, so the next poll tries again.
    public func releaseTicket(dedupKey: String) throws(SparksError) {
        try write { db in
            try db.execute(sql: "DELETE FROM ticket_intake WHERE dedup_key = ? AND task_id IS NULL", arguments: [dedupKey])
        }
    }

    /// Tickets whose task ended (or was blocked) and whose result is not written back yet, oldest first.
    public func ticketsAwaitingWriteBack(limit: Int = 25) throws(SparksError) -> [TicketIntakeRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.*, t.status AS task_status FROM ticket_intake i LEFT JOIN tasks t ON t.id = i.task_id
                WHERE (i.status = 'queued' AND t.status IN ('succeeded', 'failed', 'interrupted', 'cancelled'))
                   OR i.status = 'blocked'
                ORDER BY i.received_at LIMIT ?
                """, arguments: [limit]).map(Self.ticketRecord)
        }
    }

    /// Marks a ticket `synced`, `sync_failed` or `sync_skipped`.
    public func markTicketSynced(dedupKey: String, status: String, error: String? = nil, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE ticket_intake SET status = ?, sync_error = ?, synced_at = ? WHERE dedup_key = ?",
                           arguments: [status, error, Timestamp.string(date), dedupKey])
        }
    }

    /// The newest tickets taken in.
    public func ticketIntake(limit: Int = 50) throws(SparksError) -> [TicketIntakeRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.*, t.status AS task_status FROM ticket_intake i LEFT JOIN tasks t ON t.id = i.task_id
                ORDER BY i.received_at DESC LIMIT ?
                """, arguments: [limit]).map(Self.ticketRecord)
        }
    }

    /// The intake row of a task, when the task came from a ticket.
    public func ticketIntake(taskID: UUID) throws(SparksError) -> TicketIntakeRecord? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT i.*, t.status AS task_status FROM ticket_intake i LEFT JOIN tasks t ON t.id = i.task_id
                WHERE i.task_id = ?
                """, arguments: [taskID.uuidString.lowercased()]).map(Self.ticketRecord)
        }
    }

    static func ticketRecord(_ row: Row) -> TicketIntakeRecord {
        TicketIntakeRecord(
            status: row["status"], dedupKey: row["dedup_key"], provider: row["provider"], source: row["source"],
            ticket: row["ticket"], via: row["via"], taskID: (row["task_id"] as String?).flatMap(UUID.init(uuidString:)),
            receivedAt: Timestamp.date(row["received_at"]) ?? Date(timeIntervalSince1970: 0), syncedAt: Timestamp.date(row["synced_at"]),
            syncError: row["sync_error"], taskStatus: (row["task_status"] as String?).flatMap(TaskStatus.init(rawValue:)))
    }
}
