import Foundation
import Logging
import ServiceLifecycle
import SparksCore
import SparksStore

/// Fires due jobs: each becomes a queued task (lane `scheduling`) that the queue runs like any
/// other. Jobs live in SQLite, so they survive restarts; runs missed while Sparks was down are
/// skipped or run once, per job (`--missed`) or `[scheduler] missed_runs`.
public final class SchedulerService: Service, Sendable {
    let orchestrator: Orchestrator
    let tickInterval: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(orchestrator: Orchestrator, tickInterval: Duration = .seconds(1), logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.orchestrator = orchestrator
        self.tickInterval = tickInterval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            tick()
            try? await Task.sleep(for: tickInterval)
        }
    }

    /// What one tick did with one due job.
    public struct Firing: Sendable, Hashable {
        public var job: String
        /// The queued task, when the job fired.
        public var taskID: UUID?
        public var missedRuns: Int
        public var nextRun: Date?
        /// Why it did not fire (skipped after downtime, refused, bad schedule), if it did not.
        public var note: String?
    }

    /// Fires every job due at `now`. Public so that tests can drive the scheduler with their own clock.
    @discardableResult
    public func tick(now: Date? = nil) -> [Firing] {
        let now = now ?? clock()
        let jobs: [JobRecord]
        do { jobs = try orchestrator.store.dueJobs(now: now) } catch {
            logger.error("could not read due jobs", metadata: ["error": "\(error.message)"])
            return []
        }
        return jobs.map { fire($0, now: now) }
    }

    func fire(_ job: JobRecord, now: Date) -> Firing {
        let store = orchestrator.store
        var firing = Firing(job: job.name, missedRuns: 0)
        let schedule: Schedule
        do {
            schedule = try Schedule(kind: job.scheduleKind, data: job.scheduleData)
        } catch {
            firing.note = "bad schedule: \(error.message)"
            try? store.setJobEnabled(id: job.id, enabled: false, nextRun: nil)
            store.emit(.cronTick, "job \(job.name) disabled: \(error.message)", details: .object(["job": .string(job.name), "action": .string("disabled")]))
            return firing
        }
        let policy = MissedRunPolicy(rawValue: job.missedPolicy) ?? .skip
        var rng = SystemRandomNumberGenerator()
        let verdict = schedule.catchUp(due: job.nextRun ?? now, now: now, policy: policy, using: &rng)
        firing.missedRuns = verdict.missedRuns
        firing.nextRun = verdict.nextRun
        guard verdict.fireNow else {
            firing.note = "skipped \(verdict.missedRuns) run(s) missed while Sparks was not running"
            try? store.recordJobRun(id: job.id, ranAt: nil, taskID: nil, nextRun: verdict.nextRun)
            store.emit(.cronTick, "job \(job.name): " + (firing.note ?? "skipped"), details: .object([
                "job": .string(job.name), "action": .string("skipped"), "missed_runs": .number(Double(verdict.missedRuns)),
            ]))
            return firing
        }
        var request = Orchestrator.DispatchRequest(
            goal: job.prompt, spark: job.spark, repository: job.repository,
            context: "Scheduled job '\(job.name)' (\(job.scheduleKind))"
                + (verdict.missedRuns > 0 ? "; \(verdict.missedRuns) earlier run(s) were missed while Sparks was not running" : ""),
            lane: "scheduling", risk: job.risk, source: "schedule")
        request.author = "job:\(job.name)"
        do {
            let submission = try orchestrator.submit(request)
            firing.taskID = submission.task.id
            if let outcome = submission.outcome { firing.note = outcome.summary }
            store.emit(.cronTick, "job \(job.name) queued a task", taskID: submission.task.id, spark: submission.task.spark,
                       details: .object(["job": .string(job.name), "action": .string("fired"), "missed_runs": .number(Double(verdict.missedRuns))]))
            logger.info("job fired", metadata: ["job": "\(job.name)", "task_id": "\(submission.task.id.uuidString.lowercased())"])
        } catch {
            firing.note = error.message
            store.emit(.cronTick, "job \(job.name) could not queue its task: \(error.message)",
                       details: .object(["job": .string(job.name), "action": .string("failed")]))
            logger.warning("job could not queue its task", metadata: ["job": "\(job.name)", "error": "\(error.message)"])
        }
        try? store.recordJobRun(id: job.id, ranAt: now, taskID: firing.taskID, nextRun: verdict.nextRun)
        return firing
    }
}
