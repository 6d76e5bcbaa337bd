import Foundation
import Testing
import SparksEval

@Suite("Suite file")
struct SuiteTests {
    static let validSuite = """
        {
          "name": "core",
          "description": "smoke",
          "gate_requirements": {
            "min_overall": 0.8,
            "require_exec_success": true,
            "lane_rules": {"delivery": {"min_tests_pass": 1.0, "min_diff_quality": 0.8}}
          },
          "defaults": {"ghost": "coder", "risk": "medium", "wait_secs": 120, "test_command": "make test", "verify": "make check"},
          "tasks": [
            {"id": "t1", "goal": "Add hello to README", "fixture": "fixtures/readme",
             "expect": {"max_changed_files": 1, "changed_files_allow": ["README.md"],
                        "must_contain": [{"file": "README.md", "text": "hello"}], "response_patterns": ["(?i)readme"]}},
            {"id": "t2", "goal": "Explain the repo", "lane": "research", "spark": "scout", "risk": "high",
             "test_command": "", "wait_secs": 30, "context": "read only", "expect": {"no_file_changes": true}}
          ]
        }
        """

    func withSuite(_ json: String, makeFixture: Bool = true, _ body: (String, TempDirectory) throws -> Void) throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        if makeFixture { try dir.makeDirectory("fixtures/readme") }
        let path = try dir.write("suite.json", json)
        try body(path, dir)
    }

    func loadError(_ path: String) -> EvalError? {
        do {
            _ = try EvalSuite.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test("a full suite decodes every key, with pass_threshold defaulting to 0.7 and ghost read as spark")
    func decodesFullSuite() throws {
        try withSuite(Self.validSuite) { path, _ in
            let suite = try EvalSuite.load(path: path)
            #expect(suite.name == "core")
            #expect(suite.passThreshold == 0.7)
            #expect(suite.gateRequirements?.minOverall == 0.8)
            #expect(suite.gateRequirements?.requireExecSuccess == true)
            #expect(suite.gateRequirements?.laneRules?["delivery"]?.minDiffQuality == 0.8)
            #expect(suite.defaults?.spark == "coder")
            #expect(suite.tasks.count == 2)
            #expect(suite.tasks[0].expect?.mustContain == [MustContain(file: "README.md", text: "hello")])
            #expect(suite.tasks[1].expect?.noFileChanges == true)
        }
    }

    @Test("resolved applies task values, then defaults, then delivery/low; an empty test_command turns the default off")
    func resolvesDefaults() throws {
        try withSuite(Self.validSuite) { path, _ in
            let suite = try EvalSuite.load(path: path)
            let first = suite.resolved(suite.tasks[0])
            #expect(first.lane == "delivery")
            #expect(first.risk == "medium")
            #expect(first.spark == "coder")
            #expect(first.testCommand == "make test")
            #expect(first.verify == "make check")
            #expect(first.waitSecs == 120)
            let fixture = try #require(first.fixture)
            #expect(fixture.hasPrefix("/"))
            #expect(fixture.hasSuffix("/fixtures/readme"))
            #expect(FileManager.default.fileExists(atPath: fixture))

            let second = suite.resolved(suite.tasks[1])
            #expect(second.lane == "research")
            #expect(second.risk == "high")
            #expect(second.spark == "scout")
            #expect(second.testCommand == nil)
            #expect(second.waitSecs == 30)
            #expect(second.fixture == nil)

            let bare = EvalSuite(name: "x", tasks: [EvalTask(id: "a", goal: "g")])
            let resolved = bare.resolved(bare.tasks[0])
            #expect(resolved.lane == "delivery")
            #expect(resolved.risk == "low")
            #expect(resolved.spark == nil)
        }
    }

    @Test("a wrong type names the file and the key path")
    func typeMismatchNamesKeyPath() throws {
        let json = """
            {"name": "s", "tasks": [
              {"id": "a", "goal": "g"}, {"id": "b", "goal": "g"}, {"id": "c", "goal": "g"},
              {"id": "d", "goal": "g", "expect": {"max_changed_files": "two"}}
            ]}
            """
        try withSuite(json) { path, _ in
            let error = try #require(loadError(path))
            #expect(error.code == "eval_suite_invalid")
            #expect(error.message.contains(path))
            #expect(error.message.contains("tasks[3].expect.max_changed_files: expected a number"))
        }
    }

    @Test("a missing required key is reported with its path")
    func missingKey() throws {
        try withSuite(#"{"name": "s", "tasks": [{"id": "a"}]}"#) { path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.hasSuffix("tasks[0].goal: missing required key"))
        }
        try withSuite(#"{"tasks": []}"#) { path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.contains("name: missing required key"))
        }
    }

    @Test("other shape errors name lane rule and list paths")
    func nestedShapeErrors() throws {
        try withSuite(#"{"name": "s", "gate_requirements": {"lane_rules": {"delivery": {"min_tests_pass": "x"}}}, "tasks": []}"#)
        {
            path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.contains("gate_requirements.lane_rules.delivery.min_tests_pass: expected a number"))
        }
        try withSuite(#"{"name": "s", "tasks": [{"id": "a", "goal": "g", "expect": {"response_patterns": "x"}}]}"#) {
            path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.contains("tasks[0].expect.response_patterns: expected a list"))
        }
        try withSuite(#"{"name": "s", "tasks": [{"id": null, "goal": "g"}]}"#) { path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.contains("tasks[0].id: expected a string, found null"))
        }
    }

    @Test("invalid JSON is a syntax error naming the file and the line")
    func syntaxError() throws {
        try withSuite("{\"name\": \"s\",\n  \"tasks\": [}") { path, _ in
            let error = try #require(loadError(path))
            #expect(error.code == "eval_suite_syntax")
            #expect(error.message.hasPrefix(path + ": not valid JSON"))
            #expect(error.message.contains("(line 2, column"))
        }
    }

    @Test("a fractional number where a whole one is expected names its key path")
    func wholeNumbers() throws {
        try withSuite(#"{"name": "s", "tasks": [{"id": "a", "goal": "g", "wait_secs": 1.5}]}"#) { path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.hasSuffix("tasks[0].wait_secs: expected a whole number, got 1.5"))
        }
        try withSuite(#"{"name": "s", "tasks": [{"id": "a", "goal": "g", "expect": {"max_changed_files": 2.0}}]}"#) { path, _ in
            let suite = try EvalSuite.load(path: path)
            #expect(suite.tasks[0].expect?.maxChangedFiles == 2)
        }
    }

    @Test("a missing suite file is unreadable")
    func missingFile() {
        let error = loadError("/nonexistent/sparks/suite.json")
        #expect(error?.code == "eval_suite_unreadable")
        #expect(error?.message.contains("/nonexistent/sparks/suite.json") == true)
    }

    @Test("validation reports duplicate ids, bad regexes, missing fixtures, thresholds and empty task lists")
    func validationProblems() throws {
        let json = """
            {"name": "s", "pass_threshold": 1.5,
             "gate_requirements": {"lane_rules": {"delivery": {"min_task_overall": -0.1}}},
             "tasks": [
              {"id": "t1", "goal": "g"},
              {"id": "t1", "goal": "g", "fixture": "fixtures/none"},
              {"id": "t3", "goal": "g", "expect": {"response_patterns": ["ok", "(unclosed"], "max_changed_files": -1}}
             ]}
            """
        try withSuite(json) { path, dir in
            let error = try #require(loadError(path))
            #expect(error.code == "eval_suite_invalid")
            #expect(error.message.hasPrefix(path + ": "))
            #expect(error.message.contains("pass_threshold: 1.5 is outside 0…1"))
            #expect(error.message.contains("gate_requirements.lane_rules.delivery.min_task_overall: -0.1 is outside 0…1"))
            #expect(error.message.contains("tasks[1].id: duplicate task id 't1' (first used by tasks[0])"))
            #expect(error.message.contains("tasks[1].fixture: directory not found: \(dir.path)/fixtures/none"))
            #expect(error.message.contains("tasks[2].expect.response_patterns[1]: invalid regular expression '(unclosed'"))
            #expect(!error.message.contains("response_patterns[0]"))
            #expect(error.message.contains("tasks[2].expect.max_changed_files: must be 0 or more, got -1"))
        }
        try withSuite(#"{"name": "s", "tasks": []}"#) { path, _ in
            let error = try #require(loadError(path))
            #expect(error.message.contains("tasks: the suite needs at least one task"))
        }
    }

    @Test("a fixture that is a file, not a directory, is rejected")
    func fixtureMustBeDirectory() throws {
        try withSuite(#"{"name": "s", "tasks": [{"id": "a", "goal": "g", "fixture": "plain.txt"}]}"#) { path, dir in
            try dir.write("plain.txt", "x")
            let error = try #require(loadError(path))
            #expect(error.message.contains("tasks[0].fixture: directory not found"))
        }
    }

    @Test("a suite round-trips through JSON, writing spark for ghost")
    func roundTrip() throws {
        try withSuite(Self.validSuite) { path, _ in
            let suite = try EvalSuite.load(path: path)
            let data = try JSONEncoder().encode(suite)
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains(#""spark":"coder""#))
            #expect(!text.contains("ghost"))
            var decoded = try JSONDecoder().decode(EvalSuite.self, from: data)
            decoded.directory = suite.directory
            #expect(decoded == suite)
        }
    }
}
