import Foundation
import Logging
import ServiceLifecycle
import SparksConfig
import SparksCore
import SparksStore
import Synchronization

/// Runs queued tasks within the limits: the highest priority first, at most `max_concurrent` at
/// once and `per_repo` per repository (counted across every process on the database). On start
/// it recovers tasks a dead process left running; every minute it fails tasks whose worker
/// stopped reporting. On graceful shutdown it stops its running tasks and puts them back in the
/// queue (or ends them `interrupted`, by `[queue] on_interrupt`).
public final class QueueService: Service, Sendable {
    let orchestrator: Orchestrator
    let pollInterval: Duration
    let events: @Sendable (UUID, TaskEvent) -> Void
    let logger: Logger
    private let state = Mutex<(running: [UUID: StopSignal], shuttingDown: Bool)>(([:], false))

    public init(orchestrator: Orchestrator, pollInterval: Duration = .milliseconds(500), logger: Logger,
                events: @escaping @Sendable (UUID, TaskEvent) -> Void = { _, _ in }) {
        self.orchestrator = orchestrator
        self.pollInterval = pollInterval
        self.logger = logger
        self.events = events
    }

    /// How long recorded events are kept.
    static let eventRetention: TimeInterval = 90 * 86_400

    /// Ids of the tasks this worker runs now.
    public var runningTasks: [UUID] { state.withLock { Array($0.running.keys) } }

    public func run() async throws {
        let store = orchestrator.store
        let settings = orchestrator.config.orchestration
        for task in try store.recoverInterruptedTasks(requeue: settings.requeueInterrupted) {
            logger.warning("task was left running by a process that stopped",
                           metadata: ["task_id": "\(task.id.uuidString.lowercased())", "action": "\(task.requeued ? "requeued" : "interrupted")"])
            store.emit(.taskInterrupted,
                       "left running by a process that stopped; " + (task.requeued ? "back in the queue" : "marked interrupted"),
                       taskID: task.id)
        }
        var lastSweep = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                await withTaskCancellationHandler {
                    while !Task.isCancelled && !state.withLock({ $0.shuttingDown }) {
                        if lastSweep.duration(to: .now) > .seconds(60) {
                            lastSweep = .now
                            sweep()
                        }
                        fill(group: &group)
                        try? await Task.sleep(for: pollInterval)
                    }
                } onCancel: {
                    self.stopAll()
                }
            } onGracefulShutdown: {
                self.stopAll()
            }
        }
    }

    /// Claims tasks while there is room and starts each in the group.
    private func fill(group: inout DiscardingTaskGroup) {
        let limits = orchestrator.queueLimits
        while state.withLock({ $0.running.count < limits.global && !$0.shuttingDown }) {
            let claimed: TaskRecord?
            do {
                claimed = try orchestrator.store.claimNextTask(limits: limits)
            } catch {
                logger.error("could not take a task from the queue", metadata: ["error": "\(error.message)"])
                return
            }
            guard let claimed else { return }
            let stop = StopSignal()
            state.withLock { $0.running[claimed.id] = stop }
            logger.info("task started", metadata: ["task_id": "\(claimed.id.uuidString.lowercased())", "spark": "\(claimed.spark)",
                                                   "attempt": "\(claimed.attempts)"])
            group.addTask { [self] in
                let events = self.events
                let outcome = await orchestrator.execute(claimed, stop: stop) { events(claimed.id, $0) }
                self.state.withLock { _ = $0.running.removeValue(forKey: claimed.id) }
                self.logger.info("task ended", metadata: ["task_id": "\(claimed.id.uuidString.lowercased())",
                                                     "status": "\(outcome.status.rawValue)",
                                                     "reason": "\(outcome.reason?.rawValue ?? "-")"])
            }
        }
    }

    private func stopAll() {
        let stops = state.withLock { state in
            state.shuttingDown = true
            return Array(state.running.values)
        }
        for stop in stops { stop.stop(.shutdown) }
    }

    private func sweep() {
        do {
            for id in try orchestrator.store.sweepStaleTasks(staleAfter: TimeInterval(orchestrator.config.orchestration.staleAfterSecs)) {
                logger.warning("stale task failed", metadata: ["task_id": "\(id.uuidString.lowercased())"])
            }
            for task in try orchestrator.store.recoverInterruptedTasks(requeue: orchestrator.config.orchestration.requeueInterrupted) {
                logger.warning("task was left running by a process that stopped", metadata: ["task_id": "\(task.id.uuidString.lowercased())"])
            }
            // The event log keeps 90 days.
            try orchestrator.store.pruneEvents(before: Date().addingTimeInterval(-Self.eventRetention))
        } catch {
            logger.error("could not sweep stale tasks", metadata: ["error": "\(error.message)"])
        }
    }
}
