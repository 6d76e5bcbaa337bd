import Foundation
import GRDB
import SparksCore

/// A finished task as KPI-driven selection sees it: which spark, how it ended, whether its verify
/// command passed and whether its changes were rolled back.
public struct ScopeOutcome: Sendable, Hashable {
    public var taskID: UUID
    public var spark: String
    public var status: TaskStatus
    /// nil when no verify command ran.
    public var verifyExitCode: Int?
    public var rolledBack: Bool
    public var finishedAt: Date

    public init(taskID: UUID, spark: String, status: TaskStatus, verifyExitCode: Int?, rolledBack: Bool, finishedAt: Date) {
        self.taskID = taskID
        self.spark = spark
        self.status = status
        self.verifyExitCode = verifyExitCode
        self.rolledBack = rolledBack
        self.finishedAt = finishedAt
    }
}

/// A recorded choice of spark, with its reasons.
public struct SelectionRecord: Sendable, Hashable {
    public var taskID: UUID?
    public var repo: String
    public var lane: String
    public var risk: String
    public var selected: String
    public var baseline: String
    public var action: String
    public var reasonCodes: [String]
    public var explanation: String
    public var createdAt: Date

    public init(taskID: UUID?, repo: String, lane: String, risk: String, selected: String, baseline: String, action: String,
                reasonCodes: [String], explanation: String, createdAt: Date = Date()) {
        self.taskID = taskID
        self.repo = repo
        self.lane = lane
        self.risk = risk
        self.selected = selected
        self.baseline = baseline
        self.action = action
        self.reasonCodes = reasonCodes
        self.explanation = explanation
        self.createdAt = createdAt
    }
}

extension SparksStore {
    /// Tasks that ended succeeded or failed in a (repo, lane, risk) scope, newest first. Cancelled
    /// and interrupted tasks say nothing about a spark and are left out.
    public func scopeOutcomes(repo: String, lane: String, risk: String, limit: Int = 500) throws(SparksError) -> [ScopeOutcome] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.id, t.spark, o.status, o.verify_exit_code, o.rolled_back, o.finished_at
                FROM tasks t JOIN task_outcomes o ON o.task_id = t.id
                WHERE t.repo_label = ? AND t.lane = ? AND t.risk = ? AND o.status IN ('succeeded', 'failed')
                ORDER BY o.finished_at DESC LIMIT ?
                """, arguments: [repo, lane, risk, limit])
                .compactMap { row in
                    guard let id = UUID(uuidString: row["id"]), let status = TaskStatus(rawValue: row["status"]) else { return nil }
                    return ScopeOutcome(taskID: id, spark: row["spark"], status: status, verifyExitCode: row["verify_exit_code"],
                                        rolledBack: (row["rolled_back"] as Int?) == 1,
                                        finishedAt: Timestamp.date(row["finished_at"]) ?? Date(timeIntervalSince1970: 0))
                }
        }
    }

    /// The spark the policy chose last in a scope (the "active" choice); explicit choices by a
    /// person and an A/B test's detours do not count.
    public func lastSelectedSpark(repo: String, lane: String, risk: String) throws(SparksError) -> String? {
        try read { db in
            try String.fetchOne(db, sql: """
                SELECT selected FROM spark_selections WHERE repo = ? AND lane = ? AND risk = ? AND action != 'ab_test'
                ORDER BY id DESC LIMIT 1
                """, arguments: [repo, lane, risk])
        }
    }

    public func recordSelection(_ selection: SelectionRecord) throws(SparksError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO spark_selections (task_id, repo, lane, risk, selected, baseline, action, reason_codes, explanation, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [selection.taskID.map(Self.key), selection.repo, selection.lane, selection.risk, selection.selected,
                                 selection.baseline, selection.action, selection.reasonCodes.joined(separator: ","),
                                 selection.explanation, Timestamp.string(selection.createdAt)])
        }
    }

    /// The selection recorded for a task, if its spark was chosen by policy.
    public func selection(taskID: UUID) throws(SparksError) -> SelectionRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM spark_selections WHERE task_id = ? ORDER BY id DESC LIMIT 1",
                             arguments: [Self.key(taskID)]).map { row in
                SelectionRecord(taskID: (row["task_id"] as String?).flatMap(UUID.init(uuidString:)), repo: row["repo"],
                                lane: row["lane"], risk: row["risk"], selected: row["selected"], baseline: row["baseline"],
                                action: row["action"],
                                reasonCodes: (row["reason_codes"] as String).split(separator: ",").map(String.init),
                                explanation: row["explanation"],
                                createdAt: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }
}
