import Foundation
import GRDB
import SparksCore

extension SparksStore {
    /// Records a delivery id the first time it is seen; false when it was seen before (a replay).
    public func recordDelivery(source: String, id: String, at date: Date = Date()) throws(SparksError) -> Bool {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO webhook_deliveries (source, delivery_id, received_at) VALUES (?, ?, ?)",
                           arguments: [source, id, Timestamp.string(date)])
            return db.changesCount == 1
        }
    }

    /// Links a delivery to the task it created.
    public func linkDelivery(source: String, id: String, taskID: UUID) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE webhook_deliveries SET task_id = ? WHERE source = ? AND delivery_id = ?",
                           arguments: [taskID.uuidString.lowercased(), source, id])
        }
    }
}
