import Testing
import SparksEval

@Suite("Compare")
struct CompareTests {
    func baseline() -> EvalRunResult {
        runResult([taskResult("t1"), taskResult("t2", diff: 0.8), taskResult("t3", plan: 0.6)])
    }

    @Test("identical runs are ok with zero deltas")
    func identical() {
        let report = EvalCompare.compare(baseline: baseline(), candidate: baseline())
        #expect(report.verdict == .ok)
        #expect(report.regressions.isEmpty)
        #expect(report.taskDeltas.map(\.id) == ["t1", "t2", "t3"])
        #expect(report.taskDeltas.allSatisfy { $0.delta == 0 })
        #expect(report.onlyInBaseline.isEmpty)
        #expect(report.onlyInCandidate.isEmpty)
    }

    @Test("a planted drop in one task's score is a regression naming the metric, the task and both values")
    func plantedRegression() {
        let candidate = runResult([taskResult("t1"), taskResult("t2", diff: 0.4), taskResult("t3", plan: 0.6)])
        let report = EvalCompare.compare(baseline: baseline(), candidate: candidate)
        #expect(report.verdict == .regression)
        #expect(report.regressions.contains("quality.diff: 0.93 -> 0.80 (drop 0.13 > allowed 0.00)"))
        #expect(report.regressions.contains("task t2 overall: 0.95 -> 0.85 (drop 0.10 > allowed 0.00)"))
        #expect(report.regressions.contains { $0.hasPrefix("quality.overall: ") })
        #expect(!report.regressions.contains { $0.hasPrefix("task t1") || $0.hasPrefix("task t3") })
        #expect(report.taskDeltas.first { $0.id == "t2" }?.delta == -0.1)
    }

    @Test("a drop within the allowed margin is ok")
    func withinMargin() {
        let candidate = runResult([taskResult("t1"), taskResult("t2", diff: 0.4), taskResult("t3", plan: 0.6)])
        let report = EvalCompare.compare(baseline: baseline(), candidate: candidate, maxQualityDrop: 0.15)
        #expect(report.verdict == .ok)
    }

    @Test("gate pass→fail, pass rate drop and safety rises are regressions")
    func successAndSafety() {
        let candidate = runResult([
            taskResult("t1"), taskResult("t2", status: "timeout", exec: 0, tests: 0, diff: 0, plan: 0),
            taskResult("t3", status: "failed", exec: 0, tests: 0, diff: 0, plan: 0),
        ])
        let report = EvalCompare.compare(baseline: baseline(), candidate: candidate, maxQualityDrop: 1)
        #expect(report.verdict == .regression)
        #expect(report.regressions.contains("success.gate_ok: true -> false"))
        #expect(report.regressions.contains("success.pass_rate: 1.00 -> 0.33 (drop 0.67 > allowed 0.00)"))
        #expect(report.regressions.contains("safety.failed_rate: 0.00 -> 0.67 (rise 0.67 > allowed 0.00)"))
        #expect(report.regressions.contains("safety.timeout_rate: 0.00 -> 0.33 (rise 0.33 > allowed 0.00)"))
        #expect(!report.regressions.contains { $0.hasPrefix("safety.rolled_back_rate") })
        #expect(!report.regressions.contains { $0.hasPrefix("quality.") || $0.hasPrefix("task ") })

        let lenient = EvalCompare.compare(
            baseline: baseline(), candidate: candidate, maxSuccessDrop: 1, maxQualityDrop: 1, maxSafetyIncrease: 1)
        #expect(lenient.regressions == ["success.gate_ok: true -> false"])
    }

    @Test("improvements and float noise are not regressions")
    func improvementsAndNoise() {
        let worse = runResult([taskResult("t1", diff: 0.5)])
        let better = runResult([taskResult("t1")])
        #expect(EvalCompare.compare(baseline: worse, candidate: better).verdict == .ok)
        let sum = runResult([taskResult("t1", plan: 0.1 + 0.2)])
        let exact = runResult([taskResult("t1", plan: 0.3)])
        #expect(EvalCompare.compare(baseline: sum, candidate: exact).verdict == .ok)
        #expect(EvalCompare.compare(baseline: exact, candidate: sum).verdict == .ok)
    }

    @Test("a drop under 1e-9 in a stored scorecard (e.g. written by another tool) is noise, a real drop is not")
    func storedNoise() {
        var noisy = baseline()
        noisy.scorecard.quality.overall -= 1e-12
        noisy.scorecard.safety.failedRate += 1e-12
        #expect(EvalCompare.compare(baseline: baseline(), candidate: noisy).verdict == .ok)
        var dropped = baseline()
        dropped.scorecard.quality.overall -= 1e-3
        let report = EvalCompare.compare(baseline: baseline(), candidate: dropped)
        #expect(report.regressions.count == 1)
        #expect(report.regressions.first?.hasPrefix("quality.overall: ") == true)
    }

    @Test("tasks on one side only are listed, not compared")
    func oneSidedTasks() {
        let candidate = runResult([taskResult("t1"), taskResult("t2", diff: 0.8), taskResult("t4")])
        let report = EvalCompare.compare(baseline: baseline(), candidate: candidate, maxQualityDrop: 1)
        #expect(report.onlyInBaseline == ["t3"])
        #expect(report.onlyInCandidate == ["t4"])
        #expect(report.taskDeltas.map(\.id) == ["t1", "t2"])
    }

    @Test("repeats are compared by each task's mean overall")
    func repeatsUseMeans() {
        let base = runResult([taskResult("t1", run: 1), taskResult("t1", run: 2, exec: 0)])
        let cand = runResult([taskResult("t1", run: 1, exec: 0), taskResult("t1", run: 2)])
        let report = EvalCompare.compare(baseline: base, candidate: cand)
        #expect(report.verdict == .ok)
        #expect(report.taskDeltas == [TaskDelta(id: "t1", baseline: 0.825, candidate: 0.825)])
    }

    @Test("the compare markdown shows the verdict, regressions and the task table")
    func markdown() {
        let candidate = runResult([taskResult("t1"), taskResult("t2", diff: 0.4), taskResult("t3", plan: 0.6)])
        let text = EvalCompare.compare(baseline: baseline(), candidate: candidate).markdown
        #expect(text.hasPrefix("# Eval compare: regression\n"))
        #expect(text.contains("- task t2 overall: 0.95 -> 0.85 (drop 0.10 > allowed 0.00)"))
        #expect(text.contains("| t2 | 0.95 | 0.85 | -0.10 |"))
        #expect(text.contains("| quality.diff | 0.93 | 0.80 | -0.13 |"))
    }
}
