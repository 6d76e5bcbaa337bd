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
