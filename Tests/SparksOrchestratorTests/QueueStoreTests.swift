import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

@Suite struct QueueStoreTests {
    let directory: TemporaryDirectory
    let store: SparksStore

    init() throws {
        directory = try TemporaryDirectory(prefix: "queue")
        store = try SparksStore(path: directory.file("sparks.db"))
    }

    func task(_ goal: String, repo: String = "/repo/a", priority: Int = 0) -> TaskSpec {
        TaskSpec(goal: goal, spark: "coder", repository: repo, priority: priority)
    }

    @Test func claimsByPriorityThenAgeWithinGlobalAndPerRepositoryLimits() throws {
        let start = Date(timeIntervalSinceNow: -100)
        let specs = [task("a1"), task("a2"), task("a3", priority: 5), task("b1", repo: "/repo/b"), task("b2", repo: "/repo/b")]
        for (index, spec) in specs.enumerated() { try store.enqueueTask(spec, at: start.addingTimeInterval(Double(index))) }
        let limits = SparksStore.QueueLimits(global: 3, perRepository: 2)
        let first = try #require(try store.claimNextTask(limits: limits))
        #expect(first.goal == "a3")  // highest priority
        #expect(first.status == .running)
        #expect(first.attempts == 1)
        #expect(try store.claimNextTask(limits: limits)?.goal == "a1")
        // /repo/a has 2 running: the next claim skips a2 for b1.
        #expect(try store.claimNextTask(limits: limits)?.goal == "b1")
        // Three running: the global limit holds.
        #expect(try store.claimNextTask(limits: limits) == nil)
        #expect(try store.taskCounts()[.running] == 3)
        #expect(try store.taskCounts()[.queued] == 2)
    }

    @Test func claimOnlyTakesTheNamedTaskAndRespectsNotBefore() throws {
        let early = task("early")
        let later = task("later")
        try store.enqueueTask(early)
        try store.enqueueTask(later, notBefore: Date(timeIntervalSinceNow: 3600))
        let limits = SparksStore.QueueLimits()
        #expect(try store.claimNextTask(limits: limits, only: later.id) == nil)
        #expect(try store.claimNextTask(limits: limits, only: early.id)?.id == early.id)
        #expect(try store.claimNextTask(limits: limits) == nil)
    }

    @Test func cancelsQueuedAtOnceAndFlagsRunning() throws {
        let queued = task("queued")
        let running = task("running")
        try store.enqueueTask(running)
        try store.enqueueTask(queued, at: Date(timeIntervalSinceNow: 1))
        _ = try store.claimNextTask(limits: .init(global: 1, perRepository: 1))
        #expect(try store.requestCancel(taskID: queued.id) == .cancelled)
        #expect(try store.task(idPrefix: queued.id.uuidString)?.status == .cancelled)
        #expect(try store.requestCancel(taskID: running.id) == .requested)
        #expect(try store.cancelRequests(among: [running.id, queued.id]) == [running.id])
        try store.finishTask(TaskOutcome(taskID: running.id, status: .cancelled, reason: .cancelled, summary: "stopped",
                                         steps: 1, usage: TokenUsage(), durationMs: 5))
        #expect(try store.requestCancel(taskID: running.id) == .alreadyFinished(.cancelled))
    }

    @Test func tasksOfADeadProcessGoBackToTheQueueUntilTheirAttemptsRunOut() throws {
        var spec = task("flaky")
        spec.maxAttempts = 2
        try store.enqueueTask(spec)
        let dead = OwnerIdentity(pid: Int32.max - 3, startTime: 1)
        _ = try store.claimNextTask(owner: dead, limits: .init())
        var recovered = try store.recoverInterruptedTasks(requeue: true)
        #expect(recovered == [.init(id: spec.id, requeued: true)])
        #expect(try store.task(idPrefix: spec.id.uuidString)?.status == .queued)
        _ = try store.claimNextTask(owner: dead, limits: .init())
        recovered = try store.recoverInterruptedTasks(requeue: true)
        #expect(recovered == [.init(id: spec.id, requeued: false)])
        let record = try #require(try store.task(idPrefix: spec.id.uuidString))
        #expect(record.status == .interrupted)
        #expect(record.attempts == 2)
        let attempts = try store.attempts(taskID: spec.id)
        #expect(attempts.map(\.status) == ["requeued", "interrupted"])
        #expect(attempts[0].reason == "interrupted")
        #expect(attempts[0].detail?.contains("is gone") == true)
    }

    @Test func staleRunningTasksAreFailed() throws {
        let spec = task("hung")
        try store.enqueueTask(spec)
        _ = try store.claimNextTask(limits: .init(), at: Date(timeIntervalSinceNow: -7200))
        let swept = try store.sweepStaleTasks(staleAfter: 1800)
        #expect(swept == [spec.id])
        let record = try #require(try store.task(idPrefix: spec.id.uuidString))
        #expect(record.status == .failed)
        #expect(record.reason == .staleStarted)
    }

    @Test func scopeOutcomesCountRealVerificationAndRollbacks() throws {
        for (index, code) in [0, 1].enumerated() {
            let spec = TaskSpec(goal: "t\(index)", spark: "coder", repository: "/src/app", lane: "delivery", risk: "low")
            try store.enqueueTask(spec)
            _ = try store.claimNextTask(limits: .init(), only: spec.id)
            try store.finishTask(TaskOutcome(taskID: spec.id, status: code == 0 ? .succeeded : .failed, summary: "",
                                             steps: 1, usage: TokenUsage(), durationMs: 1, verifyExitCode: code))
            if index == 0 { try store.markRolledBack(taskID: spec.id) }
        }
        let outcomes = try store.scopeOutcomes(repo: "app", lane: "delivery", risk: "low")
        #expect(outcomes.count == 2)
        #expect(Set(outcomes.map(\.verifyExitCode)) == [0, 1])
        #expect(outcomes.filter(\.rolledBack).count == 1)
        #expect(try store.scopeOutcomes(repo: "app", lane: "delivery", risk: "high").isEmpty)
    }

    @Test func eventsAreKeptInOrderAndPrunedByAge() throws {
        let spec = task("evented")
        try store.enqueueTask(spec)
        #expect(store.emit(.taskStarted, "long ago", taskID: spec.id, at: Date(timeIntervalSinceNow: -100 * 86_400)))
        store.emit(.taskQueued, "queued", taskID: spec.id, details: .object(["a": .number(1)]))
        store.emit(.routing, "simple", session: "cli:local")
        #expect(try store.events(taskID: spec.id).map(\.category) == ["task_started", "task_queued"])
        #expect(try store.events(categories: ["routing"]).first?.sessionKey == "cli:local")
        #expect(try store.pruneEvents(before: Date(timeIntervalSinceNow: -90 * 86_400)) == 1)
        #expect(try store.events(taskID: spec.id).map(\.category) == ["task_queued"])
        #expect(try store.events(taskID: spec.id).first?.details == #"{"a":1}"#)
    }
}
