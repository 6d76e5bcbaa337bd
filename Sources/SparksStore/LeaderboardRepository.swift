import Foundation
import GRDB
import SparksCore

/// A summary of one eval run, for the dashboard's trend.
public struct EvalRunRecord: Sendable, Hashable {
    public var id: String
    public var suite: String
    public var finishedAt: Date
    public var provider: String?
    public var model: String?
    public var overall: Double
    public var passRate: Double
    public var gateOK: Bool
    public var tasks: Int
    public var reportPath: String?

    public init(id: String, suite: String, finishedAt: Date, provider: String?, model: String?, overall: Double, passRate: Double,
                gateOK: Bool, tasks: Int, reportPath: String?) {
        self.id = id
        self.suite = suite
        self.finishedAt = finishedAt
        self.provider = provider
        self.model = model
        self.overall = overall
        self.passRate = passRate
        self.gateOK = gateOK
        self.tasks = tasks
        self.reportPath = reportPath
    }
}

extension SparksStore {
    /// Rates a finished task: +1 good, -1 bad, 0 neutral (a later rating replaces it).
    public func rateTask(_ taskID: UUID, rating: Int, note: String?) throws(SparksError) {
        guard (-1...1).contains(rating) else { throw SparksError(.invalidInput, "a rating is -1, 0 or 1, not \(rating)") }
        try write { db in
            try db.execute(sql: """
                INSERT INTO task_ratings (task_id, rating, note, rated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(task_id) DO UPDATE SET rating = excluded.rating, note = excluded.note, rated_at = excluded.rated_at
                """, arguments: [taskID.uuidString.lowercased(), rating, note, Timestamp.string(Date())])
        }
    }

    /// Every rating, by task.
    public func taskRatings() throws(SparksError) -> [UUID: Int] {
        try read { db in
            var ratings: [UUID: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT task_id, rating FROM task_ratings") {
                if let id = UUID(uuidString: row["task_id"]) { ratings[id] = row["rating"] }
            }
            return ratings
        }
    }

    /// When the leaderboard was last reset; outcomes before it no longer count there.
    public func lastLeaderboardReset() throws(SparksError) -> Date? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT reset_at FROM leaderboard_resets ORDER BY id DESC LIMIT 1").flatMap(Timestamp.date)
        }
    }

    /// Starts the leaderboard afresh from now; the outcomes themselves stay (KPIs keep them).
    @discardableResult
    public func resetLeaderboard(at date: Date = Date()) throws(SparksError) -> Date {
        try write { db in
            try db.execute(sql: "INSERT INTO leaderboard_resets (reset_at) VALUES (?)", arguments: [Timestamp.string(date)])
        }
        return date
    }

    public func recordEvalRun(_ run: EvalRunRecord) throws(SparksError) {
        try write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO eval_runs (id, suite, finished_at, provider, model, overall, pass_rate, gate_ok, tasks, report_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.id, run.suite, Timestamp.string(run.finishedAt), run.provider, run.model, run.overall, run.passRate,
                                 run.gateOK ? 1 : 0, run.tasks, run.reportPath])
        }
    }

    /// The latest eval runs, newest first.
    public func evalRuns(limit: Int = 50) throws(SparksError) -> [EvalRunRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM eval_runs ORDER BY finished_at DESC LIMIT ?", arguments: [limit]).map { row in
                EvalRunRecord(id: row["id"], suite: row["suite"], finishedAt: Timestamp.date(row["finished_at"]) ?? Date(timeIntervalSince1970: 0),
                              provider: row["provider"], model: row["model"], overall: row["overall"], passRate: row["pass_rate"],
                              gateOK: (row["gate_ok"] as Int) == 1, tasks: row["tasks"], reportPath: row["report_path"])
            }
        }
    }
}
