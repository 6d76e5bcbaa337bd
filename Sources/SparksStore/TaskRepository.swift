import Foundation
import GRDB
import SparksCore

extension SparksStore {
    /// Records a task as running, owned by `owner` (a task started directly, not through the queue).
    public func insertTask(_ spec: TaskSpec, owner: OwnerIdentity = .current(), at date: Date = Date()) throws(SparksError) {
        try write { db in
            try Self.insert(spec, status: .running, db: db, at: date)
            try Self.startAttempt(id: spec.id, owner: owner, db: db, at: date)
        }
    }

    /// Puts a task in the queue. It runs when a worker claims it (`claimNextTask`).
    public func enqueueTask(_ spec: TaskSpec, notBefore: Date? = nil, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try Self.insert(spec, status: .queued, db: db, at: date)
            if let notBefore {
                try db.execute(sql: "UPDATE tasks SET not_before = ? WHERE id = ?",
                               arguments: [Timestamp.string(notBefore), Self.key(spec.id)])
            }
        }
    }

    private static func insert(_ spec: TaskSpec, status: TaskStatus, db: Database, at date: Date) throws {
        let now = Timestamp.string(date)
        try db.execute(
            sql: """
                INSERT INTO tasks (id, goal, context, spark, repository, lane, risk, status, created_at, updated_at,
                                   priority, max_attempts, source, repo_label, verify_command, wait_secs, spark_explicit,
                                   parent_id, base_ref, cli_tool)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [key(spec.id), spec.goal, spec.context, spec.spark, spec.repository, spec.lane, spec.risk,
                        status.rawValue, now, now, spec.priority, spec.maxAttempts, spec.source, spec.repoLabel,
                        spec.verify, spec.waitSecs, spec.sparkExplicit, spec.parentID.map(key), spec.baseRef, spec.cliTool])
    }

    /// Marks the task running for `owner`, counts the attempt and opens its attempt row.
    static func startAttempt(id: UUID, owner: OwnerIdentity, db: Database, at date: Date) throws {
        let now = Timestamp.string(date)
        try db.execute(
            sql: """
                UPDATE tasks SET status = ?, owner = ?, attempts = attempts + 1, started_at = ?, heartbeat_at = ?,
                                 not_before = NULL, updated_at = ?
                WHERE id = ?
                """,
            arguments: [TaskStatus.running.rawValue, owner.description, now, now, now, key(id)])
        let attempt = try Int.fetchOne(db, sql: "SELECT attempts FROM tasks WHERE id = ?", arguments: [key(id)]) ?? 1
        try db.execute(
            sql: "INSERT OR REPLACE INTO task_attempts (task_id, attempt, owner, status, started_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [key(id), attempt, owner.description, TaskStatus.running.rawValue, now])
    }

    static func closeAttempt(id: UUID, status: String, reason: String?, detail: String?, db: Database, at now: String) throws {
        try db.execute(
            sql: """
                UPDATE task_attempts SET status = ?, reason = ?, detail = ?, finished_at = ?
                WHERE task_id = ? AND attempt = (SELECT attempts FROM tasks WHERE id = ?) AND finished_at IS NULL
                """,
            arguments: [status, reason, detail, now, key(id), key(id)])
    }

    /// Every start of a task, first first.
    public func attempts(taskID: UUID) throws(SparksError) -> [TaskAttempt] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM task_attempts WHERE task_id = ? ORDER BY attempt", arguments: [Self.key(taskID)])
                .map { row in
                    TaskAttempt(attempt: row["attempt"], owner: row["owner"], status: row["status"], reason: row["reason"],
                                detail: row["detail"], startedAt: Timestamp.date(row["started_at"]) ?? Date(timeIntervalSince1970: 0),
                                finishedAt: Timestamp.date(row["finished_at"]))
                }
        }
    }

    /// Records the clone a task works in.
    public func recordWorkspace(taskID: UUID, path: String, branch: String, baseCommit: String, source: String) throws(SparksError) {
        try write { db in
            try db.execute(
                sql: "UPDATE tasks SET workspace = ?, branch = ?, base_commit = ?, source_repository = ?, updated_at = ? WHERE id = ?",
                arguments: [path, branch, baseCommit, source, Timestamp.string(Date()), Self.key(taskID)])
        }
    }

    /// Notes that a task's changes were merged into its repository.
    public func markApplied(taskID: UUID, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE tasks SET applied_at = ? WHERE id = ?", arguments: [Timestamp.string(date), Self.key(taskID)])
        }
    }

    /// Notes that a task's changes were reverted or thrown away after it finished: KPIs count it
    /// as a rollback.
    public func markRolledBack(taskID: UUID) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE task_outcomes SET rolled_back = 1 WHERE task_id = ?", arguments: [Self.key(taskID)])
        }
    }

    /// Forgets a removed workspace.
    public func clearWorkspace(taskID: UUID) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE tasks SET workspace = NULL WHERE id = ?", arguments: [Self.key(taskID)])
        }
    }

    /// Tasks that still have a workspace on disk, newest first.
    public func tasksWithWorkspaces() throws(SparksError) -> [TaskRecord] {
        try read { db in
            try Row.fetchAll(db, sql: Self.taskSelect + " WHERE t.workspace IS NOT NULL ORDER BY t.created_at DESC")
                .compactMap(Self.taskRecord)
        }
    }

    /// Saves how far a running task has come, so an interrupted task still shows its steps and tokens.
    public func recordProgress(taskID: UUID, steps: Int, usage: TokenUsage) throws(SparksError) {
        try write { db in
            try db.execute(
                sql: "UPDATE tasks SET steps = ?, prompt_tokens = ?, completion_tokens = ?, updated_at = ?, heartbeat_at = ? WHERE id = ?",
                arguments: [steps, usage.promptTokens, usage.completionTokens, Timestamp.string(Date()), Timestamp.string(Date()),
                            Self.key(taskID)])
        }
    }

    /// Ends a task: its status, its outcome and its attempt change together or not at all.
    public func finishTask(_ outcome: TaskOutcome, at date: Date = Date()) throws(SparksError) {
        let now = Timestamp.string(date)
        let id = Self.key(outcome.taskID)
        try write { db in
            try Self.closeAttempt(id: outcome.taskID, status: outcome.status.rawValue, reason: outcome.reason?.rawValue,
                                  detail: outcome.error.map { String($0.prefix(500)) }, db: db, at: now)
            try db.execute(
                sql: """
                    UPDATE tasks SET status = ?, steps = ?, prompt_tokens = ?, completion_tokens = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [outcome.status.rawValue, outcome.steps, outcome.usage.promptTokens,
                            outcome.usage.completionTokens, now, id])
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO task_outcomes
                        (task_id, status, reason, summary, error, steps, prompt_tokens, completion_tokens, duration_ms,
                         finished_at, verify_exit_code)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, outcome.status.rawValue, outcome.reason?.rawValue, outcome.summary, outcome.error,
                            outcome.steps, outcome.usage.promptTokens, outcome.usage.completionTokens,
                            outcome.durationMs, now, outcome.verifyExitCode])
        }
    }

    /// The newest tasks first, optionally only those with one of `statuses`.
    public func recentTasks(limit: Int = 20, statuses: [TaskStatus] = []) throws(SparksError) -> [TaskRecord] {
        try read { db in
            var sql = Self.taskSelect
            var arguments = StatementArguments()
            if !statuses.isEmpty {
                sql += " WHERE t.status IN (\(databaseQuestionMarks(count: statuses.count)))"
                arguments = StatementArguments(statuses.map(\.rawValue))
            }
            sql += " ORDER BY t.created_at DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.taskRecord)
        }
    }

    /// Counts of tasks per status.
    public func taskCounts() throws(SparksError) -> [TaskStatus: Int] {
        try read { db in
            var counts: [TaskStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM tasks GROUP BY status") {
                if let status = TaskStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    /// One task by id, or by a unique prefix of its id.
    public func task(idPrefix: String) throws(SparksError) -> TaskRecord? {
        let rows = try read { db in
            try Row.fetchAll(db, sql: Self.taskSelect + " WHERE t.id LIKE ? ORDER BY t.created_at DESC LIMIT 2",
                             arguments: [idPrefix.lowercased() + "%"])
        }
        guard rows.count == 1 else {
            if rows.count > 1 {
                throw SparksError(.invalidInput, "task id prefix \"\(idPrefix)\" matches more than one task",
                                  hint: "give more characters of the id")
            }
            return nil
        }
        return Self.taskRecord(rows[0])
    }

    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }

    private static let taskSelect = """
        SELECT t.*, o.reason, o.summary, o.error, o.duration_ms, o.finished_at, o.verify_exit_code, o.rolled_back
        FROM tasks t LEFT JOIN task_outcomes o ON o.task_id = t.id
        """

    private static func taskRecord(_ row: Row) -> TaskRecord? {
        guard let id = UUID(uuidString: row["id"]), let status = TaskStatus(rawValue: row["status"]) else { return nil }
        var record = TaskRecord(
            id: id, goal: row["goal"], context: row["context"], spark: row["spark"], repository: row["repository"],
            lane: row["lane"], risk: row["risk"], status: status, steps: row["steps"],
            usage: TokenUsage(promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"]),
            createdAt: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            reason: (row["reason"] as String?).map(ReasonCode.init(rawValue:)), summary: row["summary"],
            error: row["error"], durationMs: row["duration_ms"], finishedAt: Timestamp.date(row["finished_at"]),
            workspace: row["workspace"], branch: row["branch"], baseCommit: row["base_commit"],
            sourceRepository: row["source_repository"], appliedAt: Timestamp.date(row["applied_at"]))
        record.priority = row["priority"]
        record.attempts = row["attempts"]
        record.maxAttempts = row["max_attempts"]
        record.source = row["source"]
        record.repoLabel = row["repo_label"] ?? TaskSpec.defaultRepoLabel(record.repository)
        record.verifyCommand = row["verify_command"]
        record.cliTool = row["cli_tool"]
        record.verifyExitCode = row["verify_exit_code"]
        record.rolledBack = (row["rolled_back"] as Int?) == 1
        record.cancelRequested = (row["cancel_requested"] as Int?) == 1
        record.sparkExplicit = (row["spark_explicit"] as Int?) != 0
        record.waitSecs = row["wait_secs"]
        record.notBefore = Timestamp.date(row["not_before"])
        record.startedAt = Timestamp.date(row["started_at"])
        record.owner = row["owner"]
        record.parentID = (row["parent_id"] as String?).flatMap(UUID.init(uuidString:))
        record.baseRef = row["base_ref"]
        return record
    }
}
