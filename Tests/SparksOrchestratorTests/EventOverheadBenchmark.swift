import Foundation
import Hummingbird
import Logging
import SparksCore
import SparksObserve
import SparksOrchestrator
import SparksStore
import SparksTesting
import Testing

/// What recording events and traces costs a task, with a zero-latency scripted model: tasks run
/// for real (sandbox, worktree, verify) with Langfuse and OTLP tracing to loopback sinks and
/// Prometheus metrics; then the same number of events, trace records and metric updates are timed
/// on their own. Prints the share of a task's wall
/// time; asserts nothing about time (machines are noisy). Run with SPARKS_BENCH=1.
@Suite struct EventOverheadBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SPARKS_BENCH"] == "1"))
    func eventsAndTracesCostATaskLittle() async throws {
        let tasks = 20
        let router = Router()
        router.post("/api/public/ingestion") { _, _ -> Response in Response(status: .init(code: 207)) }
        router.post("/v1/traces") { _, _ -> Response in Response(status: .ok) }
        try await LoopbackHTTPServer.with(router) { port in
            var replies: [ScriptedReply] = []
            for _ in 0..<tasks {
                replies += [.toolCall("file_write", #"{"path":"a.txt","content":"a\n"}"#), .toolCall("file_read", #"{"path":"a.txt"}"#),
                            .text("Done.")]
            }
            try await withHarness(replies: replies) { harness in
                var logger = Logger(label: "bench")
                logger.logLevel = .critical
                let exporter = LangfuseExporter(settings: LangfuseSettings(baseURL: "http://127.0.0.1:\(port)", publicKey: "pk", secretKey: "sk-bench-secret"),
                                                logger: logger)
                let otlp = OTLPExporter(settings: OTLPSettings(tracesURL: "http://127.0.0.1:\(port)/v1/traces"), logger: logger)
                let metrics = SparksMetrics()
                let orchestrator = Orchestrator(config: harness.config, store: harness.store, model: harness.orchestrator.model,
                                                sandbox: harness.orchestrator.sandbox, langfuse: exporter, otlp: otlp, metrics: metrics,
                                                logger: logger)
                let repo = try TemporaryDirectory.gitRepository(prefix: "bench")
                let before = try harness.store.latestEventID()
                let started = ContinuousClock.now
                for index in 0..<tasks {
                    _ = try await orchestrator.dispatch(.init(goal: "bench \(index)", spark: "coder", repository: repo.path, verify: "true"))
                }
                let wall = started.duration(to: .now)
                let events = Int(try harness.store.latestEventID() - before)
                let traceRecords = exporter.counts.queued + exporter.counts.sent
                await exporter.close()
                await otlp.close()

                // The same amount of recording, alone.
                let probe = TaskTrace(sinks: [exporter, otlp], taskID: UUID(), redactor: Redactor(secrets: ["sk-bench-secret"]))
                let recordStart = ContinuousClock.now
                for index in 0..<events { harness.store.emit(.toolUsage, "bench \(index)", taskID: UUID(), spark: "coder") }
                let eventsTook = recordStart.duration(to: .now)
                for index in 0..<traceRecords {
                    probe.span(name: "tool:bench", input: "input \(index)", output: "output", ok: true, start: Date(), end: Date())
                }
                let tracesTook = recordStart.duration(to: .now) - eventsTook
                // Per task: 3 model calls, 2 tool calls, 1 sandboxed command, 1 finish.
                for _ in 0..<tasks {
                    for _ in 0..<3 { metrics.recordModelCall(model: "bench", duration: .milliseconds(1), ok: true, usage: TokenUsage()) }
                    for _ in 0..<2 { metrics.recordToolCall(tool: "file_write", ok: true, durationMs: 1) }
                    metrics.recordSandboxRun(kind: "bubblewrap", duration: .milliseconds(1), outcome: "ok")
                    metrics.recordTaskFinished(status: "succeeded", durationMs: 100)
                }
                let recording = recordStart.duration(to: .now)
                let metricsTook = recording - eventsTook - tracesTook
                let share = recording / wall
                print("""
                    event overhead: \(tasks) tasks in \(wall) (\(wall / tasks) each); \(events) events, \(traceRecords) trace records \
                    (to Langfuse and OTLP) and \(tasks * 7) metric updates took \(recording) to record = \(String(format: "%.2f", share * 100)) % of the tasks' wall time \
                    (events \(eventsTook), traces \(tracesTook), metrics \(metricsTook)); \
                    events and traces alone: \(String(format: "%.2f", (eventsTook + tracesTook) / wall * 100)) %
                    """)
                #expect(events > tasks * 4)
            }
        }
    }
}
