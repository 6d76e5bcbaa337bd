import Foundation
import GRDB
import SparksCore

extension SparksStore {
    /// Records a task as running, owned by `owner`.
    public func insertTask(_ spec: TaskSpec, owner: OwnerIdentity = .current(), at date: Date = Date()) throws(SparksError) {
        let now = Timestamp.string(date)
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO tasks (id, goal, context, spark, repository, lane, risk, status, owner, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [spec.id.uuidString.lowercased(), spec.goal, spec.context, spec.spark, spec.repository,
                            spec.lane, spec.risk, TaskStatus.running.rawValue, owner.description, now, now])
        }
    }

    /// Records the clone a task works in.
    public func recordWorkspace(taskID: UUID, path: String, branch: String, baseCommit: String, source: String) throws(SparksError) {
        try write { db in
            try db.execute(
                sql: "UPDATE tasks SET workspace = ?, branch = ?, base_commit = ?, source_repository = ?, updated_at = ? WHERE id = ?",
                arguments: [path, branch, baseCommit, source, Timestamp.string(Date()), taskID.uuidString.lowercased()])
        }
    }

    /// Notes that a task's changes were merged into its repository.
    public func markApplied(taskID: UUID, at date: Date = Date()) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE tasks SET applied_at = ? WHERE id = ?",
                           arguments: [Timestamp.string(date), taskID.uuidString.lowercased()])
        }
    }

    /// Forgets a removed workspace.
    public func clearWorkspace(taskID: UUID) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE tasks SET workspace = NULL WHERE id = ?", arguments: [taskID.uuidString.lowercased()])
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
                sql: "UPDATE tasks SET steps = ?, prompt_tokens = ?, completion_tokens = ?, updated_at = ? WHERE id = ?",
                arguments: [steps, usage.promptTokens, usage.completionTokens, Timestamp.string(Date()),
                            taskID.uuidString.lowercased()])
        }
    }

    /// Ends a task: its status and its outcome change together or not at all.
    public func finishTask(_ outcome: TaskOutcome, at date: Date = Date()) throws(SparksError) {
        let now = Timestamp.string(date)
        let id = outcome.taskID.uuidString.lowercased()
        try write { db in
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
                        (task_id, status, reason, summary, error, steps, prompt_tokens, completion_tokens, duration_ms, finished_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, outcome.status.rawValue, outcome.reason?.rawValue, outcome.summary, outcome.error,
                            outcome.steps, outcome.usage.promptTokens, outcome.usage.completionTokens,
                            outcome.durationMs, now])
        }
    }

    /// Finds tasks left `running` by a process that no longer exists (crash, kill, reboot) and marks
    /// them `interrupted` with their last recorded progress. Returns their ids.
    @discardableResult
    public func recoverInterruptedTasks(isAlive: (OwnerIdentity) -> Bool = { $0.isAlive }) throws(SparksError) -> [UUID] {
        let running = try read { db in
            try Row.fetchAll(db, sql: "SELECT id, owner, steps, prompt_tokens, completion_tokens, created_at FROM tasks WHERE status = ?",
                             arguments: [TaskStatus.running.rawValue])
        }
        var recovered: [UUID] = []
        for row in running {
            let owner = (row["owner"] as String?).flatMap(OwnerIdentity.init(parsing:))
            if let owner, isAlive(owner) { continue }
            guard let id = UUID(uuidString: row["id"]) else { continue }
            let started = Timestamp.date(row["created_at"]) ?? Date()
            let outcome = TaskOutcome(
                taskID: id, status: .interrupted, reason: .interrupted,
                summary: "The process running this task stopped before it finished.",
                error: "owner process \(owner?.description ?? "unknown") is gone",
                steps: row["steps"], usage: TokenUsage(promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"]),
                durationMs: max(0, Int(Date().timeIntervalSince(started) * 1000)))
            try finishTask(outcome)
            recovered.append(id)
        }
        return recovered
    }

    /// The newest tasks first.
    public func recentTasks(limit: Int = 20) throws(SparksError) -> [TaskRecord] {
        try read { db in
            try Row.fetchAll(db, sql: Self.taskSelect + " ORDER BY t.created_at DESC LIMIT ?", arguments: [limit])
                .compactMap(Self.taskRecord)
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

    private static let taskSelect = """
        SELECT t.id, t.goal, t.context, t.spark, t.repository, t.lane, t.risk, t.status, t.steps, t.prompt_tokens,
               t.completion_tokens, t.created_at, o.reason, o.summary, o.error, o.duration_ms, o.finished_at,
               t.workspace, t.branch, t.base_commit, t.source_repository, t.applied_at
        FROM tasks t LEFT JOIN task_outcomes o ON o.task_id = t.id
        """

    private static func taskRecord(_ row: Row) -> TaskRecord? {
        guard let id = UUID(uuidString: row["id"]), let status = TaskStatus(rawValue: row["status"]) else { return nil }
        return TaskRecord(
            id: id, goal: row["goal"], context: row["context"], spark: row["spark"], repository: row["repository"],
            lane: row["lane"], risk: row["risk"], status: status, steps: row["steps"],
            usage: TokenUsage(promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"]),
            createdAt: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            reason: (row["reason"] as String?).map(ReasonCode.init(rawValue:)), summary: row["summary"],
            error: row["error"], durationMs: row["duration_ms"], finishedAt: Timestamp.date(row["finished_at"]),
            workspace: row["workspace"], branch: row["branch"], baseCommit: row["base_commit"],
            sourceRepository: row["source_repository"], appliedAt: Timestamp.date(row["applied_at"]))
    }
}
