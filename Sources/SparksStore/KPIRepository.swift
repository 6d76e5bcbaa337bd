import Foundation
import GRDB
import SparksCore

/// A finished task as KPIs count it.
public struct KPIOutcome: Sendable, Hashable {
    public var taskID: UUID
    public var spark: String
    public var lane: String
    public var repo: String
    public var risk: String
    public var status: TaskStatus
    public var verifyExitCode: Int?
    public var rolledBack: Bool
    public var promptTokens: Int
    public var completionTokens: Int
    public var durationMs: Int
    public var finishedAt: Date

    public init(taskID: UUID, spark: String, lane: String, repo: String, risk: String, status: TaskStatus, verifyExitCode: Int?,
                rolledBack: Bool, promptTokens: Int, completionTokens: Int, durationMs: Int, finishedAt: Date) {
        self.taskID = taskID
        self.spark = spark
        self.lane = lane
        self.repo = repo
        self.risk = risk
        self.status = status
        self.verifyExitCode = verifyExitCode
        self.rolledBack = rolledBack
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.durationMs = durationMs
        self.finishedAt = finishedAt
    }
}

/// A stored KPI snapshot: its scope and the JSON of its numbers.
public struct KPISnapshotRecord: Sendable, Hashable {
    public var id: Int64
    public var capturedAt: Date
    public var lane: String?
    public var repo: String?
    public var risk: String?
    public var spark: String?
    public var data: String
}

extension SparksStore {
    /// Tasks that ended `succeeded` or `failed` since `since`, oldest first, optionally in a scope.
    public func kpiOutcomes(lane: String? = nil, repo: String? = nil, risk: String? = nil, spark: String? = nil,
                            since: Date? = nil) throws(SparksError) -> [KPIOutcome] {
        try read { db in
            var clauses = ["o.status IN ('succeeded', 'failed')"]
            var arguments = StatementArguments()
            for (column, value) in [("t.lane", lane), ("t.repo_label", repo), ("t.risk", risk), ("t.spark", spark)] {
                guard let value else { continue }
                clauses.append("\(column) = ?")
                _ = arguments.append(contentsOf: [value])
            }
            if let since {
                clauses.append("o.finished_at >= ?")
                _ = arguments.append(contentsOf: [Timestamp.string(since)])
            }
            let sql = """
                SELECT t.id, t.spark, t.lane, t.repo_label, t.repository, t.risk, o.status, o.verify_exit_code, o.rolled_back,
                       o.prompt_tokens, o.completion_tokens, o.duration_ms, o.finished_at
                FROM tasks t JOIN task_outcomes o ON o.task_id = t.id
                WHERE \(clauses.joined(separator: " AND ")) ORDER BY o.finished_at
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard let id = UUID(uuidString: row["id"]), let status = TaskStatus(rawValue: row["status"]) else { return nil }
                return KPIOutcome(taskID: id, spark: row["spark"], lane: row["lane"],
                                  repo: row["repo_label"] ?? TaskSpec.defaultRepoLabel(row["repository"]), risk: row["risk"],
                                  status: status, verifyExitCode: row["verify_exit_code"], rolledBack: (row["rolled_back"] as Int?) == 1,
                                  promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                                  durationMs: row["duration_ms"], finishedAt: Timestamp.date(row["finished_at"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    public func insertKPISnapshot(lane: String?, repo: String?, risk: String?, spark: String?, data: String,
                                  at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: "INSERT INTO kpi_snapshots (captured_at, lane, repo, risk, spark, data) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [Timestamp.string(date), lane, repo, risk, spark, data])
        }
    }

    /// Snapshots of a scope (nil matches only snapshots without that filter), newest first.
    public func kpiSnapshots(lane: String?, repo: String?, risk: String?, spark: String?, limit: Int = 20) throws(SparksError) -> [KPISnapshotRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM kpi_snapshots WHERE lane IS ? AND repo IS ? AND risk IS ? AND spark IS ?
                ORDER BY id DESC LIMIT ?
                """, arguments: [lane, repo, risk, spark, limit]).map { row in
                KPISnapshotRecord(id: row["id"], capturedAt: Timestamp.date(row["captured_at"]) ?? Date(timeIntervalSince1970: 0),
                                  lane: row["lane"], repo: row["repo"], risk: row["risk"], spark: row["spark"], data: row["data"])
            }
        }
    }
}
