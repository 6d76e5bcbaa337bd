import Foundation
import GRDB
import SparksCore

extension SparksStore {
    /// Knobs set while running (`sparks knobs set`, `/set`), oldest change first, so applying
    /// them in order gives the latest value of each.
    public func knobOverrides() throws(SparksError) -> [(key: String, value: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM runtime_knobs ORDER BY updated_at, key").map { ($0["key"], $0["value"]) }
        }
    }

    public func setKnob(_ key: String, value: String, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO runtime_knobs (key, value, updated_at) VALUES (?, ?, ?)",
                           arguments: [key, value, Timestamp.string(date)])
        }
    }

    /// Forgets a stored knob; false when none was stored under that key.
    @discardableResult
    public func deleteKnob(_ key: String) throws(SparksError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM runtime_knobs WHERE key = ?", arguments: [key])
            return db.changesCount > 0
        }
    }
}

extension SparksStore {
    /// Stores one self-metrics snapshot (JSON) and drops those older than a day.
    public func recordSelfMetrics(_ snapshot: String, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: "INSERT INTO self_metrics (at, snapshot) VALUES (?, ?)", arguments: [Timestamp.string(date), snapshot])
            try db.execute(sql: "DELETE FROM self_metrics WHERE at < ?", arguments: [Timestamp.string(date.addingTimeInterval(-86_400))])
        }
    }

    /// The newest self-metrics snapshots (JSON), newest first.
    public func selfMetrics(limit: Int = 1) throws(SparksError) -> [(at: Date, snapshot: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT at, snapshot FROM self_metrics ORDER BY at DESC LIMIT ?", arguments: [limit]).map {
                (Timestamp.date($0["at"]) ?? Date(timeIntervalSince1970: 0), $0["snapshot"])
            }
        }
    }
}

/// One stored alert rule, as written (the proactive module validates and matches it).
public struct AlertRuleRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var pattern: String
    public var target: String
    public var severity: String
    public var enabled: Bool
    public var silenceSecs: Int
}

extension SparksStore {
    public func alertRules() throws(SparksError) -> [AlertRuleRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_rules ORDER BY id").map {
                AlertRuleRecord(id: $0["id"], name: $0["name"], pattern: $0["pattern"], target: $0["target"], severity: $0["severity"],
                                enabled: $0["enabled"], silenceSecs: $0["silence_secs"])
            }
        }
    }

    /// Stores a new rule; returns its id.
    public func insertAlertRule(name: String, pattern: String, target: String, severity: String, silenceSecs: Int = 300)
        throws(SparksError) -> Int64
    {
        try write { db in
            try db.execute(sql: """
                INSERT INTO alert_rules (name, pattern, target, severity, enabled, silence_secs, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)
                """, arguments: [name, pattern, target, severity, silenceSecs, Timestamp.string(Date())])
            return db.lastInsertedRowID
        }
    }

    /// False when there is no rule with that id.
    public func deleteAlertRule(id: Int64) throws(SparksError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM alert_rules WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Flips a rule on or off; nil when there is no rule with that id, else whether it is now on.
    public func toggleAlertRule(id: Int64) throws(SparksError) -> Bool? {
        try write { db in
            try db.execute(sql: "UPDATE alert_rules SET enabled = 1 - enabled WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return nil }
            return try Bool.fetchOne(db, sql: "SELECT enabled FROM alert_rules WHERE id = ?", arguments: [id])
        }
    }

    /// Events after `id` (oldest first), at most `limit`: what a watcher has not seen yet.
    public func events(after id: Int64, limit: Int = 500) throws(SparksError) -> [EventRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]).map(Self.eventRecord)
        }
    }

    /// The events of a session (chat turns, routing) and of the tasks they mention, since `date`, oldest first.
    public func sessionEvents(_ session: String, since date: Date, limit: Int = 2000) throws(SparksError) -> [EventRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM events WHERE created_at >= ? AND (session_key = ?
                  OR task_id IN (SELECT task_id FROM events WHERE session_key = ? AND task_id IS NOT NULL))
                ORDER BY id LIMIT ?
                """, arguments: [Timestamp.string(date), session, session, limit]).map(Self.eventRecord)
        }
    }

    /// The sessions with events since `date`, most recent first.
    public func recentSessions(since date: Date, limit: Int = 20) throws(SparksError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT session_key FROM events WHERE session_key IS NOT NULL AND created_at >= ?
                GROUP BY session_key ORDER BY MAX(id) DESC LIMIT ?
                """, arguments: [Timestamp.string(date), limit])
        }
    }

    static func eventRecord(_ row: Row) -> EventRecord {
        EventRecord(id: row["id"], createdAt: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
                    category: row["category"], taskID: (row["task_id"] as String?).flatMap(UUID.init(uuidString:)),
                    spark: row["spark"], sessionKey: row["session_key"], message: row["message"], details: row["details"])
    }
}
