import Foundation
import Glibc
import SparksMCP
import Testing

/// The registry against the real Python server over stdio. Serialized: each test starts a
/// server, and the latency test should not share two cores with the others.
@Suite(.serialized, .enabled(if: MCPFixture.available, MCPFixture.skipReason))
struct StdioRegistryTests {
    @Test func listsToolsUnderQualifiedNames() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio()], logger: MCPFixture.logger)
        let tools = try await registry.tools(server: "demo")
        await registry.shutdown()

        let names = Set(tools.map(\.qualifiedName))
        for tool in ["add", "echo", "big", "crash", "hang", "env", "pid", "register_more"] {
            #expect(names.contains("mcp:demo:\(tool)"))
        }
        let add = try #require(tools.first { $0.name == "add" })
        #expect(add.server == "demo")
        #expect(add.description == "Adds two integers.")
        let schema = try #require(JSONSerialization.jsonObject(with: Data(add.inputSchema.utf8)) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(properties.keys) == ["a", "b"])
    }

    @Test func callsAToolOverStdio() async throws {
        let events = EventLog()
        let registry = try MCPRegistry(servers: [MCPFixture.stdio()], onEvent: events.handler, logger: MCPFixture.logger)
        #expect(await registry.health()["demo"] == .notStarted)
        let sum = try await registry.call("mcp:demo:add", argumentsJSON: #"{"a": 2, "b": 3}"#)
        let echo = try await registry.call("mcp:demo:echo", arguments: ["text": "héllo ✓ \"quoted\"\nline"])
        #expect(await registry.health()["demo"] == .ready)
        await registry.shutdown()

        #expect(sum.text == "5")
        #expect(!sum.isError)
        #expect(!sum.truncated)
        #expect(echo.text == "héllo ✓ \"quoted\"\nline")
        #expect(events.count(.started) == 1)
    }

    @Test func concurrentFirstCallsStartOneProcess() async throws {
        let events = EventLog()
        let registry = try MCPRegistry(servers: [MCPFixture.stdio()], onEvent: events.handler, logger: MCPFixture.logger)
        // Each result is tagged with its call: a pid may itself start with "10".
        let results = try await withThrowingTaskGroup(of: (isSum: Bool, text: String).self) { group in
            for index in 0..<8 {
                group.addTask { (true, try await registry.call("mcp:demo:add", argumentsJSON: #"{"a": \#(index), "b": 100}"#).text) }
                group.addTask { (false, try await registry.call("mcp:demo:pid", argumentsJSON: "{}").text) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        await registry.shutdown()
        let sums = Set(results.filter(\.isSum).map(\.text))
        #expect(sums == Set((0..<8).map { String(100 + $0) }))
        #expect(Set(results.filter { !$0.isSum }.map(\.text)).count == 1, "one process answered every pid() call")
        #expect(events.count(.started) == 1)
    }

    @Test func oneProcessServesAHundredCalls() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio()], logger: MCPFixture.logger)
        let first = try await registry.call("mcp:demo:pid", argumentsJSON: "{}")
        var pids: Set<String> = [first.text]
        var samples: [Double] = []
        for _ in 0..<100 {
            let (result, elapsed) = try await measure { try await registry.call("mcp:demo:pid", argumentsJSON: "{}") }
            pids.insert(result.text)
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        let processID = await registry.processID(server: "demo")
        let add = try await registry.measureLatency("mcp:demo:add", argumentsJSON: #"{"a": 1, "b": 2}"#, calls: 100)
        await registry.shutdown()

        #expect(pids.count == 1, "every call should reach the same server process")
        #expect(processID.map(String.init) == first.text)
        print("stdio pid(): \(MCPLatencyReport(samplesMs: samples))")
        print("stdio add(): \(add)")
    }

    @Test func aCrashFailsTheCallAtOnceAndTheNextCallRestarts() async throws {
        let events = EventLog()
        let registry = try MCPRegistry(
            servers: [MCPFixture.stdio(callTimeout: .seconds(30))], onEvent: events.handler, logger: MCPFixture.logger)
        let before = try await registry.call("mcp:demo:pid", argumentsJSON: "{}").text

        let (outcome, elapsed) = await measure {
            await failure { try await registry.call("mcp:demo:crash", argumentsJSON: "{}") }
        }
        let error = try #require(outcome, "a call whose server dies must fail")
        guard case .serverExited(let server, let detail) = error else {
            Issue.record("expected serverExited, got \(error)")
            return
        }
        #expect(server == "demo")
        // The exit status is not always known by the time the call fails (the reaper may not have
        // seen the exit yet); the stderr tail is.
        #expect(detail.contains("crash() called, exiting with status 3"), "the error carries the tail of stderr")
        #expect(error.description.contains("'demo'"))
        #expect(elapsed < .seconds(20), "took \(elapsed); the call timeout is 30 s")
        #expect(events.count(.crashed) == 1)
        if case .restarting(let attempt, _) = await registry.health()["demo"] {
            #expect(attempt == 1)
        } else {
            Issue.record("health should be restarting after a crash")
        }

        // A finished stream must not leave a loop spinning (the SDK's stdio transport does).
        let cpuBefore = processCPUTime()
        try await Task.sleep(for: .seconds(1))
        let idleCPU = processCPUTime() - cpuBefore
        #expect(idleCPU < 0.5, "sparks used \(idleCPU) s of CPU in 1 s after the crash")

        let after = try await registry.call("mcp:demo:pid", argumentsJSON: "{}").text
        await registry.shutdown()

        #expect(after != before, "the next call runs on a new process")
        #expect(events.count(.restarted) == 1)
        #expect(!MCPFixture.isRunning(try #require(Int32(before))))
        #expect(!MCPFixture.isRunning(try #require(Int32(after))))
    }

    @Test func aHangingCallTimesOutAndTheServerStaysUsable() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio(callTimeout: .seconds(1))], logger: MCPFixture.logger)
        let pid = try #require(Int32(try await registry.call("mcp:demo:pid", argumentsJSON: "{}").text))

        let (outcome, elapsed) = await measure {
            await failure { try await registry.call("mcp:demo:hang", argumentsJSON: "{}") }
        }
        #expect(outcome == .timeout(server: "demo", tool: "hang", after: .seconds(1)))
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(20), "took \(elapsed)")
        #expect(await registry.health()["demo"] == .ready, "a slow tool is not a dead server")

        let sum = try await registry.call("mcp:demo:add", argumentsJSON: #"{"a": 20, "b": 22}"#)
        #expect(sum.text == "42")
        #expect(await registry.processID(server: "demo") == pid)

        let (_, shutdownTime) = await measure { await registry.shutdown() }
        // Bounded: a close that stalls is cut short after 5 s by killing the process group.
        #expect(shutdownTime < .seconds(10), "took \(shutdownTime)")
        #expect(!MCPFixture.isRunning(pid))
    }

    @Test func aFrozenServerTimesOutEveryCallAndStillShutsDown() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio(callTimeout: .seconds(1))], logger: MCPFixture.logger)
        let pid = try #require(Int32(try await registry.call("mcp:demo:pid", argumentsJSON: "{}").text))
        let grandchild = try #require(Int32(try await registry.call("mcp:demo:spawn_child", argumentsJSON: "{}").text))
        #expect(MCPFixture.isRunning(grandchild))

        // SIGSTOP: the server neither reads nor answers, and ignores SIGTERM until killed.
        await #expect(throws: MCPRegistryError.timeout(server: "demo", tool: "freeze", after: .seconds(1))) {
            try await registry.call("mcp:demo:freeze", argumentsJSON: "{}")
        }
        let (_, elapsed) = await measure {
            await #expect(throws: MCPRegistryError.timeout(server: "demo", tool: "add", after: .seconds(1))) {
                try await registry.call("mcp:demo:add", argumentsJSON: #"{"a": 1, "b": 1}"#)
            }
        }
        #expect(elapsed < .seconds(20), "a frozen server answers nothing, yet each call ends at its own 1 s timeout")

        let (_, shutdownTime) = await measure { await registry.shutdown() }
        #expect(shutdownTime < .seconds(10), "SIGTERM, 2 s grace, then SIGKILL (or the 5 s fallback); took \(shutdownTime)")
        #expect(!MCPFixture.isRunning(pid))
        #expect(!MCPFixture.isRunning(grandchild), "the whole process group is stopped")
        await #expect(throws: MCPRegistryError.shutDown) {
            try await registry.call("mcp:demo:add", argumentsJSON: #"{"a": 1, "b": 1}"#)
        }
    }

    @Test func aLongResultIsCutWithANote() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio(maxResultBytes: 1000)], logger: MCPFixture.logger)
        let long = try await registry.call("mcp:demo:big", argumentsJSON: #"{"n": 5000}"#)
        let short = try await registry.call("mcp:demo:big", argumentsJSON: #"{"n": 1000}"#)
        let huge = try await registry.call("mcp:demo:big", argumentsJSON: #"{"n": 2000000}"#)
        await registry.shutdown()

        #expect(long.truncated)
        #expect(long.text.hasPrefix(String(repeating: "x", count: 1000) + "\n"))
        #expect(long.text.hasSuffix("[truncated 4000 bytes]"))
        #expect(!short.truncated)
        #expect(short.text == String(repeating: "x", count: 1000))
        #expect(huge.text.hasSuffix("[truncated 1999000 bytes]"))
    }

    @Test func toolListChangedClearsTheCache() async throws {
        let events = EventLog()
        let registry = try MCPRegistry(
            servers: [MCPFixture.stdio(toolsTTL: .seconds(3600))], onEvent: events.handler, logger: MCPFixture.logger)
        let before = try await registry.tools(server: "demo").map(\.name)
        _ = try await registry.call("mcp:demo:register_more", argumentsJSON: "{}")
        let after = try await registry.tools(server: "demo").map(\.name)
        let more = try await registry.call("mcp:demo:more", argumentsJSON: "{}")
        await registry.shutdown()

        #expect(!before.contains("more"))
        #expect(after.contains("more"), "the list must be fetched again although its TTL has not passed")
        #expect(events.count(.toolsChanged) == 1)
        #expect(more.text == "more")
    }

    @Test func theToolListIsFetchedAgainAfterItsTTL() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio(toolsTTL: .milliseconds(300))], logger: MCPFixture.logger)
        _ = try await registry.tools(server: "demo")
        // Adds a tool; the notification clears the cache too, so fill it again first.
        _ = try await registry.call("mcp:demo:register_more", argumentsJSON: "{}")
        let cached = try await registry.tools(server: "demo").map(\.name)
        try await Task.sleep(for: .milliseconds(400))
        let expired = try await registry.tools(server: "demo").map(\.name)
        await registry.shutdown()
        #expect(cached.contains("more"))
        #expect(expired.contains("more"))
    }

    @Test func unknownServersAndToolsAreNamedInTheError() async throws {
        let registry = try MCPRegistry(servers: [MCPFixture.stdio()], logger: MCPFixture.logger)
        await #expect(throws: MCPRegistryError.unknownServer("nope", known: ["demo"])) {
            try await registry.call("mcp:nope:add", argumentsJSON: "{}")
        }
        await #expect(throws: MCPRegistryError.unknownServer("nope", known: ["demo"])) {
            try await registry.tools(server: "nope")
        }
        await #expect(throws: MCPRegistryError.invalidToolName("add")) {
            try await registry.call("add", argumentsJSON: "{}")
        }
        do {
            _ = try await registry.call("mcp:demo:nope", argumentsJSON: "{}")
            Issue.record("an unknown tool must fail")
        } catch {
            guard case .unknownTool(let server, let tool, let available) = error else {
                Issue.record("expected unknownTool, got \(error)")
                return
            }
            #expect(server == "demo" && tool == "nope")
            #expect(available.contains("add"))
            #expect(error.description.contains("has no tool 'nope'"))
        }
        await #expect(throws: MCPRegistryError.self) {
            try await registry.call("mcp:demo:add", argumentsJSON: "[1, 2]")
        }
        await registry.shutdown()
    }

    @Test func theServerGetsItsEnvironmentAndNotSparksSecrets() async throws {
        // A variable of this process that is not on the inherited list stands for a secret. The
        // environment is only read, never changed: `setenv` while other tests spawn processes can
        // crash them (they copy `environ` as it is reallocated).
        let own = ProcessInfo.processInfo.environment
        let secretName = try #require(own.keys.sorted().first { !MCPRegistry.inheritedEnvironment.contains($0) && !(own[$0] ?? "").isEmpty },
                                      "the test process has no variable beyond the inherited ones")
        let registry = try MCPRegistry(
            servers: [MCPFixture.stdio(env: ["DEMO_TOKEN": "configured"])], logger: MCPFixture.logger)
        let configured = try await registry.call("mcp:demo:env", argumentsJSON: #"{"name": "DEMO_TOKEN"}"#)
        let leaked = try await registry.call("mcp:demo:env", argumentsJSON: #"{"name": "\#(secretName)"}"#)
        let home = try await registry.call("mcp:demo:env", argumentsJSON: #"{"name": "HOME"}"#)
        await registry.shutdown()
        #expect(configured.text == "configured")
        #expect(leaked.text == "<unset>")
        #expect(home.text == ProcessInfo.processInfo.environment["HOME"] ?? "<unset>")
    }

    @Test func aLauncherDecidesHowTheServerRuns() async throws {
        // What a sandboxing launcher does: wrap the command in another program.
        let launcher: MCPLauncher = { config in
            var launch = try MCPRegistry.directLauncher(config)
            launch.arguments = ["SPARKS_WRAPPED=yes", launch.executable] + launch.arguments
            launch.executable = "/usr/bin/env"
            launch.workingDirectory = "/tmp"
            return launch
        }
        let registry = try MCPRegistry(servers: [MCPFixture.stdio()], launcher: launcher, logger: MCPFixture.logger)
        let wrapped = try await registry.call("mcp:demo:env", argumentsJSON: #"{"name": "SPARKS_WRAPPED"}"#)
        let directory = try await registry.call("mcp:demo:cwd", argumentsJSON: "{}")
        await registry.shutdown()
        #expect(wrapped.text == "yes")
        #expect(directory.text == "/tmp")
    }
}
