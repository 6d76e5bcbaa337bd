import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SparksConfig
import SparksCore
import SparksObserve
import SparksIntake
import SparksOrchestrator
import SparksServer
import SparksStore
import SparksTesting
import Testing

/// A home, a store, an orchestrator over the scripted model (with metrics) and the HTTP server
/// on a free loopback port.
struct ServerHarness {
    let home: TemporaryDirectory
    let llm: ScriptedLLMServer
    let config: SparksConfig
    let store: SparksStore
    let metrics: SparksMetrics
    let orchestrator: Orchestrator
    let port: Int
    let serverTask: Task<Void, any Error>
    let shutdownModel: @Sendable () async -> Void
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    static func with(replies: [ScriptedReply] = [], keys: [String] = [], config toml: String = "", environment: [String: String] = [:],
                     storeSecrets: [String: String] = [:], _ body: (ServerHarness) async throws -> Void) async throws {
        let llm = ScriptedLLMServer(replies: replies)
        try await llm.start()
        let home = try TemporaryDirectory(prefix: "server-home")
        _ = try home.write("config.toml", toml)
        for (name, value) in storeSecrets {
            try SecretStore(home: home.path, environment: environment).set(name, value: value)
        }
        let env = ["SPARKS_HOME": home.path, "HOME": home.path, "SPARKS_LLM_BASE_URL": llm.baseURL, "SPARKS_LLM_MODEL": "scripted-model",
                   "SPARKS_LLM_MAX_RETRIES": "0", "SPARKS_MEMORY_ENABLED": "false"].merging(environment) { $1 }
        let config = try ConfigLoader(environment: env, workingDirectory: home.path).load().config
        let store = try SparksStore(path: config.databasePath)
        var logger = Logger(label: "server-test")
        logger.logLevel = .critical
        let (model, shutdown) = ModelFactory.make(config.llm, logger: logger)
        let metrics = SparksMetrics()
        let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: try SandboxFactory.make(config.sandbox),
                                        metrics: metrics, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let tickets = config.tickets.sources.isEmpty ? nil : TicketIntake(orchestrator: orchestrator, transport: AsyncHTTPTransport(),
                                                                          logger: logger)
        let server = SparksHTTPServer(settings: ServerSettings(host: "127.0.0.1", port: 0, keys: keys.map { Secret($0) }),
                                      data: DashboardData(store: store, config: config), metrics: metrics,
                                      webhook: GitHubWebhook(orchestrator: orchestrator, tickets: tickets),
                                      ticketWebhook: tickets.map(TicketWebhook.init(intake:)), logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let task = Task { try await server.run() }
        var port = 0
        for await value in ports { port = value }
        let harness = ServerHarness(home: home, llm: llm, config: config, store: store, metrics: metrics, orchestrator: orchestrator,
                                    port: port, serverTask: task, shutdownModel: shutdown)
        var failure: (any Error)?
        do { try await body(harness) } catch { failure = error }
        task.cancel()
        try? await harness.http.shutdown()
        await shutdown()
        await llm.stop()
        if let failure { throw failure }
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> (status: Int, headers: [(String, String)], body: String) {
        try await send("GET", path, headers: headers)
    }

    func send(_ method: String, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws
        -> (status: Int, headers: [(String, String)], body: String)
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 32 << 20)
        return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, String(buffer: body))
    }

    func dispatch(_ goal: String, files: [String: String] = ["README.md": "# Demo\n"], verify: String?) async throws -> TaskOutcome {
        let repo = try TemporaryDirectory.gitRepository(prefix: "server-repo", files: files)
        return try await orchestrator.dispatch(.init(goal: goal, spark: "coder", repository: repo.path, verify: verify))
    }
}

@Suite struct ServerTests {
    @Test func healthIsOpenAndEverythingElseNeedsAKey() async throws {
        try await ServerHarness.with(keys: ["key-one-123", "key-two-456"]) { harness in
            #expect(try await harness.get("/health").status == 200)
            let refused = try await harness.get("/dashboard")
            #expect(refused.status == 401)
            #expect(refused.headers.contains { $0.0.lowercased() == "www-authenticate" && $0.1.hasPrefix("Basic") })
            #expect(refused.body.contains("invalid_api_key"))
            #expect(try await harness.get("/metrics").status == 401)
            #expect(try await harness.get("/dashboard", headers: [("Authorization", "Bearer key-two-456")]).status == 200)
            #expect(try await harness.get("/dashboard", headers: [("Authorization", "Bearer key-two-45")]).status == 401)
            #expect(try await harness.get("/dashboard", headers: [("Authorization", "Bearer key-two-4567")]).status == 401)
            let basic = "Basic " + Data("me:key-one-123".utf8).base64EncodedString()
            #expect(try await harness.get("/metrics", headers: [("Authorization", basic)]).status == 200)
        }
        // Beyond loopback, keys are required.
        #expect(throws: SparksError.self) { try ServerSettings(host: "0.0.0.0", port: 8787, keys: []).validate() }
        try ServerSettings(host: "0.0.0.0", port: 8787, keys: [Secret("k")]).validate()
        try ServerSettings(host: "127.0.0.1", port: 8787, keys: []).validate()
    }

    @Test func theDashboardShowsTasksLeaderboardAndATasksDetail() async throws {
        try await ServerHarness.with(replies: [
            .toolCall("file_write", #"{"path":"hello.txt","content":"hello\n"}"#), .text("Wrote hello.txt."),
            .text("I did nothing."),
        ]) { harness in
            let good = try await harness.dispatch("write hello <script>alert(1)</script>", verify: "grep -q hello hello.txt")
            let bad = try await harness.dispatch("write nothing", verify: "test -f missing.txt")
            #expect(good.status == .succeeded)
            #expect(bad.status == .failed)

            let page = try await harness.get("/dashboard")
            #expect(page.status == 200)
            let goodID = good.taskID.uuidString.lowercased()
            let badID = bad.taskID.uuidString.lowercased()
            #expect(page.body.contains(#"data-task-id="\#(goodID)" data-status="succeeded""#))
            #expect(page.body.contains(#"data-task-id="\#(badID)" data-status="failed""#))
            #expect(page.body.contains("write hello &lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.body.contains("<script>alert(1)"))
            #expect(page.body.contains(#"data-spark="coder""#))
            #expect(page.body.contains("<svg"))
            #expect(page.body.contains("50 %"))  // one of two succeeded
            #expect(page.body.contains(#"data-count="succeeded"><b>1</b>"#))
            #expect(page.body.contains("task_finished"))
            #expect(!page.body.contains("http://") && !page.body.contains("https://"))  // no external assets

            let detail = try await harness.get("/dashboard/tasks/\(goodID)")
            #expect(detail.status == 200)
            #expect(detail.body.contains(#"<span class="add">+hello</span>"#))
            #expect(detail.body.contains("file_write ok"))
            #expect(detail.body.contains("grep -q hello hello.txt"))
            #expect(detail.body.contains(">passed<"))
            #expect(detail.body.contains("Wrote hello.txt."))
            let failed = try await harness.get("/dashboard/tasks/\(String(badID.prefix(8)))/fragment")
            #expect(failed.body.contains(">failed<"))
            #expect(!failed.body.contains("<html"))
            #expect(try await harness.get("/dashboard/tasks/abcdef12").status == 404)
            #expect(try await harness.get("/dashboard/tasks/zz%3Cb%3E").status == 400)
        }
    }

    @Test func theLiveStreamSendsNewEventsAsTheyHappen() async throws {
        try await ServerHarness.with { harness in
            harness.store.emit(.startup, "before the client connected")
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/dashboard/live")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await harness.http.execute(request, timeout: .seconds(30))
            #expect(response.headers["content-type"].first == "text/event-stream")
            let store = harness.store
            let emitter = Task {
                try await Task.sleep(for: .milliseconds(300))
                store.emit(.feature, "first live event")
                store.emit(.feature, "second live event")
            }
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains("second live event") { break }
            }
            try await emitter.value
            // Only what happened after connecting, in order, each with its id.
            #expect(!text.contains("before the client connected"))
            let first = try #require(text.range(of: "first live event"))
            let second = try #require(text.range(of: "second live event"))
            #expect(first.lowerBound < second.lowerBound)
            #expect(text.contains("event: sparks\ndata: {"))
            let lastID = try harness.store.latestEventID()
            #expect(text.contains("id: \(lastID)\n"))

            // A browser that reconnects with Last-Event-ID gets what it missed.
            store.emit(.feature, "missed while away")
            var again = HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/dashboard/live")
            again.headers.add(name: "Last-Event-ID", value: String(lastID))
            let resumed = try await harness.http.execute(again, timeout: .seconds(30))
            var more = ""
            for try await chunk in resumed.body {
                more += String(buffer: chunk)
                if more.contains("missed while away") { break }
            }
            #expect(!more.contains("second live event"))
        }
    }

    @Test func metricsCountModelCallsToolsSandboxRunsAndTasks() async throws {
        try await ServerHarness.with(replies: [
            .toolCall("file_write", #"{"path":"a.txt","content":"a\n"}"#), .toolCall("shell", #"{"command":"cat a.txt"}"#), .text("Done."),
        ]) { harness in
            let outcome = try await harness.dispatch("write a", verify: "test -f a.txt")
            #expect(outcome.status == .succeeded)
            let scrape = try await harness.get("/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.headers.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/plain; version=0.0.4") })
            let text = scrape.body
            #expect(text.contains(#"sparks_llm_requests_total{model="scripted-model",outcome="ok"} 3"#), "\(text)")
            #expect(text.contains(#"sparks_llm_tokens_total{model="scripted-model",kind="prompt"} 300"#))
            #expect(text.contains(#"sparks_llm_tokens_total{model="scripted-model",kind="completion"} 60"#))
            #expect(text.contains(#"sparks_llm_request_duration_seconds_count{model="scripted-model"} 3"#))
            #expect(text.contains(#"sparks_tool_calls_total{tool="file_write",outcome="ok"} 1"#))
            #expect(text.contains(#"sparks_tool_calls_total{tool="shell",outcome="ok"} 1"#))
            // The shell call and the verify command ran in the sandbox.
            #expect(text.contains(#"sparks_sandbox_runs_total{sandbox="bubblewrap",outcome="ok"} 2"#))
            #expect(text.contains(#"sparks_tasks_finished_total{status="succeeded"} 1"#))
            #expect(text.contains(#"sparks_tasks{status="succeeded"} 1.0"#))
            #expect(text.contains("sparks_queue_depth 0.0"))
            #expect(text.contains("# TYPE sparks_sandbox_run_seconds histogram"))
        }
    }

    @Test func theReportIsOneSelfContainedFile() async throws {
        try await ServerHarness.with(replies: [.toolCall("file_write", #"{"path":"b.txt","content":"b\n"}"#), .text("Wrote b.")]) { harness in
            let outcome = try await harness.dispatch("write b", verify: nil)
            let html = try DashboardPage.report(DashboardData(store: harness.store, config: harness.config))
            let id = outcome.taskID.uuidString.lowercased()
            #expect(html.contains(#"<article id="task-\#(id)""#))
            #expect(html.contains(##"href="#task-\##(id)""##))
            #expect(html.contains("+b"))
            #expect(!html.contains("<script"))
            #expect(!html.contains("src="))
            #expect(!html.contains("http://") && !html.contains("https://"))
        }
    }
}
