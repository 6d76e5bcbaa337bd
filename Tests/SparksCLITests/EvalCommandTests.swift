import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `sparks eval run|compare|history` and `sparks leaderboard` on the shipped fixtures, with the
/// scripted model making the edits: real clones, real sandboxed test commands, real scores.
@Suite struct EvalCommandTests {
    static let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A two-task suite over two shipped fixtures, written next to a copy of them.
    func suite(in directory: TemporaryDirectory) throws -> String {
        for fixture in ["py-port", "sh-config"] {
            try FileManager.default.copyItem(atPath: Self.project + "/eval/fixtures/\(fixture)", toPath: directory.path + "/\(fixture)")
        }
        return try directory.write("suite.json", """
            {"name": "two", "pass_threshold": 0.7, "defaults": {"spark": "coder", "risk": "low", "wait_secs": 120},
             "gate_requirements": {"lane_rules": {"delivery": {"min_tests_pass": 1.0}}},
             "tasks": [
              {"id": "py-port", "fixture": "py-port", "goal": "Change DEFAULT_PORT in config.py to 8080.",
               "test_command": "python3 -B -m unittest -q",
               "expect": {"max_changed_files": 1, "changed_files_allow": ["config.py"],
                          "must_contain": [{"file": "config.py", "text": "DEFAULT_PORT = 8080"}]}},
              {"id": "sh-config", "fixture": "sh-config", "goal": "Set log_level to info in app.conf.",
               "test_command": "bash test.sh",
               "expect": {"max_changed_files": 1, "changed_files_allow": ["app.conf"]}}
             ]}
            """)
    }

    static let portFix = ScriptedReply.toolCall("file_edit", #"{"path":"config.py","old":"DEFAULT_PORT = 8000","new":"DEFAULT_PORT = 8080"}"#)
    static let configFix = ScriptedReply.toolCall("file_edit", #"{"path":"app.conf","old":"log_level=debug","new":"log_level=info"}"#)
    static let configWrong = ScriptedReply.toolCall("file_edit", #"{"path":"app.conf","old":"log_level=debug","new":"log_level=warn"}"#)
    static let plan = ScriptedReply.text("PLAN:\n- read the file\n- change the value\nEXECUTION: edited it; tests pass")

    @Test func aRunScoresTheRealChangesAndCompareFlagsAPlantedRegression() async throws {
        let server = ScriptedLLMServer(replies: [Self.portFix, Self.plan, Self.configFix, Self.plan,
                                                 Self.portFix, Self.plan, Self.configWrong, Self.plan])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "eval-home")
        let work = try TemporaryDirectory(prefix: "eval-suite")
        let suite = try suite(in: work)
        let out = work.path + "/results"
        let sparks = SparksBinary(home: home, baseURL: server.baseURL)

        let good = try await sparks.run(["eval", "run", "--suite", suite, "--out", out], timeout: 240)
        #expect(good.exitCode == 0, "stderr: \(good.stderr)")
        #expect(good.stdout.hasPrefix("gate=PASS overall=1.000"), "\(good.stdout)")
        #expect(good.stderr.contains("[1/2] py-port run 1: succeeded"))
        let results = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".json") }.sorted()
        #expect(results.count == 1)
        let first = try #require(JSONValue.parse(try String(contentsOfFile: out + "/" + results[0], encoding: .utf8)))
        #expect(first["schema"] == "sparks.eval.v1")
        #expect(first["tasks"]?.arrayValue?.first?["changed_files"] == ["config.py"])
        #expect(first["tasks"]?.arrayValue?.first?["score"]?["tests_pass"] == 1)

        // Ids have one-second resolution: the second run must start in a later second.
        try await Task.sleep(for: .seconds(1.1))
        let bad = try await sparks.run(["eval", "run", "--suite", suite, "--out", out], timeout: 240)
        #expect(bad.exitCode == 1, "the gate fails: sh-config's test fails. stderr: \(bad.stderr)")
        #expect(bad.stderr.contains("sh-config (delivery): tests 0.00 < 1.00"), "\(bad.stderr)")
        let both = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".json") }.sorted()
        #expect(both.count == 2)

        let compare = try await sparks.run(["eval", "compare", out + "/" + both[0], out + "/" + both[1]])
        #expect(compare.exitCode == 1, "stderr: \(compare.stderr)")
        #expect(compare.stdout.contains("verdict=regression"))
        #expect(compare.stdout.contains("sh-config"))
        let same = try await sparks.run(["eval", "compare", out + "/" + both[0], out + "/" + both[0]])
        #expect(same.exitCode == 0)
        #expect(same.stdout.contains("verdict=ok"))

        let history = try await sparks.run(["eval", "history", "--out", out])
        #expect(history.stdout.split(separator: "\n").count == 2)
        #expect(history.stdout.contains("gate=PASS") && history.stdout.contains("gate=FAIL"))
        let store = try SparksStore(path: home.path + "/sparks.db")
        #expect(try store.evalRuns().map(\.gateOK) == [false, true])

        // Four real outcomes of coder feed the leaderboard; a rating moves its rank.
        let board = try await sparks.run(["leaderboard", "show", "--json"])
        #expect(board.exitCode == 0, "stderr: \(board.stderr)")
        let row = try #require(JSONValue.parse(board.stdout)?["rows"]?.arrayValue?.first)
        #expect(row["spark"] == "coder")
        #expect(row["samples"] == 4)
        // The wrong edit "succeeded" as a task (no verify command); only the suite's test caught it.
        #expect(row["succeeded"] == 4)
        let task = try #require(try store.recentTasks(limit: 1).first)
        let rate = try await sparks.run(["leaderboard", "rate", String(task.id.uuidString.prefix(8)), "down"])
        #expect(rate.exitCode == 0, "stderr: \(rate.stderr)")
        let rated = try await sparks.run(["leaderboard", "show", "--json"])
        let after = try #require(JSONValue.parse(rated.stdout)?["rows"]?.arrayValue?.first)
        #expect(after["average_rating"] == -1)
        #expect((after["rank_score"]?.doubleValue ?? 1) < (row["rank_score"]?.doubleValue ?? 0))
        let reset = try await sparks.run(["leaderboard", "reset"])
        #expect(reset.exitCode == 0)
        let empty = try await sparks.run(["leaderboard", "show", "--json"])
        #expect(JSONValue.parse(empty.stdout)?["rows"]?.arrayValue?.isEmpty == true)
    }

    @Test func aTournamentGatesOutARegressingCandidateAndKeepsTheBaseline() async throws {
        // Baseline fixes both tasks; the first variant breaks sh-config: it must lose.
        let server = ScriptedLLMServer(replies: [Self.portFix, Self.plan, Self.configFix, Self.plan,
                                                 Self.portFix, Self.plan, Self.configWrong, Self.plan])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "opt-home")
        let work = try TemporaryDirectory(prefix: "opt-suite")
        let suite = try suite(in: work)
        let out = work.path + "/results"
        let result = try await SparksBinary(home: home, baseURL: server.baseURL)
            .run(["optimizer", "run", "--suite", suite, "--max-candidates", "2", "--promote-profile", "--out", out], timeout: 240)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("winner=baseline promote=false"), "\(result.stdout)")
        #expect(result.stderr.contains("plan_verify"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/optimizer-profile.json"), "no promotion, no profile")
        // The variant's context reached the model with its tasks.
        let contexts = server.chatRequests.compactMap { $0.messages.first { $0["role"] == "user" }?["content"]?.stringValue }
        #expect(contexts.contains { $0.contains("Plan briefly, make the change, then run the verification command") })
        let reports = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(reports.contains { $0.hasPrefix("tournament-") && $0.hasSuffix(".md") })
        #expect(reports.contains("optimizer-history.jsonl"))
    }

    @Test func aBrokenSuiteSaysWhereAndExitsTwo() async throws {
        let home = try TemporaryDirectory(prefix: "eval-home")
        let work = try TemporaryDirectory(prefix: "eval-suite")
        let suite = try work.write("suite.json", #"{"name": "x", "tasks": [{"id": "a", "goal": "g", "expect": {"max_changed_files": "one"}}]}"#)
        let result = try await SparksBinary(home: home).run(["eval", "run", "--suite", suite])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("suite.json"))
        #expect(result.stderr.contains("tasks[0].expect.max_changed_files"), "\(result.stderr)")
    }
}
