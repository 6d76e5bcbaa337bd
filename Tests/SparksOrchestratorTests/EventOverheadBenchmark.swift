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
/// for real (sandbox, worktree, verify) with Langfuse tracing to a loopback sink; then the same
/// number of events and trace records are timed on their own. Prints the share of a task's wall
/// time; asserts nothing about time (machines are noisy). Run with SPARKS_BENCH=1.
@Suite struct EventOverheadBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SPARKS_BENCH"] == "1"))
    func eventsAndTracesCostATaskLittle() async throws {
        let tasks = 20
        let router = Router()
        router.post("/api/public/ingestion") { _, _ -> Response in Response(status: .init(code: 207)) }
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
                let orchestrator = Orchestrator(config: harness.config, store: harness.store, model: harness.orchestrator.model,
                                                sandbox: harness.orchestrator.sandbox, langfuse: exporter, logger: logger)
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

                // The same amount of recording, alone.
                let probe = TaskTrace(sinks: [exporter], taskID: UUID(), redactor: Redactor(secrets: ["sk-bench-secret"]))
                let recordStart = ContinuousClock.now
                for index in 0..<events { harness.store.emit(.toolUsage, "bench \(index)", taskID: UUID(), spark: "coder") }
                for index in 0..<traceRecords {
                    probe.span(name: "tool:bench", input: "input \(index)", output: "output", ok: true, start: Date(), end: Date())
                }
                let recording = recordStart.duration(to: .now)
                let share = recording / wall
                print("""
                    event overhead: \(tasks) tasks in \(wall) (\(wall / tasks) each); \(events) events and \(traceRecords) trace records \
                    took \(recording) to record = \(String(format: "%.2f", share * 100)) % of the tasks' wall time
                    """)
                #expect(events > tasks * 4)
            }
        }
    }
}
