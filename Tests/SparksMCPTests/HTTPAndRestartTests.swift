import Foundation
import SparksMCP
import Testing

@Suite(.serialized, .enabled(if: MCPFixture.available, MCPFixture.skipReason))
struct HTTPRegistryTests {
    @Test func callsAToolOverStreamableHTTP() async throws {
        let server = try await HTTPServerFixture()
        defer { server.stop() }
        let events = EventLog()
        let config = MCPServerConfig(name: "web", transport: .http(url: server.url, headers: ["X-Demo": "1"]))
        let registry = try MCPRegistry(servers: [config], onEvent: events.handler, logger: MCPFixture.logger)

        let tools = try await registry.tools(server: "web").map(\.qualifiedName)
        let sum = try await registry.call("mcp:web:add", argumentsJSON: #"{"a": 2, "b": 3}"#)
        let report = try await registry.measureLatency("mcp:web:add", argumentsJSON: #"{"a": 1, "b": 2}"#, calls: 50)
        let big = try await registry.call("mcp:web:big", argumentsJSON: #"{"n": 300000}"#)
        _ = try await registry.call("mcp:web:register_more", argumentsJSON: "{}")
        // The server sends the notification on its GET event stream, which may trail the answer.
        let deadline = ContinuousClock.now + .seconds(5)
        while events.count(.toolsChanged) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let after = try await registry.tools(server: "web").map(\.name)
        await #expect(throws: MCPRegistryError.self) {
            try await registry.call("mcp:web:nope", argumentsJSON: "{}")
        }
        await registry.shutdown()

        #expect(tools.contains("mcp:web:add"))
        #expect(sum.text == "5")
        #expect(big.truncated && big.text.hasSuffix("[truncated \(300_000 - 64 * 1024) bytes]"))
        #expect(after.contains("more"), "tools/list_changed clears the cache")
        #expect(events.count(.toolsChanged) == 1)
        print("http add(): \(report)")
    }

    @Test func aTimeoutOverHTTPLeavesTheSessionUsable() async throws {
        let server = try await HTTPServerFixture()
        defer { server.stop() }
        let config = MCPServerConfig(name: "web", transport: .http(url: server.url, headers: [:]), callTimeout: .seconds(1))
        let registry = try MCPRegistry(servers: [config], logger: MCPFixture.logger)
        await #expect(throws: MCPRegistryError.timeout(server: "web", tool: "hang", after: .seconds(1))) {
            try await registry.call("mcp:web:hang", argumentsJSON: "{}")
        }
        let sum = try await registry.call("mcp:web:add", argumentsJSON: #"{"a": 1, "b": 1}"#)
        #expect(sum.text == "2")
        await registry.shutdown()
    }
}

/// Failures that need no Python.
@Suite struct RegistryLifecycleTests {
    @Test func aMissingCommandFailsToStartWithAClearMessage() async throws {
        let config = MCPServerConfig(
            name: "ghost",
            transport: .stdio(command: "sparks-no-such-mcp-server", args: [], env: ["API_TOKEN": "s3cr3t-value"]))
        let registry = try MCPRegistry(servers: [config], logger: MCPFixture.logger)
        let error = await failure { try await registry.tools(server: "ghost") }
        guard case .startFailed(let server, let reason) = error else {
            Issue.record("expected startFailed, got \(String(describing: error))")
            return
        }
        #expect(server == "ghost")
        #expect(reason.contains("'sparks-no-such-mcp-server' was not found on PATH"))
        #expect(error?.description.contains("s3cr3t-value") == false)
        guard case .restarting(attempt: 1, _) = await registry.health()["ghost"] else {
            Issue.record("health should say a start failed")
            return
        }
        await registry.shutdown()
    }

    @Test func anUnreachableHTTPServerFailsToStartAtOnce() async throws {
        let config = MCPServerConfig(name: "web", transport: .http(url: "http://127.0.0.1:9/mcp?token=s3cr3t", headers: [:]))
        let registry = try MCPRegistry(servers: [config], logger: MCPFixture.logger)
        let (error, elapsed) = await measure { await failure { try await registry.tools(server: "web") } }
        await registry.shutdown()
        guard case .startFailed(let server, let reason) = error else {
            Issue.record("expected startFailed, got \(String(describing: error))")
            return
        }
        #expect(server == "web")
        #expect(reason.contains("cannot reach http://127.0.0.1:9/mcp"))
        #expect(!reason.contains("s3cr3t"))
        // The refusal ended the start, not the 30 s start deadline (whose reason says "within");
        // no timing bound: a busy machine is slow.
        #expect(!reason.contains("within"), "a refused connection is not retried until the deadline; took \(elapsed)")
    }

    @Test func aServerThatNeverStartsIsGivenUpAfterFiveTries() async throws {
        let events = EventLog()
        let config = MCPServerConfig(name: "broken", transport: .stdio(command: "/bin/false", args: [], env: [:]))
        let registry = try MCPRegistry(servers: [config], onEvent: events.handler, logger: MCPFixture.logger)
        var errors: [MCPRegistryError] = []
        let (_, elapsed) = await measure {
            for _ in 0..<6 {
                if let error = await failure({ try await registry.tools(server: "broken") }) { errors.append(error) }
            }
        }
        #expect(errors.count == 6)
        #expect(elapsed >= .seconds(7), "restarts back off 0.5 s, 1 s, 2 s, 4 s; took \(elapsed)")
        #expect(errors.prefix(4).allSatisfy { if case .startFailed = $0 { true } else { false } })
        #expect(errors.suffix(2).allSatisfy { if case .gaveUp(_, 5, _) = $0 { true } else { false } })
        #expect(errors.last?.description.contains("gave up") == true)
        #expect(events.count(.failed) == 1)
        guard case .failed = await registry.health()["broken"] else {
            Issue.record("health should be failed")
            return
        }
        try await registry.reset(server: "broken")
        #expect(await registry.health()["broken"] == .notStarted)
        await registry.shutdown()
    }

    @Test func namesAreChecked() {
        #expect(throws: MCPRegistryError.self) {
            try MCPRegistry(servers: [MCPFixture.stdio("Bad Name")], logger: MCPFixture.logger)
        }
        #expect(throws: MCPRegistryError.self) {
            try MCPRegistry(servers: [MCPFixture.stdio(), MCPFixture.stdio()], logger: MCPFixture.logger)
        }
    }

    @Test func qualifiedNamesSplitIntoServerAndTool() throws {
        let parsed = try #require(MCPToolInfo.parse(qualifiedName: "mcp:demo:add"))
        #expect(parsed.server == "demo" && parsed.tool == "add")
        let dotted = try #require(MCPToolInfo.parse(qualifiedName: "mcp:demo:files.read:v2"))
        #expect(dotted.server == "demo" && dotted.tool == "files.read:v2")
        #expect(MCPToolInfo.parse(qualifiedName: "mcp:demo:") == nil)
        #expect(MCPToolInfo.parse(qualifiedName: "demo:add") == nil)
        #expect(MCPToolInfo(server: "demo", name: "add", description: "", inputSchema: "{}").qualifiedName == "mcp:demo:add")
    }
}
