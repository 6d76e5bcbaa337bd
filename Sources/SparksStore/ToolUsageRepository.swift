import Foundation
import GRDB
import SparksCore

extension SparksStore {
    /// Counts one tool invocation and how it went.
    public func recordToolUsage(tool: String, succeeded: Bool, durationMs: Int, error: String? = nil) throws(SparksError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO tool_usage (tool_name, invocation_count, success_count, failure_count, total_duration_ms, last_used, last_error)
                    VALUES (?, 1, ?, ?, ?, ?, ?)
                    ON CONFLICT(tool_name) DO UPDATE SET
                        invocation_count = invocation_count + 1,
                        success_count = success_count + excluded.success_count,
                        failure_count = failure_count + excluded.failure_count,
                        total_duration_ms = total_duration_ms + excluded.total_duration_ms,
                        last_used = excluded.last_used,
                        last_error = COALESCE(excluded.last_error, last_error)
                    """,
                arguments: [tool, succeeded ? 1 : 0, succeeded ? 0 : 1, durationMs, Timestamp.string(Date()),
                            error.map { String($0.prefix(500)) }])
        }
    }

    public func toolUsage() throws(SparksError) -> [ToolUsageRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tool_usage ORDER BY invocation_count DESC, tool_name").map { row in
                let count: Int = row["invocation_count"]
                let total: Int = row["total_duration_ms"]
                return ToolUsageRecord(toolName: row["tool_name"], invocations: count, successes: row["success_count"],
                                       failures: row["failure_count"],
                                       averageDurationMs: count == 0 ? 0 : Double(total) / Double(count),
                                       lastError: row["last_error"])
            }
        }
    }
}
