import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksMCP
import SparksOrchestrator
import SparksStore
import SparksTesting
import Testing

/// A spark calls an MCP server's tools through its allowlist; the stdio server runs inside the
/// sandbox with only what its configuration grants.
@Suite struct MCPIntegrationTests {
    static let python = ProcessInfo.processInfo.environment["SPARKS_TEST_PYTHON"] ?? "/var/tmp/sparks-test-venv-\(getuid())/bin/python"
    static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SparksMCPTests/fixtures/server.py").path

    @Test func aSparkCallsSandboxedMCPToolsAndACrashIsReported() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("the test virtualenv is missing: run scripts/test-venv.sh (make test does)")
            return
        }
        // The server script where the sandbox's user (uid 65534 when tests run as root) can read it.
        let scripts = try TemporaryDirectory(prefix: "mcp-script")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scripts.path)
        let script = scripts.file("server.py")
        try FileManager.default.copyItem(atPath: Self.server, toPath: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script)
        let venv = ((Self.python as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let config = """
            [[mcp.servers]]
            name = "demo"
            command = "\(Self.python)"
            args = ["\(script)", "stdio"]
            ro_paths = ["\(venv)"]
            env = ["DEMO_TOKEN=token-for-the-demo-server-123"]
            timeout_secs = 20

            [[sparks]]
            name = "toolsmith"
            description = "Uses the demo MCP server."
            tools = ["file_read", "mcp:demo:*"]
            """
        try await withHarness(replies: [
            .toolCall("mcp__demo__add", #"{"a": 2, "b": 40}"#),
            .toolCall("mcp__demo__env", #"{"name": "DEMO_TOKEN"}"#),
            .toolCall("mcp__demo__env", #"{"name": "SPARKS_LLM_BASE_URL"}"#),
            .toolCall("mcp__demo__cwd", "{}"),
            .toolCall("mcp__demo__crash", "{}"),
            .toolCall("mcp__demo__pid", "{}"),
            .text("Done with the demo server."),
        ], config: config) { harness in
            var logger = Logger(label: "mcp-test") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = ProcessInfo.processInfo.environment["SPARKS_TEST_DEBUG"] == nil ? .critical : .debug
            let registry = try #require(try MCPSetup.registry(config: harness.config, sandbox: harness.orchestrator.sandbox,
                                                              store: harness.store, logger: logger))
            let orchestrator = Orchestrator(config: harness.config, store: harness.store, model: harness.orchestrator.model,
                                            sandbox: harness.orchestrator.sandbox, mcp: registry, logger: logger)
            let repo = try TemporaryDirectory.gitRepository(prefix: "mcp-repo")
            let outcome = try await orchestrator.dispatch(.init(goal: "use the demo server", spark: "toolsmith", repository: repo.path))
            await registry.shutdown()
            #expect(outcome.status == .succeeded, "\(outcome.summary) \(outcome.error ?? "")")

            // What the model was told, call by call.
            let requests = harness.server.chatRequests
            func toolResult(afterCall index: Int) -> String {
                let messages = requests[index + 1].body?["messages"]?.arrayValue ?? []
                return messages.last?["content"]?.stringValue ?? ""
            }
            // The tools were offered under their wire names.
            let offered = requests.first?.body?["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } ?? []
            #expect(offered.contains("mcp__demo__add") && offered.contains("file_read"), "\(offered)")
            #expect(toolResult(afterCall: 0).contains("42"))
            // The variable the configuration passes arrives (redacted from what the model sees,
            // as every configured secret is); Sparks' own environment does not.
            #expect(toolResult(afterCall: 1).contains("[REDACTED]"))
            #expect(toolResult(afterCall: 2).contains("<unset>"))
            // It runs in its own directory under $SPARKS_HOME/mcp, inside the sandbox.
            #expect(toolResult(afterCall: 3).contains(harness.config.home + "/mcp/demo"))
            // A crash mid-call fails that call at once; the next call gets a new server.
            #expect(toolResult(afterCall: 4).contains("[tool error]"))
            #expect(Int(toolResult(afterCall: 5).trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "\(toolResult(afterCall: 5))")
            let events = try harness.store.events(categories: ["mcp_server"]).map(\.message)
            #expect(events.contains { $0.contains("demo crashed") }, "\(events)")
            #expect(events.contains { $0.contains("demo restarted") || $0.contains("demo started") }, "\(events)")
        }
    }
}
