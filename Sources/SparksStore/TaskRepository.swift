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
                                   parent_id, base_ref)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [key(spec.id), spec.goal, spec.context, spec.spark, spec.repository, spec.lane, spec.risk,
                        status.rawValue, now, now, spec.priority, spec.maxAttempts, spec.source, spec.repoLabel,
                        spec.verify, spec.waitSecs, spec.sparkExplicit, spec.parentID.map(key), spec.baseRef])
    }

    /// Marks the task running for `owner`, counts the attempt and opens its attempt row.
    private static func startAttempt(id: UUID, owner: OwnerIdentity, db: Database, at date: Date) throws {
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

    /// Limits a queue worker respects when it takes a task.
    public struct QueueLimits: Sendable, Hashable {
        /// Tasks running at once across every process on this database.
        public var global: Int
        /// Tasks running at once on one repository.
        public var perRepository: Int

        public init(global: Int = 2, perRepository: Int = 2) {
            self.global = global
            self.perRepository = perRepository
        }
    }

    /// Takes the next queued task that may run now (highest priority, then oldest) and marks it
    /// running for `owner` — in one transaction, so two workers (even in two processes) never take
    /// the same task and the limits hold across processes. `only` restricts the claim to one task.
    public func claimNextTask(owner: OwnerIdentity = .current(), limits: QueueLimits, only: UUID? = nil,
                              at date: Date = Date()) throws(SparksError) -> TaskRecord? {
        let claimed: String? = try write { db in
            let running = try Row.fetchAll(db, sql: "SELECT repository FROM tasks WHERE status = ?",
                                           arguments: [TaskStatus.running.rawValue])
            guard running.count < limits.global else { return nil }
            var perRepository: [String: Int] = [:]
            for row in running { perRepository[row["repository"], default: 0] += 1 }
            var sql = """
                SELECT id, repository FROM tasks
                WHERE status = ? AND (not_before IS NULL OR not_before <= ?)
                """
            var arguments: StatementArguments = [TaskStatus.queued.rawValue, Timestamp.string(date)]
            if let only {
                sql += " AND id = ?"
                _ = arguments.append(contentsOf: [Self.key(only)])
            }
            sql += " ORDER BY priority DESC, created_at ASC LIMIT 200"
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let repository: String = row["repository"]
                guard perRepository[repository, default: 0] < limits.perRepository else { continue }
                let id: String = row["id"]
                guard let uuid = UUID(uuidString: id) else { continue }
                try Self.startAttempt(id: uuid, owner: owner, db: db, at: date)
                return id
            }
            return nil
        }
        guard let claimed else { return nil }
        return try task(idPrefix: claimed)
    }

    /// Tells the store that these running tasks are still being worked on.
    public func heartbeat(taskIDs: [UUID], at date: Date = Date()) throws(SparksError) {
        guard !taskIDs.isEmpty else { return }
        try write { db in
            for id in taskIDs {
                try db.execute(sql: "UPDATE tasks SET heartbeat_at = ? WHERE id = ? AND status = ?",
                               arguments: [Timestamp.string(date), Self.key(id), TaskStatus.running.rawValue])
            }
        }
    }

    /// What `requestCancel` did.
    public enum CancelResult: Sendable, Equatable {
        /// It was queued and is now cancelled.
        case cancelled
        /// It is running; its worker stops it shortly.
        case requested
        /// It had already ended.
        case alreadyFinished(TaskStatus)
    }

    /// Cancels a queued task at once, or asks the worker running it to stop.
    public func requestCancel(taskID: UUID, at date: Date = Date()) throws(SparksError) -> CancelResult {
        let status: TaskStatus? = try read { db in
            try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = ?", arguments: [Self.key(taskID)])
                .flatMap(TaskStatus.init(rawValue:))
        }
        switch status {
        case nil:
            throw SparksError(.invalidInput, "there is no task \(taskID.uuidString.lowercased())")
        case .queued:
            try finishTask(TaskOutcome(taskID: taskID, status: .cancelled, reason: .cancelled, summary: "Cancelled before it started.",
                                       steps: 0, usage: TokenUsage(), durationMs: 0), at: date)
            return .cancelled
        case .running:
            try write { db in
                try db.execute(sql: "UPDATE tasks SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                               arguments: [Timestamp.string(date), Self.key(taskID)])
            }
            return .requested
        case .some(let other):
            return .alreadyFinished(other)
        }
    }

    /// The running tasks among `taskIDs` someone asked to cancel.
    public func cancelRequests(among taskIDs: [UUID]) throws(SparksError) -> Set<UUID> {
        guard !taskIDs.isEmpty else { return [] }
        return try read { db in
            let marks = databaseQuestionMarks(count: taskIDs.count)
            let ids = try String.fetchAll(db, sql: "SELECT id FROM tasks WHERE cancel_requested = 1 AND id IN (\(marks))",
                                          arguments: StatementArguments(taskIDs.map(Self.key)))
            return Set(ids.compactMap(UUID.init(uuidString:)))
        }
    }

    /// Puts a running task back in the queue (a retry after a transient failure, or after an
    /// interruption), closing its current attempt with `reason`.
    public func requeueTask(_ taskID: UUID, reason: ReasonCode, detail: String, notBefore: Date? = nil,
                            at date: Date = Date()) throws(SparksError) {
        try write { db in
            let now = Timestamp.string(date)
            try Self.closeAttempt(id: taskID, status: "requeued", reason: reason.rawValue, detail: detail, db: db, at: now)
            try db.execute(
                sql: "UPDATE tasks SET status = ?, owner = NULL, not_before = ?, updated_at = ? WHERE id = ?",
                arguments: [TaskStatus.queued.rawValue, notBefore.map(Timestamp.string), now, Self.key(taskID)])
        }
    }

    private static func closeAttempt(id: UUID, status: String, reason: String?, detail: String?, db: Database, at now: String) throws {
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

    /// A task found running by a process that no longer exists.
    public struct RecoveredTask: Sendable, Hashable {
        public var id: UUID
        /// True when it went back to the queue; false when it ended `interrupted`.
        public var requeued: Bool

        public init(id: UUID, requeued: Bool) {
            self.id = id
            self.requeued = requeued
        }
    }

    /// Finds tasks left `running` by a process that no longer exists (crash, kill -9, reboot).
    /// Each is recorded as interrupted (its attempt closes with the reason); it goes back to the
    /// queue when `requeue` is set and it has attempts left, else it ends `interrupted` with its
    /// last recorded progress.
    @discardableResult
    public func recoverInterruptedTasks(requeue: Bool = false, isAlive: (OwnerIdentity) -> Bool = { $0.isAlive })
        throws(SparksError) -> [RecoveredTask]
    {
        let running = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, owner, steps, prompt_tokens, completion_tokens, created_at, attempts, max_attempts
                FROM tasks WHERE status = ?
                """, arguments: [TaskStatus.running.rawValue])
        }
        var recovered: [RecoveredTask] = []
        for row in running {
            let owner = (row["owner"] as String?).flatMap(OwnerIdentity.init(parsing:))
            if let owner, isAlive(owner) { continue }
            guard let id = UUID(uuidString: row["id"]) else { continue }
            let detail = "owner process \(owner?.description ?? "unknown") is gone"
            let attempts: Int = row["attempts"]
            let maxAttempts: Int = row["max_attempts"]
            if requeue && attempts < maxAttempts {
                try requeueTask(id, reason: .interrupted, detail: detail)
                recovered.append(RecoveredTask(id: id, requeued: true))
                continue
            }
            let started = Timestamp.date(row["created_at"]) ?? Date()
            let outcome = TaskOutcome(
                taskID: id, status: .interrupted, reason: .interrupted,
                summary: "The process running this task stopped before it finished.", error: detail,
                steps: row["steps"], usage: TokenUsage(promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"]),
                durationMs: max(0, Int(Date().timeIntervalSince(started) * 1000)))
            try finishTask(outcome)
            recovered.append(RecoveredTask(id: id, requeued: false))
        }
        return recovered
    }

    /// Fails running tasks whose worker has not reported for `staleAfter` seconds although its
    /// process lives (a hung worker). Returns their ids.
    @discardableResult
    public func sweepStaleTasks(staleAfter: TimeInterval, now: Date = Date()) throws(SparksError) -> [UUID] {
        let cutoff = Timestamp.string(now.addingTimeInterval(-staleAfter))
        let stale = try read { db in
            try String.fetchAll(db, sql: "SELECT id FROM tasks WHERE status = ? AND COALESCE(heartbeat_at, updated_at) < ?",
                                arguments: [TaskStatus.running.rawValue, cutoff])
        }
        var swept: [UUID] = []
        for text in stale {
            guard let id = UUID(uuidString: text) else { continue }
            try finishTask(TaskOutcome(taskID: id, status: .failed, reason: .staleStarted,
                                       summary: "The task's worker stopped reporting for \(Int(staleAfter)) s; marked failed.",
                                       error: "stale_started: no heartbeat for \(Int(staleAfter)) s", steps: 0, usage: TokenUsage(),
                                       durationMs: 0), at: now)
            swept.append(id)
        }
        return swept
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
