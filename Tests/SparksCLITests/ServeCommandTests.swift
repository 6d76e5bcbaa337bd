import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `sparks serve` as a daemon: queued work, kill -9 and graceful shutdown.
@Suite struct ServeCommandTests {
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

    func startServe(_ sparks: SparksBinary) async throws -> (Process, String) {
        let (process, _, err) = try sparks.start(["serve"])
        try await waitFor("sparks serve to start") {
            ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains("sparks serve · pid")
        }
        return (process, err)
    }

    @Test func killNineDuringATaskLosesNothing() async throws {
        var slow = ScriptedReply.text("never delivered")
        slow.delay = 30
        let server = ScriptedLLMServer(replies: [slow, .text("Done."), .text("Done."), .text("Done.")])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "serve-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "serve-repo")
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_QUEUE_MAX_CONCURRENT": "1",
                                                                           "SPARKS_MEMORY_ENABLED": "false"])
        let (serve, _) = try await startServe(sparks)
        var ids: [String] = []
        for index in 0..<3 {
            let queued = try await sparks.run(["dispatch", "--detach", "--spark", "coder", "--repo", repo.path, "--goal", "task \(index)"])
            #expect(queued.exitCode == 0, "stderr: \(queued.stderr)")
            ids.append(queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let store = try SparksStore(path: home.file("sparks.db"))
        try await waitFor("the first task to run") {
            try store.task(idPrefix: ids[0])?.status == .running && server.chatRequests.count == 1
        }
        kill(serve.processIdentifier, SIGKILL)
        while serve.isRunning { try await Task.sleep(for: .milliseconds(20)) }

        #expect(try store.integrityCheck() == "ok")
        #expect(try store.task(idPrefix: ids[0])?.status == .running)  // as the dead daemon left it
        #expect(try store.taskCounts()[.queued] == 2)

        let (again, err) = try await startServe(sparks)
        try await waitFor("every task to finish") {
            try ids.allSatisfy { try store.task(idPrefix: $0)?.status.isTerminal == true }
        }
        kill(again.processIdentifier, SIGTERM)
        while again.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(again.terminationStatus == 0, "stderr: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
        for id in ids { #expect(try store.task(idPrefix: id)?.status == .succeeded) }
        let attempts = try store.attempts(taskID: try #require(UUID(uuidString: ids[0])))
        #expect(attempts.map(\.status) == ["requeued", "succeeded"])
        #expect(attempts.first?.reason == "interrupted")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func sigtermPutsTheRunningTaskBackInTheQueue() async throws {
        var slow = ScriptedReply.text("never delivered")
        slow.delay = 30
        let server = ScriptedLLMServer(replies: [slow, .text("Finished after the restart.")])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "serve-term")
        let repo = try TemporaryDirectory.gitRepository(prefix: "serve-term-repo")
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false"])
        let (serve, err) = try await startServe(sparks)
        // A second daemon on the same home is refused.
        let second = try await sparks.run(["serve"])
        #expect(second.exitCode == 2)
        #expect(second.stderr.contains("already running"))

        let queued = try await sparks.run(["dispatch", "--detach", "--repo", repo.path, "--goal", "long task"])
        let id = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let store = try SparksStore(path: home.file("sparks.db"))
        try await waitFor("the task to run") { server.chatRequests.count == 1 }
        let stopped = Date()
        kill(serve.processIdentifier, SIGTERM)
        while serve.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(Date().timeIntervalSince(stopped) < 15)
        #expect(serve.terminationStatus == 0, "stderr: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
        let record = try #require(try store.task(idPrefix: id))
        #expect(record.status == .queued)
        #expect(try store.attempts(taskID: record.id).first?.reason == "shutdown")

        // With the daemon running, a plain dispatch waits for it and prints the result.
        let (again, _) = try await startServe(sparks)
        try await waitFor("the requeued task to finish") { try store.task(idPrefix: id)?.status == .succeeded }
        let list = try await sparks.run(["tasks", "list"])
        #expect(list.stdout.contains("daemon running"))
        #expect(list.stdout.contains(String(id.prefix(8))))
        let show = try await sparks.run(["tasks", "show", String(id.prefix(8))])
        #expect(show.stdout.contains("#1"))
        #expect(show.stdout.contains("requeued (shutdown)"))
        #expect(show.stdout.contains("Finished after the restart."))
        kill(again.processIdentifier, SIGTERM)
        while again.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func observeShowsATasksEventsInOrder() async throws {
        let server = ScriptedLLMServer(replies: [.toolCall("file_write", #"{"path":"a.txt","content":"a\n"}"#), .text("Wrote a.txt.")])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "observe-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "observe-repo")
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false"])
        let (serve, _) = try await startServe(sparks)
        let (observe, out, err) = try sparks.start(["observe", "--json"])
        try await waitFor("observe to connect") {
            FileManager.default.fileExists(atPath: home.file("observer.sock"))
                && ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").isEmpty
        }
        try await Task.sleep(for: .milliseconds(500))
        let queued = try await sparks.run(["dispatch", "--detach", "--spark", "coder", "--repo", repo.path, "--goal", "write a",
                                           "--verify", "test -f a.txt"])
        let id = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let store = try SparksStore(path: home.file("sparks.db"))
        try await waitFor("the task to finish") { try store.task(idPrefix: id)?.status.isTerminal == true }
        try await waitFor("the last event to be observed") {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("task_finished")
        }
        kill(observe.processIdentifier, SIGTERM)
        kill(serve.processIdentifier, SIGTERM)
        while observe.isRunning || serve.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        let events = lines.compactMap { JSONValue.parse(String($0)) }.filter { $0["task_id"]?.stringValue == id }
        let categories = events.compactMap { $0["category"]?.stringValue }
        #expect(categories == ["task_queued", "task_started", "tool_usage", "task_verified", "task_finished"], "\(categories)")
        let ids = events.compactMap { $0["id"]?.doubleValue }
        #expect(ids == ids.sorted())
        #expect(events.allSatisfy { $0["v"]?.doubleValue == 1 && $0["ts"]?.stringValue?.hasSuffix("Z") == true })
    }
}
