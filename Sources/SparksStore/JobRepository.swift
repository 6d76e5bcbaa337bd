import Foundation
import GRDB
import SparksCore

/// A scheduled job: a prompt that becomes a task (lane `scheduling`) each time its schedule fires.
public struct JobRecord: Sendable, Hashable {
    public var id: UUID
    public var name: String
    /// `cron`, `every` or `at`, with the schedule's stored form in `scheduleData`.
    public var scheduleKind: String
    public var scheduleData: String
    public var prompt: String
    public var spark: String?
    public var repository: String
    public var risk: String
    /// `skip` or `run_once`: what to do about runs missed while Sparks was not running.
    public var missedPolicy: String
    public var enabled: Bool
    public var nextRun: Date?
    public var lastRun: Date?
    public var lastTaskID: UUID?
    public var createdAt: Date

    public init(id: UUID = UUID(), name: String, scheduleKind: String, scheduleData: String, prompt: String, spark: String?,
                repository: String, risk: String = "low", missedPolicy: String = "skip", enabled: Bool = true,
                nextRun: Date?, lastRun: Date? = nil, lastTaskID: UUID? = nil, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.scheduleKind = scheduleKind
        self.scheduleData = scheduleData
        self.prompt = prompt
        self.spark = spark
        self.repository = repository
        self.risk = risk
        self.missedPolicy = missedPolicy
        self.enabled = enabled
        self.nextRun = nextRun
        self.lastRun = lastRun
        self.lastTaskID = lastTaskID
        self.createdAt = createdAt
    }
}

extension SparksStore {
    public func insertJob(_ job: JobRecord) throws(SparksError) {
        do {
            try write { db in
                let now = Timestamp.string(job.createdAt)
                try db.execute(sql: """
                    INSERT INTO jobs (id, name, schedule_kind, schedule_data, prompt, spark, repository, risk, missed_policy, enabled,
                                      next_run, last_run, last_task_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Self.key(job.id), job.name, job.scheduleKind, job.scheduleData, job.prompt, job.spark,
                                     job.repository, job.risk, job.missedPolicy, job.enabled, job.nextRun.map(Timestamp.string),
                                     job.lastRun.map(Timestamp.string), job.lastTaskID.map(Self.key), now, now])
            }
        } catch where error.message.contains("UNIQUE constraint failed: jobs.name") {
            throw SparksError(.invalidInput, "there is already a job named \"\(job.name)\"",
                              hint: "choose another --name, or delete the old job with `sparks jobs delete \(job.name)`")
        }
    }

    /// All jobs, by name.
    public func jobs() throws(SparksError) -> [JobRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY name").compactMap(Self.jobRecord) }
    }

    /// A job by exact name, or by a unique prefix of its id.
    public func job(nameOrID: String) throws(SparksError) -> JobRecord? {
        let rows = try read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE name = ?", arguments: [nameOrID]) { return [row] }
            return try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE id LIKE ? LIMIT 2", arguments: [nameOrID.lowercased() + "%"])
        }
        if rows.count > 1 {
            throw SparksError(.invalidInput, "\"\(nameOrID)\" matches more than one job id", hint: "give the job's name or more of its id")
        }
        return rows.first.flatMap(Self.jobRecord)
    }

    /// Enabled jobs whose next run is at or before `now`, earliest first.
    public func dueJobs(now: Date) throws(SparksError) -> [JobRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE enabled = 1 AND next_run IS NOT NULL AND next_run <= ? ORDER BY next_run",
                             arguments: [Timestamp.string(now)]).compactMap(Self.jobRecord)
        }
    }

    /// The earliest next run of any enabled job.
    public func nextJobRun() throws(SparksError) -> Date? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT min(next_run) FROM jobs WHERE enabled = 1 AND next_run IS NOT NULL")
                .flatMap(Timestamp.date)
        }
    }

    /// Records that a job fired (or was skipped) and when it runs next; nil disables a one-shot.
    public func recordJobRun(id: UUID, ranAt: Date?, taskID: UUID?, nextRun: Date?) throws(SparksError) {
        try write { db in
            try db.execute(sql: """
                UPDATE jobs SET last_run = COALESCE(?, last_run), last_task_id = COALESCE(?, last_task_id), next_run = ?,
                               enabled = CASE WHEN ? IS NULL THEN 0 ELSE enabled END, updated_at = ?
                WHERE id = ?
                """, arguments: [ranAt.map(Timestamp.string), taskID.map(Self.key), nextRun.map(Timestamp.string),
                                 nextRun.map(Timestamp.string), Timestamp.string(Date()), Self.key(id)])
        }
    }

    public func setJobEnabled(id: UUID, enabled: Bool, nextRun: Date?) throws(SparksError) {
        try write { db in
            try db.execute(sql: "UPDATE jobs SET enabled = ?, next_run = ?, updated_at = ? WHERE id = ?",
                           arguments: [enabled, nextRun.map(Timestamp.string), Timestamp.string(Date()), Self.key(id)])
        }
    }

    public func deleteJob(id: UUID) throws(SparksError) {
        try write { db in try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [Self.key(id)]) }
    }

    private static func jobRecord(_ row: Row) -> JobRecord? {
        guard let id = UUID(uuidString: row["id"]) else { return nil }
        return JobRecord(id: id, name: row["name"], scheduleKind: row["schedule_kind"], scheduleData: row["schedule_data"],
                         prompt: row["prompt"], spark: row["spark"], repository: row["repository"], risk: row["risk"],
                         missedPolicy: row["missed_policy"], enabled: (row["enabled"] as Int) == 1,
                         nextRun: Timestamp.date(row["next_run"]), lastRun: Timestamp.date(row["last_run"]),
                         lastTaskID: (row["last_task_id"] as String?).flatMap(UUID.init(uuidString:)),
                         createdAt: Timestamp.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
    }
}
