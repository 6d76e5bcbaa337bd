import Foundation
import GRDB
import SparksCore

/// How often one coding CLI succeeded in one repository and lane.
public struct CLIToolStats: Sendable, Hashable {
    public var cli: String
    public var runs: Int
    public var successes: Int
    public var successRate: Double { runs == 0 ? 0 : Double(successes) / Double(runs) }
}

extension SparksStore {
    public func recordCLIToolRun(cli: String, repo: String, lane: String, ok: Bool, durationMs: Int, taskID: UUID?,
                                 at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO cli_tool_runs (cli, repo, lane, ok, duration_ms, task_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [cli, repo, lane, ok, durationMs, taskID?.uuidString.lowercased(), Timestamp.string(date)])
        }
    }

    /// Each CLI's runs and successes in a repository and lane.
    public func cliToolStats(repo: String, lane: String) throws(SparksError) -> [CLIToolStats] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT cli, COUNT(*) AS runs, SUM(ok) AS successes FROM cli_tool_runs WHERE repo = ? AND lane = ?
                GROUP BY cli ORDER BY cli
                """, arguments: [repo, lane]).map { CLIToolStats(cli: $0["cli"], runs: $0["runs"], successes: $0["successes"] ?? 0) }
        }
    }
}
