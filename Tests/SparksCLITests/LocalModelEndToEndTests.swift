import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// The zero-configuration path for real: `sparks dispatch` with `provider = "local"` starts
/// llama-cpp-python's server on SmolLM2-135M-Instruct, runs the demo task through it and stops
/// the server. The tiny model does not always finish the task, so success is recorded, not
/// required; what must hold every time: the server starts and stops, and every tool call the
/// model makes is well formed and names the only file there is (the grammar guarantees it).
// One local model server at a time: two on a 2-core machine starve each other (and the rest of the run).
@Suite(.serialized) struct LocalModelEndToEndTests {
    /// scripts/local-model.sh --model-only (the Makefile sets SPARKS_TEST_LOCAL_MODEL).
    static var model: String? {
        let candidates = [ProcessInfo.processInfo.environment["SPARKS_TEST_LOCAL_MODEL"],
                          NSHomeDirectory() + "/.sparks/models/SmolLM2-135M-Instruct.Q4_1.gguf"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func theDemoTaskRunsOnTheRealLocalModel() async throws {
        guard let python = APITests.python, let model = Self.model else {
            Issue.record("the local model is not installed: run scripts/local-model.sh --model-only and scripts/test-venv.sh (make test does)")
            return
        }
        let home = try TemporaryDirectory(prefix: "local-e2e")
        let repo = try TemporaryDirectory(prefix: "local-e2e-repo")
        try repo.write("app.conf", "# Settings of the demo app\nname=demo\ngreeting=hello, wrold\nport=8080\n")
        try repo.git("init", "-q", "-b", "main")
        try repo.git("add", "-A")
        try repo.git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "demo")
        let port = try LoopbackPort.free()
        let sparks = SparksBinary(home: home, extra: [
            "SPARKS_LLM_PROVIDER": "local", "SPARKS_LLM_BASE_URL": "http://127.0.0.1:\(port)/v1", "SPARKS_LLM_MODEL": "local",
            "SPARKS_LOCAL_MODEL_PYTHON": python, "SPARKS_LOCAL_MODEL_MODEL_PATH": model, "SPARKS_LLM_MAX_RETRIES": "1",
        ])
        let result = try await sparks.run([
            "dispatch", "--repo", repo.path, "--spark", "editor", "--risk", "low", "--wait", "240",
            "--goal", "Fix the typo in app.conf: old=\"wrold\", new=\"world\".",
            "--verify", "grep -qx 'greeting=hello, world' app.conf && grep -qx 'port=8080' app.conf",
        ], timeout: 300)
        #expect(result.stderr.contains("local model server ready after"), "stderr: \(result.stderr)")
        #expect(result.exitCode == 0 || result.exitCode == 1, "0 or a task failure, never a provider failure: \(result.stderr)")
        // The server Sparks started is gone.
        #expect(!Self.listening(port), "the local model server was stopped")

        let store = try SparksStore(path: home.path + "/sparks.db")
        let task = try #require(try store.recentTasks(limit: 1).first)
        let conversation = try #require(try store.conversation(forTask: task.id))
        let messages = try store.messages(in: conversation)
        let calls = messages.flatMap(\.toolCalls)
        #expect(!calls.isEmpty, "the model made at least one tool call")
        for call in calls {
            #expect(["file_read", "file_edit"].contains(call.name), "\(call.name)")
            #expect(JSONValue.parse(call.arguments)?["path"]?.stringValue == "app.conf", "\(call.arguments)")
        }
        let succeeded = result.exitCode == 0
        print("local model demo: \(succeeded ? "succeeded" : "failed") after \(calls.count) tool call(s)")
        #expect(repo.read("app.conf")?.contains("hello, wrold") == true, "the source repository is untouched")
    }

    /// The smoke suite on the real local model, bounded (three one-line edits, at most 180 s each):
    /// the harness runs every task and scores it, whatever the tiny model manages.
    @Test func theSmokeSuiteRunsOnTheRealLocalModel() async throws {
        guard let python = APITests.python, let model = Self.model else {
            Issue.record("the local model is not installed: run scripts/local-model.sh --model-only and scripts/test-venv.sh (make test does)")
            return
        }
        let home = try TemporaryDirectory(prefix: "local-smoke")
        let out = home.path + "/results"
        let port = try LoopbackPort.free()
        let sparks = SparksBinary(home: home, extra: [
            "SPARKS_LLM_PROVIDER": "local", "SPARKS_LLM_BASE_URL": "http://127.0.0.1:\(port)/v1", "SPARKS_LLM_MODEL": "local",
            "SPARKS_LOCAL_MODEL_PYTHON": python, "SPARKS_LOCAL_MODEL_MODEL_PATH": model, "SPARKS_LLM_MAX_RETRIES": "1",
            "SPARKS_MEMORY_ENABLED": "false",
        ])
        let result = try await sparks.run(["eval", "run", "--suite", EvalCommandTests.project + "/eval/suites/smoke.json", "--out", out],
                                          timeout: 600)
        #expect(result.exitCode == 0 || result.exitCode == 1, "the gate decides, the harness does not fail: \(result.stderr)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".json") })
        let run = try #require(JSONValue.parse(try String(contentsOfFile: out + "/" + file, encoding: .utf8)))
        let tasks = run["tasks"]?.arrayValue ?? []
        #expect(tasks.compactMap { $0["id"]?.stringValue } == ["py-typo", "py-port", "sh-config"])
        #expect(tasks.allSatisfy { $0["error"] == nil && $0["score"]?["overall"]?.doubleValue != nil }, "\(tasks)")
        #expect(run["provider"] == "local")
        print("local model smoke suite: " + result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
