import Foundation
import Logging
import SparksCore
import SparksLLM
import SparksTesting
import Synchronization
import Testing

/// The local model server's lifecycle with a stand-in for `python -m llama_cpp.server`: a real
/// Python HTTP server on loopback that answers `GET /v1/models` (or fails the way a broken
/// install does), started, attached to, restarted and stopped for real.
@Suite(.serialized) struct LocalModelServerTests {
    /// A "python" that serves `/v1/models` on the `--port` it is given; `FAKE_MODE=crash` exits
    /// at once like a Python without llama_cpp.
    static let fakeServer = """
        import http.server, json, sys
        args = sys.argv[1:]
        if "llama_cpp.server" not in args:
            sys.exit("not asked for llama_cpp.server")
        if open(args[args.index("--model") + 1]).read().startswith("crash"):
            print("/usr/bin/python3: No module named llama_cpp", file=sys.stderr)
            sys.exit(1)
        model = args[args.index("--model") + 1]
        def on_term(signum, frame):
            open(model + ".sigterm", "w").write("stopped")
            sys.exit(0)
        import signal
        signal.signal(signal.SIGTERM, on_term)
        port = int(args[args.index("--port") + 1])
        alias = args[args.index("--model_alias") + 1]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps({"object": "list", "data": [{"id": alias, "object": "model"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *a):
                pass
        http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """

    struct Fixture {
        let directory: TemporaryDirectory
        let python: String
        let model: String
        let port: Int

        init(modelText: String = "gguf") throws {
            directory = try TemporaryDirectory(prefix: "local-model")
            let script = try directory.write("fake_server.py", LocalModelServerTests.fakeServer)
            python = try directory.write("python", "#!/bin/sh\nexec /usr/bin/python3 \(script) \"$@\"\n")
            chmod(python, 0o755)
            model = try directory.write("model.gguf", modelText)
            port = try LoopbackPort.free()
        }

        var spec: LocalServerSpec {
            LocalServerSpec(python: python, modelPath: model, alias: "local", port: port, startupTimeoutSecs: 30,
                            logPath: directory.path + "/logs/local-model.log")
        }

        func server() -> (LocalModelServer, OpenAICompatibleClient) {
            let client = OpenAICompatibleClient(settings: ClientSettings(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: nil, model: "local",
                                                                         timeoutSecs: 2, retry: RetryPolicy(maxRetries: 0)))
            let server = LocalModelServer(spec: spec, logger: Logger(label: "test")) { (try? await client.listModels()) != nil }
            return (server, client)
        }
    }

    @Test func startsWaitsUntilReadyAndStops() async throws {
        let fixture = try Fixture()
        let (server, client) = fixture.server()
        let lines = LineLog()
        try await server.start(progress: { lines.add($0) })
        guard case .running(let pid) = await server.state else {
            Issue.record("expected a running server, got \(await server.state)")
            return
        }
        #expect(try await client.listModels() == ["local"])
        #expect(lines.all.first?.contains("starting the local model server (model.gguf) on 127.0.0.1:\(fixture.port)") == true)
        #expect(lines.all.last?.contains("ready after") == true)
        await server.stop()
        #expect(await server.state == .stopped)
        #expect(kill(pid, 0) != 0, "the server process is gone")
        // SIGTERM did it (the server's handler ran): a child started with signals blocked ignores it
        // and is only killed by the SIGKILL fallback.
        #expect(FileManager.default.fileExists(atPath: fixture.model + ".sigterm"), "the server got SIGTERM")
        #expect((try? await client.listModels()) == nil)
        await client.shutdown()
    }

    @Test func aServerAlreadyAnsweringIsUsedAndLeftRunning() async throws {
        let fixture = try Fixture()
        let (owner, client) = fixture.server()
        try await owner.start()
        let (second, secondClient) = fixture.server()
        let lines = LineLog()
        try await second.start(progress: { lines.add($0) })
        #expect(await second.state == .attached)
        #expect(lines.all == ["using the local model server already running on 127.0.0.1:\(fixture.port)"])
        await second.stop()
        #expect(try await client.listModels() == ["local"], "stopping an attached server leaves it running")
        await owner.stop()
        await client.shutdown()
        await secondClient.shutdown()
    }

    @Test func aMissingModelOrPythonSaysWhatToRun() async throws {
        let fixture = try Fixture()
        var spec = fixture.spec
        spec.modelPath = fixture.directory.path + "/absent.gguf"
        let missingModel = LocalModelServer(spec: spec, logger: Logger(label: "test")) { false }
        let modelError = await #expect(throws: SparksError.self) { try await missingModel.start() }
        #expect(modelError?.code == .modelUnavailable)
        #expect(modelError?.hint?.contains("scripts/local-model.sh") == true)
        spec = fixture.spec
        spec.python = fixture.directory.path + "/no-python"
        let missingPython = LocalModelServer(spec: spec, logger: Logger(label: "test")) { false }
        let pythonError = await #expect(throws: SparksError.self) { try await missingPython.start() }
        #expect(pythonError?.message.contains("no Python at") == true)
    }

    @Test func aServerThatExitsWhileStartingIsReportedWithItsLog() async throws {
        let fixture = try Fixture(modelText: "crash")
        let (server, client) = fixture.server()
        let error = await #expect(throws: SparksError.self) { try await server.start() }
        #expect(error?.message.contains("exited with status 1 while starting") == true)
        #expect(error?.message.contains("No module named llama_cpp") == true)
        #expect(error?.hint?.contains("llama-cpp-python[server] is not installed") == true)
        #expect(await server.state == .stopped)
        await client.shutdown()
    }

    @Test func aKilledServerIsRestartedByTheWatch() async throws {
        let fixture = try Fixture()
        let (server, client) = fixture.server()
        try await server.start()
        guard case .running(let first) = await server.state else { return }
        await server.watch(interval: .milliseconds(200))
        kill(first, SIGKILL)
        // Counted once the new server answers; until then the restart is still in progress.
        var restarted = false
        for _ in 0..<150 {
            try await Task.sleep(for: .milliseconds(200))
            if await server.restarts == 1, case .running(let pid) = await server.state, pid != first,
               (try? await client.listModels()) != nil {
                restarted = true
                break
            }
        }
        #expect(restarted, "the watch brings the server back")
        await server.stop()
        await client.shutdown()
    }
}

/// Progress lines, collected from any thread.
final class LineLog: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
