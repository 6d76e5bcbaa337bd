import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `sparks memory …` as a user runs it: one process stores, the next one finds.
@Suite struct MemoryCommandTests {
    /// The installed embedding model (the Makefile sets SPARKS_MEMORY_MODEL_DIR from scripts/fetch-model.sh).
    static let modelDirectory: String = {
        if let dir = ProcessInfo.processInfo.environment["SPARKS_MEMORY_MODEL_DIR"], !dir.isEmpty { return dir }
        return NSHomeDirectory() + "/.sparks/models/all-MiniLM-L6-v2"
    }()

    func sparks(_ home: TemporaryDirectory, baseURL: String? = nil) -> SparksBinary {
        SparksBinary(home: home, baseURL: baseURL, extra: ["SPARKS_MEMORY_MODEL_DIR": Self.modelDirectory])
    }

    @Test func storedInOneProcessFoundInTheNext() async throws {
        let home = try TemporaryDirectory(prefix: "memory-cli")
        let sparks = sparks(home)
        let add = try await sparks.run(["memory", "add", "fact", "The billing service deploys with make ship on Fridays"])
        #expect(add.exitCode == 0, "stderr: \(add.stderr)")
        #expect(add.stdout.hasPrefix("stored "))
        _ = try await sparks.run(["memory", "add", "lesson", "Builds on two cores take ten minutes from scratch"])
        let again = try await sparks.run(["memory", "add", "fact", "The billing service deploys with `make ship` on Fridays."])
        #expect(again.stdout.hasPrefix("updated "), "a near-duplicate updates: \(again.stdout)")

        let search = try await sparks.run(["memory", "search", "how is billing deployed", "--json", "--k", "3"])
        #expect(search.exitCode == 0, "stderr: \(search.stderr)")
        let hits = try #require(JSONValue.parse(search.stdout)?.arrayValue)
        #expect(hits.count >= 1)
        #expect(hits.first?["content"]?.stringValue?.contains("make ship") == true)
        #expect((hits.first?["semantic"]?.doubleValue ?? 0) > 0.5)

        let list = try await sparks.run(["memory", "list"])
        #expect(list.stdout.split(separator: "\n").count == 3, "a header and two memories: \(list.stdout)")
        let id = try #require(hits.first?["id"]?.stringValue)
        let retire = try await sparks.run(["memory", "retire", String(id.prefix(8))])
        #expect(retire.exitCode == 0, "stderr: \(retire.stderr)")
        let after = try await sparks.run(["memory", "search", "how is billing deployed", "--json"])
        #expect(JSONValue.parse(after.stdout)?.arrayValue?.contains { $0["id"]?.stringValue == id } == false)

        let stats = try await sparks.run(["memory", "stats"])
        #expect(stats.stdout.contains("1 active, 1 retired"), "\(stats.stdout)")
        #expect(stats.stdout.contains("index:             1 vectors"), "\(stats.stdout)")

        let embed = try await sparks.run(["memory", "embed", "--json", "Hello, world!"])
        let vector = try #require(JSONValue.parse(embed.stdout)?["embedding"]?.arrayValue)
        #expect(vector.count == 384)
        #expect(JSONValue.parse(embed.stdout)?["token_ids"]?.arrayValue?.compactMap(\.doubleValue) == [101, 7592, 1010, 2088, 999, 102])
    }

    @Test func badInputIsAClearError() async throws {
        let home = try TemporaryDirectory(prefix: "memory-cli-bad")
        let sparks = sparks(home)
        let category = try await sparks.run(["memory", "add", "not valid!", "text"])
        #expect(category.exitCode == 2)
        #expect(category.stderr.contains("category"))
        let retire = try await sparks.run(["memory", "retire", "abcd1234"])
        #expect(retire.exitCode == 2)
        #expect(retire.stderr.contains("no active memory"))
        let file = try home.write("bad.jsonl", "{\"category\":\"fact\",\"content\":\"ok\"}\nnot json\n")
        let importBad = try await sparks.run(["memory", "import", file])
        #expect(importBad.exitCode == 2)
        #expect(importBad.stderr.contains("bad.jsonl:2"))
        let list = try await sparks.run(["memory", "list"])
        #expect(list.stdout.contains("no memories yet"), "nothing is imported from a bad file")
        let noModel = SparksBinary(home: home, extra: ["SPARKS_MEMORY_MODEL_DIR": home.file("missing-model")])
        let embed = try await noModel.run(["memory", "embed", "hello"])
        #expect(embed.exitCode == 2)
        #expect(embed.stderr.contains("missing-model/model.safetensors is missing"))
        #expect(embed.stderr.contains("sparks memory fetch-model"))
    }

    @Test func killedDuringAnImportLeavesAConsistentStoreAndTheIndexCatchesUp() async throws {
        let home = try TemporaryDirectory(prefix: "memory-cli-kill")
        let sparks = sparks(home)
        var lines: [String] = []
        // Enough notes that the import runs for many seconds, however fast the machine: the test
        // must catch it part-way even when the suites around it keep the cores busy.
        for index in 0..<4000 {
            let text = "Note \(index): service s\(index % 37) talks to queue q\(index % 11) through port \(9000 + index)"
            lines.append(JSONValue.object(["category": .string("fact"), "content": .string(text)]).canonicalText)
        }
        let file = try home.write("notes.jsonl", lines.joined(separator: "\n"))
        let (process, output, errors) = try sparks.start(["memory", "import", file])
        // Wait until it has stored some, then kill it without warning.
        let deadline = Date(timeIntervalSinceNow: 60)
        while process.isRunning, Date() < deadline {
            if ((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "").contains("100/4000") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }

        #expect(!((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("imported"), "killed part-way")
        let store = try SparksStore(path: home.file("sparks.db"))
        let counts = try store.memoryCounts()
        #expect(counts.active >= 50, "near-duplicates merge, but most notes are stored: \(counts.active)")
        #expect(try store.memoryFullTextIsConsistent())
        // The next process brings the index in line with the database.
        let stats = try await sparks.run(["memory", "stats"])
        #expect(stats.stdout.contains("index:             \(counts.active) vectors"), "\(stats.stdout)")
        let stored = try #require(try store.activeMemories(limit: 1).first)
        let search = try await sparks.run(["memory", "search", stored.content, "--json", "--k", "3"])
        #expect(JSONValue.parse(search.stdout)?.arrayValue?.first?["content"]?.stringValue == stored.content)
    }

    @Test func tasksRecallMemoriesStoreFactsAndLeaveALesson() async throws {
        let server = ScriptedLLMServer(replies: [
            .toolCall("memory_store", "{\"category\":\"fact\",\"content\":\"This project builds with make all and tests with make check\"}"),
            .text("Noted how the project builds."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "memory-task")
        let repo = try TemporaryDirectory.gitRepository(prefix: "memory-repo")
        let sparks = sparks(home, baseURL: server.baseURL)
        let first = try await sparks.run(["dispatch", "--goal", "find out how this project builds", "--repo", repo.path])
        #expect(first.exitCode == 0, "stderr: \(first.stderr)")
        #expect(first.stderr.contains("memory_store ok"))
        let list = try await sparks.run(["memory", "list", "--json"])
        let memories = try #require(JSONValue.parse(list.stdout)?.arrayValue)
        #expect(memories.contains { $0["category"]?.stringValue == "fact" && $0["content"]?.stringValue?.contains("make all") == true })
        let lesson = try #require(memories.first { $0["category"]?.stringValue == "lesson" })
        #expect(lesson["content"]?.stringValue?.hasPrefix("find out how this project builds → succeeded: Noted how") == true)
        #expect(lesson["source"]?.stringValue?.hasPrefix("task:") == true)

        // The next task about the build gets those memories in its first message.
        server.enqueue([.text("It builds with make all.")])
        let second = try await sparks.run(["dispatch", "--spark", "scout", "--goal", "how do I build this project?", "--repo", repo.path])
        #expect(second.exitCode == 0, "stderr: \(second.stderr)")
        let request = try #require(server.chatRequests.last)
        let firstUser = try #require(request.messages.first { $0["role"]?.stringValue == "user" }?["content"]?.stringValue)
        #expect(firstUser.contains("Relevant memories"))
        #expect(firstUser.contains("[fact] This project builds with make all"))
        #expect(request.toolNames.contains("memory_search"))
    }
}
