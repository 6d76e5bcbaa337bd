import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksProactive
import SparksStore
import Synchronization

/// Samples the daemon's own health every `interval` (§15.8): RSS, CPU, the last hour's model
/// error rate, average model latency, tool failure rate, running tasks, memories and database
/// size. Snapshots are stored (the last day) for `doctor` and the dashboard. Anomalies (after a
/// warm-up) are a `self_metrics` event and a medium pulse; at autonomy ≥ 3 they also dispatch an
/// investigation-only diagnostic task, at most once per cooldown and not again for a signature
/// that was fixed in the last six hours. Each anomaly is remembered (`health_alert`); a diagnostic
/// task that succeeds is remembered as the fix (`health_fix`), which also survives a restart.
public final class SelfMetricsMonitor: Sendable {
    let orchestrator: Orchestrator
    public let counters: SelfMetricsCounters
    let sampler: ProcessSampler
    let detector: AnomalyDetector
    let gate: DiagnosticGate
    let interval: TimeInterval
    let repository: String
    let logger: Logger
    let state = Mutex<(next: Date?, previous: ProcessSample?, signature: String?)>((nil, nil, nil))
    /// The diagnostic task in flight and the signature it is for.
    let diagnostic = Mutex<(task: UUID, signature: String)?>(nil)

    public init(orchestrator: Orchestrator, counters: SelfMetricsCounters, repository: String, interval: TimeInterval = 30,
                sampler: ProcessSampler = ProcessSampler(), detector: AnomalyDetector = AnomalyDetector(),
                gate: DiagnosticGate = DiagnosticGate(), logger: Logger) {
        self.orchestrator = orchestrator
        self.counters = counters
        self.sampler = sampler
        self.detector = detector
        self.gate = gate
        self.interval = interval
        self.repository = repository
        self.logger = logger
        // Fixes found before a restart still hold back diagnostics for their signature.
        for memory in (try? orchestrator.store.activeMemories(category: "health_fix", limit: 50)) ?? [] {
            if let signature = memory.content.split(separator: " ").first { gate.recordFix(signature: String(signature), at: memory.createdAt) }
        }
    }

    /// Samples when due; returns the pulses an anomaly raises.
    func tick(now: Date, autonomy: Int) async -> [Pulse] {
        await noteFinishedDiagnostic(now: now)
        let due = state.withLock { state -> Bool in
            if let next = state.next, now < next { return false }
            state.next = now.addingTimeInterval(interval)
            return true
        }
        guard due else { return [] }
        let snapshot = sample(now: now)
        let anomalies = detector.detect(snapshot)
        let signature = anomalies.isEmpty ? nil : AnomalyDetector.signature(for: anomalies)
        let previous = state.withLock { state -> String? in
            defer { state.signature = signature }
            return state.signature
        }
        let store = orchestrator.store
        guard let signature else {
            if previous != nil { store.emit(.selfMetrics, "health back to normal: \(snapshot.summary)") }
            return []
        }
        guard signature != previous else { return [] }
        let text = anomalies.map(\.message).joined(separator: "; ")
        await remember("health_alert", "\(signature) \(text)")
        store.emit(.selfMetrics, "anomaly: \(text)", details: .object([
            "signature": .string(signature), "summary": .string(snapshot.summary),
            "kinds": .array(anomalies.map { .string($0.kind.rawValue) }),
        ]))
        var pulse = Pulse(source: .selfMetrics, urgency: .medium, content: "Health: \(text)")
        if autonomy >= 3, gate.tryDispatch(signature: signature).allowsDispatch {
            let spark = orchestrator.config.spark(named: "scout") != nil ? "scout" : nil
            let request = Orchestrator.DispatchRequest(goal: AnomalyDetector.diagnosticGoal(for: anomalies), spark: spark,
                                                       repository: repository, lane: "self_improvement", risk: "high", source: "self_metrics")
            do {
                let submission = try orchestrator.submit(request)
                if submission.outcome == nil { diagnostic.withLock { $0 = (submission.task.id, signature) } }
                pulse.taskID = submission.task.id.uuidString.lowercased()
                pulse.content += " — diagnostic task \(submission.task.id.uuidString.lowercased().prefix(8)) queued"
            } catch {
                logger.warning("the diagnostic task was not queued", metadata: ["error": "\(error.message)"])
            }
        }
        return [pulse]
    }

    /// When the diagnostic task ended well, its signature counts as fixed (`health_fix`).
    func noteFinishedDiagnostic(now: Date) async {
        guard let pending = diagnostic.withLock({ $0 }),
              let task = try? orchestrator.store.task(idPrefix: pending.task.uuidString.lowercased()), task.status.isTerminal
        else { return }
        let (taskID, signature) = (pending.task, pending.signature)
        diagnostic.withLock { $0 = nil }
        guard task.status == .succeeded else { return }
        gate.recordFix(signature: signature, at: now)
        await remember("health_fix", "\(signature) diagnosed by task \(taskID.uuidString.lowercased()): "
            + String((task.summary ?? "").prefix(500)))
    }

    func remember(_ category: String, _ content: String) async {
        if let memory = orchestrator.memory {
            _ = try? await memory.remember(category: category, content: content, source: "self_metrics")
        } else {
            _ = try? orchestrator.store.insertMemory(category: category, content: content, source: "self_metrics", embedding: nil)
        }
    }

    func sample(now: Date) -> SelfMetricsSnapshot {
        let process = try? sampler.sample()
        let earlier = state.withLock { state -> ProcessSample? in
            defer { if let process { state.previous = process } }
            return state.previous
        }
        let store = orchestrator.store
        let tools = (try? store.toolUsage()) ?? []
        let running = (try? store.taskCounts()[.running]) ?? 0
        let memories = (try? store.memoryCounts().active) ?? 0
        let size = (try? FileManager.default.attributesOfItem(atPath: orchestrator.config.databasePath)[.size] as? NSNumber)?
            .uint64Value ?? 0
        let llm = counters.snapshot(at: now, process: process, previous: earlier)
        let snapshot = SelfMetricsSnapshot(
            at: now, uptimeSeconds: llm.uptimeSeconds, rssBytes: llm.rssBytes, totalMemoryBytes: llm.totalMemoryBytes,
            cpuPercent: llm.cpuPercent, llmCalls: llm.llmCalls, llmErrors: llm.llmErrors, totalLLMCalls: llm.totalLLMCalls,
            toolInvocations: tools.reduce(0) { $0 + $1.invocations }, toolFailures: tools.reduce(0) { $0 + $1.failures },
            averageLLMLatencyMs: llm.averageLLMLatencyMs, runningTasks: running, memoryCount: memories, databaseBytes: size)
        if let data = try? JSONEncoder().encode(snapshot) {
            try? store.recordSelfMetrics(String(decoding: data, as: UTF8.self), at: now)
        }
        return snapshot
    }
}
