import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// The OpenAI-compatible API of a real `sparks serve`, used by the official `openai` Python
/// package (scripts/api/openai_check.py) and fuzzed with malformed requests (scripts/api/fuzz.py).
@Suite struct APITests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/api").path

    /// The virtualenv with `openai` and `mcp` (scripts/test-venv.sh; `make test` sets SPARKS_TEST_PYTHON).
    static var python: String? {
        let candidates = [ProcessInfo.processInfo.environment["SPARKS_TEST_PYTHON"],
                          "/var/tmp/sparks-test-venv-\(getuid())/bin/python"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func waitFor(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) async throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Starts `sparks serve` and returns it with the API's base URL.
    func serve(_ sparks: SparksBinary) async throws -> (Process, String, String) {
        let (serve, _, err) = try sparks.start(["serve"])
        var base = ""
        try await waitFor("sparks serve to print its address") {
            let log = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            guard let range = log.range(of: #"http://127\.0\.0\.1:[0-9]+/v1"#, options: .regularExpression) else { return false }
            base = String(log[range])
            return true
        }
        return (serve, base, err)
    }

    func runPython(_ arguments: [String], home: TemporaryDirectory) async throws -> (Int32, JSONValue?, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python ?? "/usr/bin/python3")
        process.arguments = arguments
        let out = home.file("py-\(UUID().uuidString.prefix(6)).out")
        let err = home.file("py-\(UUID().uuidString.prefix(6)).err")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (process.terminationStatus, JSONValue.parse(text), (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    @Test func theOfficialOpenAIClientWorksStreamingAndNot() async throws {
        guard Self.python != nil else {
            Issue.record("the test virtualenv is missing: run scripts/test-venv.sh (make test does)")
            return
        }
        let server = ScriptedLLMServer(replies: [
            .text(#"{"type":"simple","answer":"Hello from Sparks!"}"#),
            .toolCall("file_write", #"{"path":"hello.txt","content":"hello\n"}"#), .text("Wrote hello.txt."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "api-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "api-repo")
        let key = "sk-sparks-test-key-0123456789"
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: [
            "SPARKS_MEMORY_ENABLED": "false", "SPARKS_API_KEYS": "other-key,\(key)",
            "SPARKS_API_REQUESTS_PER_MINUTE": "8", "SPARKS_API_BURST": "8",
        ])
        let (serve, base, err) = try await serve(sparks)
        defer { kill(serve.processIdentifier, SIGTERM) }
        let (status, report, stderr) = try await runPython([Self.scripts + "/openai_check.py", "--base-url", base, "--key", key,
                                                            "--repository", repo.path, "--burst", "8"], home: home)
        #expect(status == 0, "\(stderr)")
        let result = try #require(report, "openai_check.py printed nothing: \(stderr)")
        #expect(result["models"]?.arrayValue?.compactMap(\.stringValue).starts(with: ["sparks", "sparks/coder"]) == true)
        #expect(result["models"]?.arrayValue?.contains("sparks/scout") == true)

        #expect(result["simple"]?["content"] == "Hello from Sparks!")
        #expect(result["simple"]?["finish"] == "stop")
        #expect(result["simple"]?["object"] == "chat.completion")
        #expect((result["simple"]?["usage"]?.doubleValue ?? 0) > 0)
        // The routing call got the request's temperature.
        #expect(server.chatRequests.first?.body?["temperature"]?.doubleValue == 0.2)

        let stream = try #require(result["stream"])
        #expect(stream["content"]?.stringValue?.hasPrefix("Wrote hello.txt.") == true)
        #expect(stream["finish"] == "stop")
        let progress = stream["progress"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(progress.contains { $0.contains("file_write ok") }, "\(progress)")
        #expect(stream["usage"]?["prompt"]?.doubleValue == 200)
        #expect(stream["usage"]?["completion"]?.doubleValue == 40)
        #expect(stream["sparks"]?["status"] == "succeeded")
        let taskID = try #require(stream["sparks"]?["task_id"]?.stringValue)
        let store = try SparksStore(path: home.file("sparks.db"))
        let task = try #require(try store.task(idPrefix: taskID))
        #expect(task.source == "api")
        #expect(task.sourceRepository == repo.path)

        #expect(result["unknown"]?["status"]?.doubleValue == 404)
        #expect(result["unknown"]?["code"] == "model_not_found")
        #expect(result["badkey"]?["status"]?.doubleValue == 401)
        #expect(result["badkey"]?["code"] == "invalid_api_key")
        #expect(result["ratelimit"]?["status"]?.doubleValue == 429, "\(result["ratelimit"]?.canonicalText ?? "")")
        #expect(result["ratelimit"]?["code"] == "rate_limit_exceeded")
        #expect(Int(result["ratelimit"]?["retry_after"]?.stringValue ?? "") ?? 0 >= 1)
        // No key appears in what the daemon printed.
        let log = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(!log.contains(key))
    }

    @Test func malformedRequestsNeverGetA5xx() async throws {
        guard Self.python != nil else {
            Issue.record("the test virtualenv is missing: run scripts/test-venv.sh (make test does)")
            return
        }
        // Requests that happen to be valid run a real task: the model answers at once.
        let server = ScriptedLLMServer(replies: Array(repeating: .text("ok"), count: 2000))
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "fuzz-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "fuzz-repo")
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: [
            "SPARKS_MEMORY_ENABLED": "false", "SPARKS_API_KEYS": "fuzz-key", "SPARKS_API_REPOSITORY": repo.path,
            "SPARKS_API_REQUESTS_PER_MINUTE": "100000", "SPARKS_API_BURST": "100000",
        ])
        let (serve, base, _) = try await serve(sparks)
        defer { kill(serve.processIdentifier, SIGTERM) }
        let root = String(base.dropLast(3))
        let (status, report, stderr) = try await runPython([Self.scripts + "/fuzz.py", "--base-url", root, "--key", "fuzz-key",
                                                            "--cases", "300"], home: home)
        let result = try #require(report, "fuzz.py printed nothing: \(stderr)")
        print("api fuzz: \(result.canonicalText)")
        #expect(status == 0, "\(result["failures"]?.canonicalText ?? "")")
        #expect((result["requests"]?.doubleValue ?? 0) >= 300)
        #expect(result["by_status"]?["413"] != nil)
        #expect(serve.isRunning)
        let health = try await runPython(["-c", "import urllib.request; print(urllib.request.urlopen('\(root)/health').status)"], home: home)
        #expect(health.0 == 0)
    }
}
