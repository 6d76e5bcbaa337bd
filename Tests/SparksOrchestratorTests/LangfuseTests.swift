import Foundation
import Hummingbird
import Logging
import SparksCore
import SparksObserve
import SparksOrchestrator
import SparksTesting
import Synchronization
import Testing

/// A task's trace reaches a Langfuse-compatible ingestion endpoint (a real HTTP server on
/// loopback that checks the auth and records the batches).
@Suite struct LangfuseTests {
    @Test func aDispatchedTaskProducesATraceWithSpansAndGenerations() async throws {
        let batches = Mutex<[JSONValue]>([])
        let auth = Mutex<[String]>([])
        let router = Router()
        router.post("/api/public/ingestion") { request, _ -> Response in
            auth.withLock { $0.append(request.headers[.authorization] ?? "") }
            let body = try await request.body.collect(upTo: 16 << 20)
            if let json = JSONValue.parse(String(buffer: body)) { batches.withLock { $0.append(json) } }
            return Response(status: .init(code: 207))
        }
        try await LoopbackHTTPServer.with(router) { port in
            try await withHarness(replies: [.toolCall("file_write", #"{"path":"out.txt","content":"sk-secret-value-1234567890\n"}"#),
                                            .text("Wrote out.txt with the key sk-secret-value-1234567890.")]) { harness in
                var logger = Logger(label: "langfuse")
                logger.logLevel = .critical
                var settings = LangfuseSettings(baseURL: "http://127.0.0.1:\(port)", publicKey: "pk-lf-test", secretKey: "sk-lf-test-secret")
                settings.flushInterval = .milliseconds(50)
                let exporter = LangfuseExporter(settings: settings, logger: logger)
                let orchestrator = Orchestrator(config: harness.config, store: harness.store, model: harness.orchestrator.model,
                                                sandbox: harness.orchestrator.sandbox, langfuse: exporter, logger: logger)
                let repo = try TemporaryDirectory.gitRepository(prefix: "traced")
                let outcome = try await orchestrator.dispatch(.init(goal: "write out.txt", spark: "coder", repository: repo.path,
                                                                    verify: "test -f out.txt"))
                #expect(outcome.status == .succeeded)
                #expect(await exporter.flush())
                await exporter.close()

                #expect(auth.withLock { $0 }.allSatisfy { $0 == "Basic " + Data("pk-lf-test:sk-lf-test-secret".utf8).base64EncodedString() })
                let events = batches.withLock { $0 }.flatMap { $0["batch"]?.arrayValue ?? [] }
                let traceID = outcome.taskID.uuidString.lowercased()
                func of(_ type: String) -> [JSONValue] { events.filter { $0["type"]?.stringValue == type }.compactMap { $0["body"] } }
                #expect(events.allSatisfy { $0["id"]?.stringValue != nil && $0["timestamp"]?.stringValue?.hasSuffix("Z") == true })
                // The trace: created at the start, given its output at the end.
                let traces = of("trace-create")
                #expect(traces.count == 2)
                #expect(traces.allSatisfy { $0["id"]?.stringValue == traceID })
                #expect(traces.last?["metadata"]?["status"]?.stringValue == "succeeded")
                // The run span, and below it the generations with the usage the model reported.
                let run = try #require(of("span-create").first { $0["name"]?.stringValue == "spark:coder" })
                let runID = try #require(run["id"]?.stringValue)
                let generations = of("generation-create")
                #expect(generations.count == 2)
                for generation in generations {
                    #expect(generation["traceId"]?.stringValue == traceID)
                    #expect(generation["parentObservationId"]?.stringValue == runID)
                    #expect(generation["model"]?.stringValue == "scripted-model")
                    #expect(generation["usage"]?["input"]?.doubleValue == 100)
                    #expect(generation["usage"]?["output"]?.doubleValue == 20)
                }
                let tool = try #require(of("span-create").first { $0["name"]?.stringValue == "tool:file_write" })
                #expect(tool["parentObservationId"]?.stringValue == runID)
                #expect(of("span-create").contains { $0["name"]?.stringValue == "verify" })
                #expect(of("span-update").first?["id"]?.stringValue == runID)
                // Inputs and outputs are redacted: the token-shaped string never leaves.
                let everything = batches.withLock { $0 }.map(\.canonicalText).joined()
                #expect(!everything.contains("sk-secret-value-1234567890"))
                #expect(everything.contains("[REDACTED_TOKEN]"))
                #expect(exporter.counts.dropped == 0)
            }
        }
    }

    @Test func aDeadServerNeverSlowsATaskAndTheQueueStaysBounded() async throws {
        var logger = Logger(label: "langfuse")
        logger.logLevel = .critical
        var settings = LangfuseSettings(baseURL: "http://127.0.0.1:9", publicKey: "pk", secretKey: "sk-secret-12345678")
        settings.maxQueued = 100
        settings.batchSize = 100
        settings.maxAttempts = 1
        let exporter = LangfuseExporter(settings: settings, logger: logger)
        // Recording only appends to a bounded queue: the oldest events go beyond its size.
        for index in 0..<1000 { exporter.record(type: "span-create", body: .object(["i": .number(Double(index))])) }
        #expect(exporter.counts.queued == 100)
        #expect(exporter.counts.dropped == 900)
        #expect(await exporter.flush() == false)
        #expect(exporter.counts.failedBatches == 1)
        #expect(exporter.counts.queued == 0)
        await exporter.close()
    }
}
