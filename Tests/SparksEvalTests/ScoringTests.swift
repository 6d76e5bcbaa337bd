import Testing
import SparksEval

@Suite("Task scoring")
struct ScoringTests {
    @Test("exec_success is 1 only when the task succeeded")
    func execSuccess() {
        #expect(EvalScoring.execSuccess(TaskEvidence(succeeded: true)).value == 1)
        let failed = EvalScoring.execSuccess(TaskEvidence(succeeded: false))
        #expect(failed.value == 0)
        #expect(failed.notes == ["task did not succeed"])
    }

    @Test("tests_pass: exit 0 passes, no command is skipped at 1.0, anything else is 0")
    func testsPass() {
        #expect(EvalScoring.testsPass(TaskEvidence(succeeded: true, testExitCode: 0)) == MetricScore(value: 1))
        let skipped = EvalScoring.testsPass(TaskEvidence(succeeded: true, testExitCode: nil))
        #expect(skipped.value == 1)
        #expect(skipped.notes == ["tests skipped (no test command)"])
        let failed = EvalScoring.testsPass(TaskEvidence(succeeded: true, testExitCode: 2))
        #expect(failed.value == 0)
        #expect(failed.notes == ["test command exited with code 2"])
    }

    @Test("a clean change meeting every expectation keeps diff quality at 1")
    func cleanDiff() {
        let evidence = TaskEvidence(
            succeeded: true, changedFiles: ["src/app.py"], addedLines: ["print('hi')"], response: "Done: added greeting",
            readFile: { $0 == "src/app.py" ? "print('hi')\n" : nil })
        let expect = TaskExpectations(
            maxChangedFiles: 1, changedFilesAllow: ["src/*.py"], mustContain: [MustContain(file: "src/app.py", text: "hi")],
            responsePatterns: ["(?i)greeting"])
        let diff = EvalScoring.diffQuality(evidence, expect: expect)
        #expect(diff.value == 1)
        #expect(diff.notes.isEmpty)
    }

    @Test("too many files (−0.35) and a TODO (−0.2) leave exactly 0.45")
    func tooManyFilesAndTodo() {
        let evidence = TaskEvidence(
            succeeded: true, changedFiles: ["a.txt", "b.txt"], addedLines: ["x = 1  # TODO tidy"])
        let diff = EvalScoring.diffQuality(evidence, expect: TaskExpectations(maxChangedFiles: 1))
        #expect(diff.value == 0.45)
        #expect(diff.notes == ["2 files changed, at most 1 expected", "added lines contain TODO or FIXME"])
    }

    @Test("files outside the allowlist cost 0.35 and are named")
    func outsideAllowlist() {
        let evidence = TaskEvidence(succeeded: true, changedFiles: ["src/a.py", "setup.cfg", "src/deep/b.py"])
        let diff = EvalScoring.diffQuality(evidence, expect: TaskExpectations(changedFilesAllow: ["src/*.py"]))
        #expect(diff.value == 0.65)
        #expect(diff.notes == ["changed outside the allowed paths: setup.cfg, src/deep/b.py"])
        let deep = EvalScoring.diffQuality(evidence, expect: TaskExpectations(changedFilesAllow: ["src/**", "*.cfg"]))
        #expect(deep.value == 1)
    }

    @Test("a failed git diff --check costs 0.3, FIXME counts like TODO")
    func diffCheckAndFixme() {
        let evidence = TaskEvidence(succeeded: true, changedFiles: ["a"], addedLines: ["FIXME later"], diffCheckPassed: false)
        let diff = EvalScoring.diffQuality(evidence, expect: TaskExpectations())
        #expect(diff.value == 0.5)
        #expect(diff.notes.count == 2)
    }

    @Test("each missing must_contain costs 0.25, naming the file and the text")
    func mustContain() {
        let files = ["README.md": "# Title\nbye\n"]
        let evidence = TaskEvidence(succeeded: true, changedFiles: ["README.md"], readFile: { files[$0] })
        let expect = TaskExpectations(mustContain: [
            MustContain(file: "README.md", text: "hello"),
            MustContain(file: "README.md", text: "bye"),
            MustContain(file: "NOTES.md", text: "x"),
        ])
        let diff = EvalScoring.diffQuality(evidence, expect: expect)
        #expect(diff.value == 0.5)
        #expect(diff.notes == ["README.md lacks 'hello'", "NOTES.md is missing (expected to contain 'x')"])
    }

    @Test("each unmatched response pattern costs 0.2")
    func responsePatterns() {
        let evidence = TaskEvidence(succeeded: true, response: "Updated README with hello")
        let expect = TaskExpectations(responsePatterns: ["hello", "^Updated", "goodbye", "\\bREADME\\.rst\\b"])
        let diff = EvalScoring.diffQuality(evidence, expect: expect)
        #expect(diff.value == 0.6)
        #expect(diff.notes == ["response does not match /goodbye/", "response does not match /\\bREADME\\.rst\\b/"])
    }

    @Test("deductions clamp at 0")
    func clampsAtZero() {
        let evidence = TaskEvidence(
            succeeded: true, changedFiles: ["x", "y"], addedLines: ["TODO"], diffCheckPassed: false, response: "")
        let expect = TaskExpectations(
            maxChangedFiles: 0, changedFilesAllow: ["src/**"], mustContain: [MustContain(file: "x", text: "a")],
            responsePatterns: ["z"])
        #expect(EvalScoring.diffQuality(evidence, expect: expect).value == 0)
    }

    @Test("no_file_changes scores 1 for an untouched repo and 0 otherwise, ignoring other rules")
    func noFileChanges() {
        let expect = TaskExpectations(noFileChanges: true, responsePatterns: ["never matches"])
        #expect(EvalScoring.diffQuality(TaskEvidence(succeeded: true), expect: expect).value == 1)
        let changed = EvalScoring.diffQuality(TaskEvidence(succeeded: true, changedFiles: ["a", "b"]), expect: expect)
        #expect(changed.value == 0)
        #expect(changed.notes == ["2 files changed, none expected"])
    }

    @Test("overall = 0.35·exec + 0.25·tests + 0.25·diff + 0.15·plan")
    func overallFormula() {
        #expect(EvalScoring.overall(exec: 1, tests: 1, diff: 1, plan: 1) == 1)
        #expect(EvalScoring.overall(exec: 1, tests: 0, diff: 0.45, plan: 0.7) == 0.5675)
        #expect(EvalScoring.overall(exec: 0, tests: 1, diff: 0, plan: 0) == 0.25)
        #expect(EvalScoring.overall(exec: 0, tests: 0, diff: 0, plan: 1) == 0.15)
        #expect(TaskScore(exec: 1, tests: 1, diff: 0.45, plan: 0).overall == 0.7125)
    }

    @Test("score combines all four metrics and collects every note")
    func fullScore() {
        let evidence = TaskEvidence(
            succeeded: true, changedFiles: ["a.py", "b.py"], addedLines: ["# TODO"], testExitCode: 1,
            response: "PLAN:\n- read\n- edit\nEXECUTION: done")
        let score = EvalScoring.score(evidence, expect: TaskExpectations(maxChangedFiles: 1))
        #expect(score.exec == 1)
        #expect(score.tests == 0)
        #expect(score.diff == 0.45)
        #expect(score.plan == 0.9)
        #expect(score.overall == 0.5975)
        #expect(score.notes.contains("test command exited with code 1"))
        #expect(score.notes.contains("2 files changed, at most 1 expected"))
        #expect(score.notes.contains("response does not mention verification, tests or rollback"))
    }
}
