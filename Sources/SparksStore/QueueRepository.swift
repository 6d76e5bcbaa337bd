import Foundation
import GRDB
import SparksCore

/// The queue's side of the task table: claims within limits, heartbeats, cancel requests,
/// retries and recovery after a crash.
extension SparksStore {
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
}
