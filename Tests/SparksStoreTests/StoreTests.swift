import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

@Suite struct StoreTests {
    let directory: TemporaryDirectory
    let store: SparksStore

    init() throws {
        directory = try TemporaryDirectory(prefix: "store")
        store = try SparksStore(path: directory.file("nested/sparks.db"))
    }

    func spec(_ goal: String = "goal") -> TaskSpec {
        TaskSpec(goal: goal, spark: "coder", repository: "/repo")
    }

    @Test func migratesAndUsesWALWithPrivateFile() throws {
        #expect(try store.appliedMigrations() == ["v1_tasks_conversations_tool_usage", "v2_task_workspaces", "v3_memories",
                                                  "v4_queue_selection_jobs_events", "v5_kpi_snapshots", "v6_webhook_deliveries",
                                                  "v7_ratings_leaderboard_eval_runs", "v8_tickets_alerts_knobs_metrics", "v9_cli_tools"])
        // Reopening an existing database is a no-op migration.
        let again = try SparksStore(path: store.path)
        #expect(try again.appliedMigrations().count == 9)
        #expect(FileManager.default.fileExists(atPath: store.path + "-wal"))
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func concurrentOpensMigrateOnce() async throws {
        // Several `sparks` processes may start at once on a new database.
        let path = directory.file("race/sparks.db")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try SparksStore(path: path).appliedMigrations().count }
            }
            for try await count in group { #expect(count == 9) }
        }
    }

    @Test func taskLifecycle() throws {
        let task = spec("write hello")
        try store.insertTask(task)
        try store.recordProgress(taskID: task.id, steps: 2, usage: TokenUsage(promptTokens: 50, completionTokens: 5))
        var record = try #require(try store.task(idPrefix: String(task.id.uuidString.prefix(8))))
        #expect(record.status == .running)
        #expect(record.steps == 2)
        try store.finishTask(TaskOutcome(taskID: task.id, status: .succeeded, summary: "done", steps: 3,
                                         usage: TokenUsage(promptTokens: 90, completionTokens: 10), durationMs: 1234))
        record = try #require(try store.recentTasks(limit: 5).first)
        #expect(record.id == task.id)
        #expect(record.status == .succeeded)
        #expect(record.summary == "done")
        #expect(record.steps == 3)
        #expect(record.usage.totalTokens == 100)
        #expect(record.durationMs == 1234)
        #expect(record.finishedAt != nil)
    }

    @Test func recentTasksNewestFirst() throws {
        let old = spec("old")
        let new = spec("new")
        try store.insertTask(old, at: Date(timeIntervalSinceNow: -60))
        try store.insertTask(new)
        #expect(try store.recentTasks(limit: 10).map(\.goal) == ["new", "old"])
        #expect(try store.recentTasks(limit: 1).map(\.goal) == ["new"])
    }

    @Test func tasksOfDeadProcessesBecomeInterrupted() throws {
        let orphan = spec("orphan")
        let alive = spec("alive")
        // A pid that certainly does not exist, and this very process.
        try store.insertTask(orphan, owner: OwnerIdentity(pid: Int32.max - 7, startTime: 1))
        try store.insertTask(alive, owner: .current())
        try store.recordProgress(taskID: orphan.id, steps: 4, usage: TokenUsage(promptTokens: 10, completionTokens: 1))
        let recovered = try store.recoverInterruptedTasks()
        #expect(recovered.map(\.id) == [orphan.id])
        let record = try #require(try store.task(idPrefix: orphan.id.uuidString))
        #expect(record.status == .interrupted)
        #expect(record.reason == .interrupted)
        #expect(record.steps == 4)
        #expect(try store.task(idPrefix: alive.id.uuidString)?.status == .running)
        #expect(try store.recoverInterruptedTasks().isEmpty)
    }

    @Test func reusedPidIsNotMistakenForTheOwner() throws {
        let task = spec("reused")
        var owner = OwnerIdentity.current()
        owner.startTime += 1  // same pid, another process
        try store.insertTask(task, owner: owner)
        #expect(try store.recoverInterruptedTasks().map(\.id) == [task.id])
    }

    @Test func conversationsKeepToolCalls() throws {
        let task = spec()
        try store.insertTask(task)
        let conversation = try store.createConversation(sessionKey: "task:x", taskID: task.id)
        let call = ToolCall(id: "c1", name: "file_read", arguments: "{\"path\":\"a\"}")
        try store.appendMessage(.user("hi"), to: conversation)
        try store.appendMessage(.assistant(nil, toolCalls: [call]), to: conversation)
        try store.appendMessage(.tool(callID: "c1", "content"), to: conversation)
        let messages = try store.messages(in: conversation)
        #expect(messages.count == 3)
        #expect(messages[1].toolCalls == [call])
        #expect(messages[2].toolCallID == "c1")
        #expect(try store.conversation(forTask: task.id) == conversation)
    }

    @Test func toolUsageAggregates() throws {
        try store.recordToolUsage(tool: "file_read", succeeded: true, durationMs: 10)
        try store.recordToolUsage(tool: "file_read", succeeded: false, durationMs: 30, error: "nope")
        try store.recordToolUsage(tool: "grep", succeeded: true, durationMs: 5)
        let usage = try store.toolUsage()
        let read = try #require(usage.first { $0.toolName == "file_read" })
        #expect(read.invocations == 2)
        #expect(read.successes == 1)
        #expect(read.failures == 1)
        #expect(read.averageDurationMs == 20)
        #expect(read.lastError == "nope")
    }

    @Test func unopenableDatabaseIsAClearError() throws {
        let file = try directory.write("not-a-db/sparks.db", "this is not sqlite")
        let error = #expect(throws: SparksError.self) { try SparksStore(path: file) }
        #expect(error?.code == .storeFailed)
        #expect(error?.message.contains(file) == true)
    }
}
