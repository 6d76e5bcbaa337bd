import Foundation
import SparksConfig
import SparksCore
import SparksObserve
import SparksOrchestrator
import SparksSandbox
import SparksProactive
import SparksStore

/// Everything the dashboard's overview shows, read from the database in one go.
public struct DashboardSnapshot: Sendable {
    public var generatedAt: Date
    public var home: String
    public var counts: [TaskStatus: Int]
    /// Queued and running tasks first (the queue), then the most recent others.
    public var queue: [TaskRecord]
    public var recent: [TaskRecord]
    public var leaderboard: [SparkStanding]
    public var days: [DayPoint]
    public var overall: KPIReport
    public var targets = MissionTargets()
    public var events: [ObservedEvent]
    public var memory: MemoryCounts?
    public var latestEventID: Int64
    /// Eval runs, newest first (`sparks eval run`).
    public var evalRuns: [EvalRunRecord] = []
    /// The leaderboard's ranking (rank score), best first.
    public var ranking: [LeaderboardRow] = []
    /// The daemon's self-metrics samples of the last hour, oldest first (empty unless `self_dev` is on).
    public var health: [SelfMetricsSnapshot] = []
}

/// One spark's numbers over the dashboard's window.
public struct SparkStanding: Sendable {
    public var spark: String
    public var report: KPIReport
}

/// One day of the KPI trend.
public struct DayPoint: Sendable {
    public var day: Date
    public var tasks: Int
    public var succeeded: Int
    public var verified: Int
    public var verifiedPassed: Int

    public var successRate: Double? { tasks == 0 ? nil : Double(succeeded) / Double(tasks) }
}

/// One task in detail: its record, attempts, selection, transcript, tool calls, verification, diff.
public struct TaskDetail: Sendable {
    public var task: TaskRecord
    public var attempts: [TaskAttempt]
    public var selection: SelectionRecord?
    public var messages: [ChatMessage]
    public var events: [EventRecord]
    public var verifications: [EventRecord]
    /// Nil when the workspace is gone; the error when it could not be read.
    public var diff: String?
    public var diffNote: String?
}

/// Reads what the dashboard shows.
public struct DashboardData: Sendable {
    public let store: SparksStore
    public let config: SparksConfig
    /// Days of outcomes the leaderboard and trends cover.
    public var windowDays = 14

    public init(store: SparksStore, config: SparksConfig) {
        self.store = store
        self.config = config
    }

    var prices: PriceBook {
        let defaults = PriceBook.defaults(provider: config.llm.provider.rawValue)
        return PriceBook(inputPerMillion: config.priceInputPerMTok ?? defaults.inputPerMillion,
                         outputPerMillion: config.priceOutputPerMTok ?? defaults.outputPerMillion)
    }

    public func snapshot(now: Date = Date()) throws(SparksError) -> DashboardSnapshot {
        let latest = try store.latestEventID()
        let active = try store.recentTasks(limit: 50, statuses: [.running, .queued])
        let recent = try store.recentTasks(limit: 30).filter { $0.status != .running && $0.status != .queued }
        let since = now.addingTimeInterval(-Double(windowDays) * 86_400)
        let outcomes = try store.kpiOutcomes(since: since)
        let bySpark = Dictionary(grouping: outcomes, by: \.spark)
        let leaderboard = bySpark.map { spark, outcomes in
            SparkStanding(spark: spark, report: KPIReport.compute(outcomes, scope: KPIScope(spark: spark), prices: prices,
                                                                   windowDays: windowDays, now: now))
        }.sorted { ($0.report.successRate ?? 0, $0.report.tasks) > ($1.report.successRate ?? 0, $1.report.tasks) }
        var snapshot = DashboardSnapshot(
            generatedAt: now, home: config.home, counts: try store.taskCounts(), queue: active, recent: recent,
            leaderboard: leaderboard, days: Self.days(outcomes, count: windowDays, now: now),
            overall: KPIReport.compute(outcomes, scope: KPIScope(), prices: prices, windowDays: windowDays, now: now),
            events: try recentEvents(latest: latest), memory: try? store.memoryCounts(), latestEventID: latest)
        snapshot.evalRuns = try store.evalRuns(limit: 30)
        snapshot.health = ((try? store.selfMetrics(limit: 120)) ?? []).reversed().compactMap {
            try? JSONDecoder().decode(SelfMetricsSnapshot.self, from: Data($0.snapshot.utf8))
        }
        snapshot.ranking = Leaderboard.rank(try store.kpiOutcomes(since: try store.lastLeaderboardReset()), ratings: try store.taskRatings())
        return snapshot
    }

    /// The last 40 events, newest first.
    func recentEvents(latest: Int64) throws(SparksError) -> [ObservedEvent] {
        try store.observedEvents(after: max(0, latest - 40), limit: 40).reversed()
    }

    /// Outcomes per UTC day, oldest first, `count` days ending today.
    static func days(_ outcomes: [KPIOutcome], count: Int, now: Date) -> [DayPoint] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let today = calendar.startOfDay(for: now)
        var points = (0..<count).reversed().compactMap { offset in
            calendar.date(byAdding: .day, value: -offset, to: today).map { DayPoint(day: $0, tasks: 0, succeeded: 0, verified: 0, verifiedPassed: 0) }
        }
        for outcome in outcomes {
            let day = calendar.startOfDay(for: outcome.finishedAt)
            guard let index = points.firstIndex(where: { $0.day == day }) else { continue }
            points[index].tasks += 1
            if outcome.status == .succeeded { points[index].succeeded += 1 }
            if let code = outcome.verifyExitCode {
                points[index].verified += 1
                if code == 0 { points[index].verifiedPassed += 1 }
            }
        }
        return points
    }

    public func detail(taskID prefix: String) throws(SparksError) -> TaskDetail? {
        guard let task = try store.task(idPrefix: prefix) else { return nil }
        let messages = try store.conversation(forTask: task.id).map { conversation throws(SparksError) in
            try store.messages(in: conversation)
        } ?? []
        var detail = TaskDetail(task: task, attempts: try store.attempts(taskID: task.id), selection: try store.selection(taskID: task.id),
                                messages: messages, events: try store.events(taskID: task.id, limit: 500),
                                verifications: try store.events(taskID: task.id, categories: ["task_verified"]))
        if let path = task.workspace, let branch = task.branch, let base = task.baseCommit, let source = task.sourceRepository {
            let manager = WorkspaceManager(root: (config.home as NSString).appendingPathComponent("workspaces"))
            if FileManager.default.fileExists(atPath: path) {
                do {
                    detail.diff = try manager.diff(Workspace(path: path, branch: branch, baseCommit: base, source: source))
                } catch {
                    detail.diffNote = "the diff could not be read: \(error.message)"
                }
            } else {
                detail.diffNote = "the workspace was removed (applied or discarded)"
            }
        } else {
            detail.diffNote = "the task has no workspace (it never started)"
        }
        return detail
    }
}
