import Foundation
import Testing
import SparksEval

@Suite("Run result and scorecard")
struct ResultTests {
    @Test("the run id is eval-<UTC yyyyMMdd'T'HHmmss'Z'> of the start")
    func runID() {
        #expect(EvalRunResult.runID(startedAt: fixedStart) == "eval-20250102T030405Z")
        #expect(runResult([taskResult("t1")]).id == "eval-20250102T030405Z")
    }

    @Test("the scorecard counts pass, failed, rolled back and timeout rates and averages the metrics")
    func scorecard() {
        let results = [
            taskResult("t1", diff: 0.5),
            taskResult("t2", status: "failed", exec: 0, tests: 0, diff: 0, plan: 0.5),
            taskResult("t3", status: "timeout", exec: 0, tests: 0, diff: 0, plan: 0),
            taskResult("t4", status: "rolled_back", exec: 0, tests: 1, diff: 0.5, plan: 0.5),
        ]
        let gate = GateResult(passed: false, meanOverall: 0.4, reasons: ["a", "b"])
        let card = Scorecard(results: results, gate: gate)
        #expect(card.version == 1)
        #expect(card.success == Scorecard.Success(gateOk: false, passRate: 0.25))
        #expect(card.quality.tests == 0.5)
        #expect(card.quality.diff == 0.25)
        #expect(card.quality.plan == 0.5)
        #expect(card.quality.overall == 0.35)
        #expect(
            card.safety
                == Scorecard.Safety(failedRate: 0.75, rolledBackRate: 0.25, timeoutRate: 0.25, gateReasonsCount: 2))
    }

    @Test("an empty run has a zero scorecard")
    func emptyScorecard() {
        let card = Scorecard(results: [], gate: EvalGate.evaluate([], passThreshold: 0.7))
        #expect(card.success.passRate == 0)
        #expect(card.quality.overall == 0)
        #expect(card.safety.gateReasonsCount == 1)
    }

    @Test("per-task means average over repeats")
    func perTaskMeans() {
        let result = runResult([
            taskResult("t1", run: 1), taskResult("t1", run: 2, exec: 0), taskResult("t2", run: 1, tests: 0),
        ])
        #expect(result.meanOverallByTask == ["t1": 0.825, "t2": 0.75])
        #expect(result.repeatCount == 2)
    }

    @Test("the result encodes as sparks.eval.v1 with snake_case keys and ISO timestamps, and round-trips")
    func jsonRoundTrip() throws {
        var failing = taskResult("t2", status: "failed", exec: 0, notes: ["task did not succeed"])
        failing.reason = "dispatch_timeout"
        failing.error = EvalError(code: EvalError.Code.taskHarnessFailed, message: "fixture copy failed", hint: "disk full?")
        let result = runResult([taskResult("t1"), failing])
        let data = try JSONEncoder().encode(result)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schema"] as? String == "sparks.eval.v1")
        #expect(object["started_at"] as? String == "2025-01-02T03:04:05Z")
        #expect(object["finished_at"] as? String == "2025-01-02T03:05:35Z")
        #expect(object["repeat"] as? Int == 1)
        let tasks = try #require(object["tasks"] as? [[String: Any]])
        #expect(tasks[0]["duration_ms"] as? Int == 1200)
        #expect(tasks[0]["changed_files"] as? [String] == ["README.md"])
        #expect((tasks[0]["score"] as? [String: Any])?["diff_quality"] as? Double == 1)
        #expect((tasks[1]["error"] as? [String: Any])?["code"] as? String == "eval_task_harness_failed")
        let card = try #require(object["scorecard"] as? [String: Any])
        #expect((card["success"] as? [String: Any])?["pass_rate"] as? Double == 0.5)
        #expect((card["safety"] as? [String: Any])?["failed_rate"] as? Double == 0.5)
        #expect((object["gate"] as? [String: Any])?["mean_overall"] as? Double == 0.825)

        let decoded = try JSONDecoder().decode(EvalRunResult.self, from: data)
        #expect(decoded == result)
    }
}

@Suite("Reports")
struct ReportTests {
    func sample() -> EvalRunResult {
        runResult([
            taskResult("t1", diff: 0.6, notes: ["2 files changed, at most 1 expected"]),
            taskResult("t|2", lane: "research", status: "failed", exec: 0, tests: 0, diff: 0, plan: 0),
        ])
    }

    @Test("markdown has the gate, overall, one table row per task run and the notes")
    func markdown() {
        let text = EvalReport.markdown(sample())
        #expect(text.hasPrefix("# Eval demo: gate FAIL, overall 0.45\n"))
        #expect(text.contains("- mean overall 0.45 < pass_threshold 0.70"))
        #expect(text.contains("| Task | Lane | Run | Status | Exec | Tests | Diff | Plan | Overall |"))
        #expect(text.contains("| t1 | delivery | 1 | succeeded | 1.00 | 1.00 | 0.60 | 1.00 | 0.90 |"))
        #expect(text.contains("| t\\|2 | research | 1 | failed | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 |"))
        #expect(text.contains("### t1 (run 1)\n\n- 2 files changed, at most 1 expected"))
        #expect(text.contains("model: qwen2.5:7b"))
    }

    @Test("the history line is one line of JSON with the summary keys, and decodes back")
    func historyLine() throws {
        let result = sample()
        let line = EvalReport.historyLine(result)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == ["id", "suite", "finished_at", "provider", "model", "overall", "pass_rate", "gate_ok"])
        #expect(object["gate_ok"] as? Bool == false)
        #expect(object["pass_rate"] as? Double == 0.5)
        let entry = try JSONDecoder().decode(EvalHistoryEntry.self, from: Data(line.utf8))
        #expect(entry == EvalHistoryEntry(result))
        #expect(entry.id == "eval-20250102T030405Z")
        #expect(entry.overall == result.scorecard.quality.overall)
    }

    @Test("a history line without provider or model writes null for them")
    func historyNulls() throws {
        let result = EvalRunResult(
            suite: "s", startedAt: fixedStart, finishedAt: fixedStart, tasks: [taskResult("t1")],
            gate: EvalGate.evaluate([taskResult("t1")], passThreshold: 0.7))
        let line = EvalReport.historyLine(result)
        #expect(line.contains(#""model":null"#))
        #expect(try JSONDecoder().decode(EvalHistoryEntry.self, from: Data(line.utf8)).provider == nil)
    }

    @Test("write stores <id>.json and <id>.md and appends to history.jsonl")
    func write() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let target = dir.file("results/nested")
        let first = sample()
        let files = try EvalReport.write(first, to: target)
        #expect(files.json == target + "/eval-20250102T030405Z.json")
        #expect(files.markdown == target + "/eval-20250102T030405Z.md")
        #expect(files.history == target + "/history.jsonl")
        let stored = try Data(contentsOf: URL(fileURLWithPath: files.json))
        #expect(try JSONDecoder().decode(EvalRunResult.self, from: stored) == first)
        #expect(String(decoding: stored, as: UTF8.self).contains("\n  \"gate\""))
        #expect(try String(contentsOfFile: files.markdown, encoding: .utf8) == EvalReport.markdown(first))

        let second = runResult([taskResult("t1")], start: fixedStart.addingTimeInterval(3600))
        _ = try EvalReport.write(second, to: target)
        let history = try String(contentsOfFile: files.history, encoding: .utf8)
        let lines = history.split(separator: "\n").map(String.init)
        #expect(lines == [EvalReport.historyLine(first), EvalReport.historyLine(second)])
        #expect(FileManager.default.fileExists(atPath: target + "/eval-20250102T040405Z.json"))
    }

    @Test("write into an unwritable place fails with a stable code")
    func writeFails() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let blocker = try dir.write("file", "x")
        do {
            _ = try EvalReport.write(sample(), to: blocker + "/sub")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "eval_report_write_failed")
        }
    }
}
