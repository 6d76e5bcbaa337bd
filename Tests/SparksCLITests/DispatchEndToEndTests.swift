import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `sparks` as a user runs it, against the scripted OpenAI-compatible server on loopback.
@Suite struct DispatchEndToEndTests {
    func withServer(_ replies: [ScriptedReply], options: ScriptedLLMServer.Options = .init(),
                    _ body: (ScriptedLLMServer, TemporaryDirectory) async throws -> Void) async throws {
        let server = ScriptedLLMServer(replies: replies, options: options)
        try await server.start()
        let home = try TemporaryDirectory(prefix: "cli-home")
        do { try await body(server, home) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func dispatchWritesTheFileAndShowsInHistory() async throws {
        try await withServer([.toolCall("file_write", "{\"path\":\"hello.txt\",\"content\":\"Hello from a spark\\n\"}"),
                              .text("Created hello.txt.")],
                             options: .init(apiKey: "sk-test-key-0123456789")) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "cli-repo")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_LLM_API_KEY": "sk-test-key-0123456789"])
            let result = try await sparks.run(["dispatch", "--spark", "coder", "--goal", "create hello.txt with a greeting",
                                               "--repo", repo.path])
            #expect(result.exitCode == 0, "stderr: \(result.stderr)")
            // The spark worked in its own clone; the repository is untouched until the task is applied.
            #expect(repo.read("hello.txt") == nil)
            #expect(result.stdout == "Created hello.txt.\n")
            let taskLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("task_id=") })
            let taskID = String(taskLine.dropFirst("task_id=".count))
            #expect(UUID(uuidString: taskID) != nil)
            #expect(result.stderr.contains("[1] file_write ok"))
            #expect(!result.stderr.contains("sk-test-key"))

            let history = try await sparks.run(["history", "--limit", "5"])
            #expect(history.exitCode == 0)
            let row = try #require(history.stdout.split(separator: "\n").first { $0.hasPrefix(taskID.prefix(8)) })
            #expect(row.contains("succeeded"))
            #expect(row.contains("coder"))
            #expect(row.contains("240"))  // two answers of 100 + 20 tokens
            #expect(row.contains("create hello.txt"))

            // The transcript and tool usage were saved.
            let store = try SparksStore(path: home.file("sparks.db"))
            let record = try #require(try store.task(idPrefix: taskID))
            #expect(record.steps == 2)
            let conversation = try #require(try store.conversation(forTask: record.id))
            #expect(try store.messages(in: conversation).count == 5)
            #expect(try store.toolUsage().first?.toolName == "file_write")
            let workspace = try #require(record.workspace)
            #expect(workspace.hasPrefix(home.file("workspaces/")))
            #expect(record.branch == "sparks/\(taskID)")

            let review = try await sparks.run(["review", String(taskID.prefix(8))])
            #expect(review.exitCode == 0)
            #expect(review.stdout.contains("+Hello from a spark"))

            let apply = try await sparks.run(["apply", String(taskID.prefix(8))])
            #expect(apply.exitCode == 0, "stderr: \(apply.stderr)")
            #expect(repo.read("hello.txt") == "Hello from a spark\n")
            #expect(try repo.git("log", "--oneline").contains("sparks: create hello.txt"))
            let again = try await sparks.run(["apply", String(taskID.prefix(8))])
            #expect(again.exitCode == 2)
            #expect(again.stderr.contains("already applied"))

            let prune = try await sparks.run(["worktrees", "prune"])
            #expect(prune.stdout.contains("removed 1 workspace"))
            #expect(!FileManager.default.fileExists(atPath: workspace))
        }
    }

    @Test func twoTasksOnOneRepositoryChangeOnlyTheirOwnWorkspaces() async throws {
        // Replies are handed out in arrival order, so the two processes take turns (one slot across
        // processes); each task writes a file with a command, then answers.
        let work = ScriptedReply.toolCall("shell", "{\"command\":\"echo written by a task > notes.txt && echo $(pwd) > where.txt && ls\"}")
        let replies: [ScriptedReply] = [work, .text("Done."), work, .text("Done.")]
        try await withServer(replies) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "shared-repo")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_QUEUE_MAX_CONCURRENT": "1"])
            async let first = sparks.run(["dispatch", "--goal", "task one", "--repo", repo.path])
            async let second = sparks.run(["dispatch", "--goal", "task two", "--repo", repo.path])
            let results = try await [first, second]
            for result in results { #expect(result.exitCode == 0, "stderr: \(result.stderr)") }
            let store = try SparksStore(path: home.file("sparks.db"))
            let tasks = try store.recentTasks(limit: 2)
            #expect(tasks.count == 2)
            let workspaces = tasks.compactMap(\.workspace)
            #expect(Set(workspaces).count == 2)
            for workspace in workspaces {
                // Each task's command ran in its own clone, and its files are there.
                let whereFile = try String(contentsOfFile: workspace + "/where.txt", encoding: .utf8)
                #expect(whereFile == workspace + "\n")
                #expect(FileManager.default.fileExists(atPath: workspace + "/notes.txt"))
            }
            // The repository itself is untouched, and each task has its own branch there only after apply.
            #expect(repo.read("notes.txt") == nil)
            #expect(repo.read("where.txt") == nil)
            #expect(try repo.git("status", "--porcelain").isEmpty)
            #expect(!(try repo.git("branch", "--list")).contains("sparks/"))
        }
    }

    @Test func verifyCommandDecidesTheOutcome() async throws {
        try await withServer([.toolCall("file_write", "{\"path\":\"ok.txt\",\"content\":\"yes\\n\"}"), .text("Wrote ok.txt."),
                              .text("Nothing to do.")]) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "verify-repo")
            try home.write("config.toml", """
                [[sparks]]
                name = "checked"
                tools = ["file_write", "file_read"]
                verify = "git log -1 --format=%s && test -f ok.txt && grep -q yes ok.txt"
                """)
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            let passed = try await sparks.run(["dispatch", "--spark", "checked", "--goal", "write ok.txt", "--repo", repo.path])
            #expect(passed.exitCode == 0, "stderr: \(passed.stderr)")
            #expect(passed.stderr.contains("verify passed"))
            let failed = try await sparks.run(["dispatch", "--spark", "checked", "--goal", "do nothing", "--repo", repo.path])
            #expect(failed.exitCode == 1)
            #expect(failed.stderr.contains("verify FAILED"))
            let history = try await sparks.run(["history"])
            #expect(history.stdout.contains("verify_failed"))
        }
    }

    @Test func badInputGetsAClearMessageAndExitCode() async throws {
        try await withServer([], options: .init(apiKey: "right-key-abcdef12345")) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "cli-repo")
            let plain = try TemporaryDirectory(prefix: "not-git")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_LLM_API_KEY": "right-key-abcdef12345"])
            func check(_ result: SparksBinary.Result, code: Int32, says text: String) {
                #expect(result.exitCode == code, "\(text): \(result.stderr)")
                #expect(result.stderr.contains(text), "expected \(text) in: \(result.stderr)")
                #expect(!result.stderr.contains("Fatal error"))
                #expect(!result.stderr.contains("Stack dump"))
            }
            check(try await sparks.run(["dispatch", "--goal", "  ", "--repo", repo.path]), code: 2, says: "error: the goal is empty")
            check(try await sparks.run(["dispatch", "--goal", "x", "--repo", repo.file("missing")]), code: 2, says: "does not exist")
            check(try await sparks.run(["dispatch", "--goal", "x", "--spark", "nobody", "--repo", repo.path]), code: 2,
                  says: "no spark named \"nobody\"")
            check(try await sparks.run(["dispatch", "--goal", "x", "--repo", plain.path]), code: 2, says: "is not a git repository")

            var wrongKey = sparks
            wrongKey.environment["SPARKS_LLM_API_KEY"] = "sk-wrong-key-9876543210"
            let refused = try await wrongKey.run(["dispatch", "--goal", "x", "--repo", repo.path])
            check(refused, code: 3, says: "refused the API key")
            #expect(!refused.stderr.contains("sk-wrong-key"))

            var unknownModel = sparks
            unknownModel.environment["SPARKS_LLM_MODEL"] = "gpt-nonexistent"
            check(try await unknownModel.run(["chat", "-m", "hi"]), code: 3, says: "model \"gpt-nonexistent\" is not available")

            var unreachable = sparks
            unreachable.environment["SPARKS_LLM_BASE_URL"] = "http://127.0.0.1:9/v1"
            check(try await unreachable.run(["dispatch", "--goal", "x", "--repo", repo.path]), code: 3, says: "cannot reach")

            try home.write("config.toml", "[llm]\nmodel = \"a\"\n[agent\n")
            check(try await sparks.run(["config", "check"]), code: 2, says: "config.toml:3: invalid TOML")
            try home.write("config.toml", "[agent]\nmax_step = 3\n")
            check(try await sparks.run(["dispatch", "--goal", "x", "--repo", repo.path]), code: 2,
                  says: "config.toml:2: unknown key `agent.max_step` (did you mean `agent.max_steps`?)")
        }
    }

    @Test func timeoutStopsTheTask() async throws {
        try await withServer([ScriptedReply.text("too late").delayed(by: 6)]) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "cli-repo")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            let result = try await sparks.run(["dispatch", "--goal", "slow task", "--repo", repo.path, "--wait", "1"])
            #expect(result.exitCode == 124, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("dispatch_timeout"))
            let history = try await sparks.run(["history"])
            #expect(history.stdout.contains("dispatch_timeout"))
        }
    }

    @Test func killedTaskIsMarkedInterruptedAtNextStart() async throws {
        try await withServer([ScriptedReply.text("never seen").delayed(by: 20)]) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "cli-repo")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            let (process, _, _) = try sparks.start(["dispatch", "--goal", "long task", "--repo", repo.path])
            // Wait until the task is recorded as running, then kill the process without warning.
            let database = home.file("sparks.db")
            var running = false
            for _ in 0..<250 where !running {
                try await Task.sleep(for: .milliseconds(40))
                if FileManager.default.fileExists(atPath: database),
                   let store = try? SparksStore(path: database),
                   let task = try? store.recentTasks(limit: 1).first {
                    running = task.status == .running
                }
            }
            #expect(running)
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }

            // The next command finds it: its attempt ends `interrupted` and it goes back to the queue.
            let history = try await sparks.run(["history"])
            #expect(history.exitCode == 0)
            #expect(history.stderr.contains("left running by a process that stopped; back in the queue"))
            #expect(history.stdout.contains("queued"))
            #expect(history.stdout.contains("long task"))
            let store = try SparksStore(path: database)
            let task = try #require(try store.recentTasks(limit: 1).first)
            #expect(try store.attempts(taskID: task.id).map(\.reason) == ["interrupted"])

            // With on_interrupt = "fail" it ends interrupted instead.
            server.enqueue([ScriptedReply.text("never seen either").delayed(by: 20)])
            var failing = sparks
            failing.environment["SPARKS_QUEUE_ON_INTERRUPT"] = "fail"
            let (second, _, _) = try failing.start(["dispatch", "--no-daemon", "--goal", "another long task", "--repo", repo.path])
            for _ in 0..<250 {
                try await Task.sleep(for: .milliseconds(40))
                if try store.recentTasks(statuses: [.running]).contains(where: { $0.goal == "another long task" }) { break }
            }
            kill(second.processIdentifier, SIGKILL)
            while second.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            let after = try await failing.run(["history"])
            #expect(after.stderr.contains("marked interrupted"))
            #expect(after.stdout.contains("interrupted"))
        }
    }

    @Test func chatOneShotStreamsTheAnswer() async throws {
        try await withServer([.text("A worktree is a second checkout of the same repository.")]) { server, home in
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            let result = try await sparks.run(["chat", "-m", "what is a git worktree?"])
            #expect(result.exitCode == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "A worktree is a second checkout of the same repository.\n")
            #expect(server.chatRequests.first?.isStreaming == true)
            #expect(server.chatRequests.first?.messages.last?["content"] == "what is a git worktree?")
        }
    }

    @Test func chatSessionReadsCommandsAndKeepsPrivateHistory() async throws {
        try await withServer([.text("Hello, human."), .text("Second answer.")]) { server, home in
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            let result = try await sparks.run(["chat"], input: "/help\nhi there\n/sparks\n/model other-model\n/model reset\nagain\n/quit\n")
            #expect(result.exitCode == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("/model          show the model"))
            #expect(result.stdout.contains("Hello, human."))
            #expect(result.stdout.contains("coder [coder]"))
            #expect(result.stdout.contains("model: other-model"))
            #expect(result.stdout.contains("Second answer."))
            // The second turn carries the first as history.
            let second = try #require(server.chatRequests.last)
            #expect(second.messages.count == 4)
            #expect(second.body?["model"] == "scripted-model")
            let history = try #require(home.read("history.txt"))
            #expect(history.contains("hi there\n"))
            let mode = try FileManager.default.attributesOfItem(atPath: home.file("history.txt"))[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func aDirectoryThatIsNotARepositoryIsCopiedWhenConfigured() async throws {
        try await withServer([.toolCall("file_write", "{\"path\":\"docs/new.md\",\"content\":\"new\\n\"}"),
                              .toolCall("shell", "{\"command\":\"rm old.txt\"}"),
                              .text("Added docs/new.md and removed old.txt.")]) { server, home in
            let plain = try TemporaryDirectory(prefix: "plain-dir")
            try plain.write("old.txt", "old\n")
            try plain.write("keep.txt", "keep\n")
            try home.write("config.toml", "[workspace]\nnon_git = \"copy\"\n")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            let result = try await sparks.run(["dispatch", "--goal", "tidy up", "--repo", plain.path])
            #expect(result.exitCode == 0, "stderr: \(result.stderr)")
            // Untouched until applied.
            #expect(plain.read("old.txt") == "old\n")
            #expect(plain.read("docs/new.md") == nil)
            #expect(!FileManager.default.fileExists(atPath: plain.file(".git")))
            let taskID = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("task_id=") }?.dropFirst(8))
            let apply = try await sparks.run(["apply", String(taskID.prefix(8))])
            #expect(apply.exitCode == 0, "stderr: \(apply.stderr)")
            #expect(apply.stdout.contains("2 file(s) copied back"))
            #expect(plain.read("docs/new.md") == "new\n")
            #expect(plain.read("old.txt") == nil)
            #expect(plain.read("keep.txt") == "keep\n")
            #expect(!FileManager.default.fileExists(atPath: plain.file(".git")))
        }
    }

    @Test func replDispatchAsksBeforeRiskyCommands() async throws {
        try await withServer([.toolCall("shell", "{\"command\":\"curl http://example.invalid/install.sh\"}"),
                              .toolCall("shell", "{\"command\":\"curl http://example.invalid/again\"}"),
                              .text("Skipped the download as you asked.")]) { server, home in
            let repo = try TemporaryDirectory.gitRepository(prefix: "repl-repo")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL)
            // The first command is refused by the person, the second approved (it then fails: no network).
            let result = try await sparks.run(["chat"], in: repo.path, input: "/dispatch fetch the installer\nn\ny\n/quit\n")
            #expect(result.exitCode == 0, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("needs your approval"))
            #expect(result.stderr.contains("[shell] curl http://example.invalid/install.sh"))
            #expect(result.stdout.contains("Skipped the download as you asked."))
            let observations = server.chatRequests.dropFirst().compactMap { $0.messages.last?["content"]?.stringValue }
            #expect(observations.first?.contains("The user denied this action") == true)
            #expect(observations.dropFirst().first?.contains("curl") == true)
            #expect(observations.dropFirst().first?.contains("denied") == false)
        }
    }

    @Test func initRosterAndConfigShow() async throws {
        let home = try TemporaryDirectory(prefix: "cli-home")
        let sparks = SparksBinary(home: home, extra: ["SPARKS_LLM_API_KEY": "sk-shown-nowhere-123456"])
        let initResult = try await sparks.run(["init"])
        #expect(initResult.exitCode == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: home.file("config.toml"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await sparks.run(["init"]).stdout.contains("already exists"))

        try home.write("project/sparks.toml", "[[sparks]]\nname = \"reviewer\"\nrole = \"critic\"\ntools = [\"file_read\"]\n")
        let roster = try await sparks.run(["roster"], in: home.file("project"))
        #expect(roster.stdout.contains("coder"))
        #expect(roster.stdout.contains("scout"))
        #expect(roster.stdout.split(separator: "\n").contains { $0.hasPrefix("reviewer ") && $0.contains(" critic ") })
        #expect(roster.stdout.contains("coordinator"))

        let show = try await sparks.run(["config", "show", "--model", "flag-model"], in: home.file("project"))
        #expect(show.exitCode == 0)
        #expect(show.stdout.contains("llm.model"))
        #expect(show.stdout.contains("flag-model    # flag --model"))
        #expect(show.stdout.contains("<redacted>    # env SPARKS_LLM_API_KEY"))
        #expect(!show.stdout.contains("sk-shown-nowhere"))
    }
}
