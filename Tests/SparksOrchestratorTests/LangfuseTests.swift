import Foundation
import Hummingbird
import Logging
import SparksConfig
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

/// The same trace as OpenTelemetry spans over OTLP/HTTP (JSON), checked by a loopback collector.
@Suite struct OTLPTests {
    @Test func aDispatchedTaskProducesGenAISpans() async throws {
        let requests = Mutex<[(JSONValue, String)]>([])
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            if let json = JSONValue.parse(String(buffer: body)) {
                requests.withLock { $0.append((json, request.headers[.init("x-tenant")!] ?? "")) }
            }
            return Response(status: .ok)
        }
        try await LoopbackHTTPServer.with(router) { port in
            try await withHarness(replies: [.toolCall("file_write", #"{"path":"out.txt","content":"sk-secret-value-1234567890\n"}"#),
                                            .text("Wrote out.txt.")]) { harness in
                var logger = Logger(label: "otlp")
                logger.logLevel = .critical
                // The endpoint and headers as a user sets them: in the standard environment variables.
                let config = try ConfigLoader(environment: [
                    "HOME": harness.config.home, "SPARKS_HOME": harness.config.home, "OPENAI_API_KEY": "sk-test",
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=team%20a",
                ], workingDirectory: harness.config.home).load().config
                let otel = try #require(config.otel)
                #expect(otel.tracesURL == "http://127.0.0.1:\(port)/v1/traces")
                let exporter = OTLPExporter(settings: OTLPSettings(tracesURL: otel.tracesURL, headers: otel.headers.map { ($0.0, $0.1.reveal()) }),
                                            logger: logger)
                let orchestrator = Orchestrator(config: harness.config, store: harness.store, model: harness.orchestrator.model,
                                                sandbox: harness.orchestrator.sandbox, otlp: exporter, logger: logger)
                let repo = try TemporaryDirectory.gitRepository(prefix: "otlp")
                let outcome = try await orchestrator.dispatch(.init(goal: "write out.txt", spark: "coder", repository: repo.path,
                                                                    verify: "test -f out.txt"))
                #expect(outcome.status == .succeeded)
                await exporter.close()
                #expect(exporter.counts.sent > 0 && exporter.counts.failedBatches == 0)

                let received = requests.withLock { $0 }
                #expect(received.allSatisfy { $0.1 == "team a" })
                let resource = received.first?.0["resourceSpans"]?.arrayValue?.first?["resource"]
                #expect(resource?.canonicalText.contains("\"service.name\"") == true)
                let spans = received.flatMap { request in
                    (request.0["resourceSpans"]?.arrayValue ?? []).flatMap { ($0["scopeSpans"]?.arrayValue ?? []) }
                        .flatMap { $0["spans"]?.arrayValue ?? [] }
                }
                func attributes(_ span: JSONValue) -> [String: JSONValue] {
                    var result: [String: JSONValue] = [:]
                    for pair in span["attributes"]?.arrayValue ?? [] {
                        if let key = pair["key"]?.stringValue, let value = pair["value"] { result[key] = value }
                    }
                    return result
                }
                func named(_ name: String) -> [JSONValue] { spans.filter { $0["name"]?.stringValue == name } }
                let traceID = outcome.taskID.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                #expect(spans.allSatisfy { $0["traceId"]?.stringValue == traceID && $0["spanId"]?.stringValue?.count == 16 })
                let root = try #require(named("sparks.task").first)
                #expect(root["parentSpanId"] == nil)
                #expect(attributes(root)["sparks.status"]?["stringValue"]?.stringValue == "succeeded")
                let run = try #require(named("invoke_agent coder").first)
                #expect(run["parentSpanId"]?.stringValue == root["spanId"]?.stringValue)
                #expect(attributes(run)["gen_ai.agent.name"]?["stringValue"]?.stringValue == "coder")
                let chats = named("chat scripted-model")
                #expect(chats.count == 2)
                for chat in chats {
                    let values = attributes(chat)
                    #expect(chat["parentSpanId"]?.stringValue == run["spanId"]?.stringValue)
                    #expect(chat["kind"]?.doubleValue == 3)
                    #expect(values["gen_ai.operation.name"]?["stringValue"]?.stringValue == "chat")
                    #expect(values["gen_ai.request.model"]?["stringValue"]?.stringValue == "scripted-model")
                    #expect(values["gen_ai.usage.input_tokens"]?["intValue"]?.stringValue == "100")
                    #expect(values["gen_ai.usage.output_tokens"]?["intValue"]?.stringValue == "20")
                    let start = try #require(Int64(chat["startTimeUnixNano"]?.stringValue ?? ""))
                    let end = try #require(Int64(chat["endTimeUnixNano"]?.stringValue ?? ""))
                    #expect(end >= start && start > 1_700_000_000_000_000_000)
                }
                let tool = try #require(named("execute_tool file_write").first)
                #expect(attributes(tool)["gen_ai.tool.name"]?["stringValue"]?.stringValue == "file_write")
                #expect(tool["status"]?["code"]?.doubleValue == 1)
                #expect(named("verify").count == 1)
                let everything = received.map(\.0.canonicalText).joined()
                #expect(!everything.contains("sk-secret-value-1234567890"))
            }
        }
    }
}
