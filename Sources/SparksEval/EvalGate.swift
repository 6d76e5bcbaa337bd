/// Whether a run passed its suite's gate, and why not.
public struct GateResult: Sendable, Codable, Equatable {
    public var passed: Bool
    /// The mean overall score over all task runs.
    public var meanOverall: Double
    /// One plain sentence per failed condition; empty when the gate passed.
    public var reasons: [String]

    public init(passed: Bool, meanOverall: Double, reasons: [String]) {
        self.passed = passed
        self.meanOverall = meanOverall
        self.reasons = reasons
    }

    private enum CodingKeys: String, CodingKey {
        case passed, reasons
        case meanOverall = "mean_overall"
    }
}

/// Decides whether a run's task results pass a suite's gate.
public enum EvalGate {
    /// Evaluates the gate of `suite` over `results`.
    public static func evaluate(_ results: [EvalTaskResult], suite: EvalSuite) -> GateResult {
        evaluate(results, passThreshold: suite.passThreshold, requirements: suite.gateRequirements)
    }

    /// Passes when the mean overall reaches `passThreshold` and `min_overall`, every task succeeded
    /// (if required), and every task meets the minima of its lane. With repeats each run counts on
    /// its own, and reasons name the run (`t3#2`). An empty result never passes.
    public static func evaluate(
        _ results: [EvalTaskResult], passThreshold: Double, requirements: GateRequirements? = nil
    ) -> GateResult {
        guard !results.isEmpty else {
            return GateResult(passed: false, meanOverall: 0, reasons: ["no task results: nothing was scored"])
        }
        let meanOverall = Scorecard.mean(results.map(\.score.overall))
        var reasons: [String] = []
        if below(meanOverall, passThreshold) {
            let (value, minimum) = ScoreFormat.pair(meanOverall, passThreshold)
            reasons.append("mean overall \(value) < pass_threshold \(minimum)")
        }
        if let minOverall = requirements?.minOverall, below(meanOverall, minOverall) {
            let (value, minimum) = ScoreFormat.pair(meanOverall, minOverall)
            reasons.append("mean overall \(value) < min_overall \(minimum)")
        }
        let showRun = results.contains { $0.run > 1 }
        func label(_ result: EvalTaskResult) -> String { showRun ? "\(result.id)#\(result.run)" : result.id }

        if requirements?.requireExecSuccess == true {
            for result in results where result.score.exec < 1 {
                reasons.append("\(label(result)): exec_success 0 (status \(result.status)), every task must succeed")
            }
        }
        let laneRules = requirements?.laneRules ?? [:]
        for result in results {
            guard let rule = laneRules[result.lane] else { continue }
            let checks: [(String, Double, Double?)] = [
                ("tests", result.score.tests, rule.minTestsPass),
                ("diff", result.score.diff, rule.minDiffQuality),
                ("plan", result.score.plan, rule.minPlanQuality),
                ("overall", result.score.overall, rule.minTaskOverall),
            ]
            for (metric, value, minimum) in checks {
                guard let minimum, below(value, minimum) else { continue }
                let (shown, floor) = ScoreFormat.pair(value, minimum)
                reasons.append("\(label(result)) (\(result.lane)): \(metric) \(shown) < \(floor)")
            }
        }
        return GateResult(passed: reasons.isEmpty, meanOverall: meanOverall, reasons: reasons)
    }

    private static func below(_ value: Double, _ minimum: Double) -> Bool {
        value < minimum - ScoreFormat.tolerance
    }
}
