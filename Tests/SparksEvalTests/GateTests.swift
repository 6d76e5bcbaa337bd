import Testing
import SparksEval

@Suite("Gate")
struct GateTests {
    @Test("passes when the mean overall reaches the threshold")
    func passes() {
        let gate = EvalGate.evaluate([taskResult("t1"), taskResult("t2", diff: 0.45)], passThreshold: 0.7)
        #expect(gate.passed)
        #expect(gate.meanOverall == 0.93125)
        #expect(gate.reasons.isEmpty)
    }

    @Test("fails below the pass threshold and below min_overall, with both values")
    func failsOnMean() {
        let results = [taskResult("t1", tests: 0, diff: 0, plan: 0)]
        let gate = EvalGate.evaluate(results, passThreshold: 0.7, requirements: GateRequirements(minOverall: 0.5))
        #expect(!gate.passed)
        #expect(gate.meanOverall == 0.35)
        #expect(gate.reasons == ["mean overall 0.35 < pass_threshold 0.70", "mean overall 0.35 < min_overall 0.50"])
    }

    @Test("a mean just under the threshold shows enough decimals to tell them apart")
    func precision() {
        let gate = EvalGate.evaluate([taskResult("t1", plan: 0.98)], passThreshold: 0.9974)
        #expect(gate.reasons == ["mean overall 0.9970 < pass_threshold 0.9974"])
    }

    @Test("require_exec_success names every task that did not succeed")
    func requireExecSuccess() {
        let results = [taskResult("t1"), taskResult("t2", status: "failed", exec: 0), taskResult("t3")]
        let gate = EvalGate.evaluate(results, passThreshold: 0.1, requirements: GateRequirements(requireExecSuccess: true))
        #expect(!gate.passed)
        #expect(gate.reasons == ["t2: exec_success 0 (status failed), every task must succeed"])
    }

    @Test("lane rules check each task of that lane, naming task, lane, metric and both values")
    func laneRules() {
        let results = [
            taskResult("t1"),
            taskResult("t3", tests: 0, diff: 0.4),
            taskResult("r1", lane: "research", tests: 0, diff: 0, plan: 0),
        ]
        let rules = [
            "delivery": LaneRule(minTestsPass: 1, minDiffQuality: 0.8, minPlanQuality: 0.5, minTaskOverall: 0.9)
        ]
        let gate = EvalGate.evaluate(results, passThreshold: 0, requirements: GateRequirements(laneRules: rules))
        #expect(!gate.passed)
        #expect(
            gate.reasons == [
                "t3 (delivery): tests 0.00 < 1.00",
                "t3 (delivery): diff 0.40 < 0.80",
                "t3 (delivery): overall 0.60 < 0.90",
            ])
    }

    @Test("with repeats, reasons name the run")
    func repeatsNameRun() {
        let results = [taskResult("t1", run: 1), taskResult("t1", run: 2, tests: 0)]
        let gate = EvalGate.evaluate(
            results, passThreshold: 0, requirements: GateRequirements(laneRules: ["delivery": LaneRule(minTestsPass: 1)]))
        #expect(gate.reasons == ["t1#2 (delivery): tests 0.00 < 1.00"])
    }

    @Test("an exact minimum passes despite float sums")
    func exactMinimumPasses() {
        let results = [taskResult("t1", plan: 0.4 + 0.3 + 0.2 + 0.1)]
        let gate = EvalGate.evaluate(
            results, passThreshold: 1, requirements: GateRequirements(laneRules: ["delivery": LaneRule(minPlanQuality: 1)]))
        #expect(gate.passed)
    }

    @Test("an empty result fails with a reason")
    func emptyFails() {
        let gate = EvalGate.evaluate([], passThreshold: 0)
        #expect(!gate.passed)
        #expect(gate.reasons == ["no task results: nothing was scored"])
    }

    @Test("the suite form uses the suite's threshold and requirements")
    func suiteForm() {
        let suite = EvalSuite(
            name: "s", passThreshold: 0.9, gateRequirements: GateRequirements(requireExecSuccess: true),
            tasks: [EvalTask(id: "t1", goal: "g")])
        let gate = EvalGate.evaluate([taskResult("t1", status: "timeout", exec: 0)], suite: suite)
        #expect(gate.reasons.count == 2)
        #expect(gate.reasons[0].hasPrefix("mean overall 0.65 < pass_threshold 0.90"))
    }
}
