/// Whether a candidate run held up against its baseline.
public enum CompareVerdict: String, Sendable, Codable {
    case ok
    case regression
}

/// One scorecard number in both runs.
public struct MetricDelta: Sendable, Codable, Equatable {
    /// Dotted scorecard name, e.g. `quality.overall`.
    public var name: String
    public var baseline: Double
    public var candidate: Double
    /// candidate − baseline.
    public var delta: Double

    public init(name: String, baseline: Double, candidate: Double) {
        self.name = name
        self.baseline = baseline
        self.candidate = candidate
        self.delta = tidy(candidate - baseline)
    }
}

/// One task's mean overall score (across repeats) in both runs.
public struct TaskDelta: Sendable, Codable, Equatable {
    public var id: String
    public var baseline: Double
    public var candidate: Double
    /// candidate − baseline.
    public var delta: Double

    public init(id: String, baseline: Double, candidate: Double) {
        self.id = id
        self.baseline = baseline
        self.candidate = candidate
        self.delta = tidy(candidate - baseline)
    }
}

/// The outcome of ``EvalCompare/compare(baseline:candidate:maxSuccessDrop:maxQualityDrop:maxSafetyIncrease:)``.
public struct CompareReport: Sendable, Codable, Equatable {
    public var verdict: CompareVerdict
    public var baselineID: String
    public var candidateID: String
    public var baselineGateOk: Bool
    public var candidateGateOk: Bool
    /// One sentence per regression, naming the metric and both values.
    public var regressions: [String]
    /// Every compared scorecard number, in scorecard order.
    public var metrics: [MetricDelta]
    /// Tasks present in both runs, in baseline order.
    public var taskDeltas: [TaskDelta]
    public var onlyInBaseline: [String]
    public var onlyInCandidate: [String]

    private enum CodingKeys: String, CodingKey {
        case verdict, regressions, metrics
        case baselineID = "baseline_id"
        case candidateID = "candidate_id"
        case baselineGateOk = "baseline_gate_ok"
        case candidateGateOk = "candidate_gate_ok"
        case taskDeltas = "task_deltas"
        case onlyInBaseline = "only_in_baseline"
        case onlyInCandidate = "only_in_candidate"
    }

    /// A readable Markdown rendering of the comparison.
    public var markdown: String {
        var lines = [
            "# Eval compare: \(verdict.rawValue)",
            "",
            "- Baseline: `\(baselineID)` (gate \(baselineGateOk ? "PASS" : "FAIL"))",
            "- Candidate: `\(candidateID)` (gate \(candidateGateOk ? "PASS" : "FAIL"))",
        ]
        if !regressions.isEmpty {
            lines += ["", "## Regressions", ""] + regressions.map { "- \($0)" }
        }
        lines += ["", "## Scorecard", "", "| Metric | Baseline | Candidate | Delta |", "|---|---:|---:|---:|"]
        lines += metrics.map { row($0.name, $0.baseline, $0.candidate, $0.delta) }
        if !taskDeltas.isEmpty {
            lines += ["", "## Tasks (mean overall)", "", "| Task | Baseline | Candidate | Delta |", "|---|---:|---:|---:|"]
            lines += taskDeltas.map { row(EvalReport.cell($0.id), $0.baseline, $0.candidate, $0.delta) }
        }
        if !onlyInBaseline.isEmpty { lines += ["", "Only in baseline: " + onlyInBaseline.joined(separator: ", ")] }
        if !onlyInCandidate.isEmpty { lines += ["", "Only in candidate: " + onlyInCandidate.joined(separator: ", ")] }
        return lines.joined(separator: "\n") + "\n"
    }

    private func row(_ name: String, _ baseline: Double, _ candidate: Double, _ delta: Double) -> String {
        let sign = delta > 0 ? "+" : ""
        return
            "| \(name) | \(ScoreFormat.fixed(baseline)) | \(ScoreFormat.fixed(candidate)) | \(sign)\(ScoreFormat.fixed(delta)) |"
    }
}

/// Compares two runs' scorecards and per-task scores to catch regressions.
public enum EvalCompare {
    /// Flags a regression when the gate went from pass to fail, the pass rate dropped by more than
    /// `maxSuccessDrop`, a quality mean (overall, plan, tests, diff) or a shared task's mean overall
    /// dropped by more than `maxQualityDrop`, or a safety rate (failed, rolled back, timeout) rose by
    /// more than `maxSafetyIncrease`. Differences under 1e-9 are float noise and never count.
    public static func compare(
        baseline: EvalRunResult, candidate: EvalRunResult, maxSuccessDrop: Double = 0, maxQualityDrop: Double = 0,
        maxSafetyIncrease: Double = 0
    ) -> CompareReport {
        let base = baseline.scorecard
        let cand = candidate.scorecard
        var regressions: [String] = []
        if base.success.gateOk && !cand.success.gateOk {
            regressions.append("success.gate_ok: true -> false")
        }
        let success = [MetricDelta(name: "success.pass_rate", baseline: base.success.passRate, candidate: cand.success.passRate)]
        let quality = [
            MetricDelta(name: "quality.overall", baseline: base.quality.overall, candidate: cand.quality.overall),
            MetricDelta(name: "quality.plan", baseline: base.quality.plan, candidate: cand.quality.plan),
            MetricDelta(name: "quality.tests", baseline: base.quality.tests, candidate: cand.quality.tests),
            MetricDelta(name: "quality.diff", baseline: base.quality.diff, candidate: cand.quality.diff),
        ]
        let safety = [
            MetricDelta(name: "safety.failed_rate", baseline: base.safety.failedRate, candidate: cand.safety.failedRate),
            MetricDelta(
                name: "safety.rolled_back_rate", baseline: base.safety.rolledBackRate, candidate: cand.safety.rolledBackRate),
            MetricDelta(name: "safety.timeout_rate", baseline: base.safety.timeoutRate, candidate: cand.safety.timeoutRate),
        ]
        for metric in success + quality {
            let allowed = metric.name == "success.pass_rate" ? maxSuccessDrop : maxQualityDrop
            if let text = dropText(metric.name, metric.baseline, metric.candidate, allowed: allowed) { regressions.append(text) }
        }
        for metric in safety where metric.candidate - metric.baseline > maxSafetyIncrease + ScoreFormat.tolerance {
            let (from, to) = ScoreFormat.pair(metric.baseline, metric.candidate)
            let (rise, limit) = ScoreFormat.pair(metric.candidate - metric.baseline, maxSafetyIncrease)
            regressions.append("\(metric.name): \(from) -> \(to) (rise \(rise) > allowed \(limit))")
        }

        let baseMeans = baseline.meanOverallByTask
        let candMeans = candidate.meanOverallByTask
        let baseIDs = orderedIDs(baseline.tasks)
        let candIDs = orderedIDs(candidate.tasks)
        var taskDeltas: [TaskDelta] = []
        for id in baseIDs {
            guard let before = baseMeans[id], let after = candMeans[id] else { continue }
            taskDeltas.append(TaskDelta(id: id, baseline: before, candidate: after))
            if let text = dropText("task \(id) overall", before, after, allowed: maxQualityDrop) { regressions.append(text) }
        }
        return CompareReport(
            verdict: regressions.isEmpty ? .ok : .regression, baselineID: baseline.id, candidateID: candidate.id,
            baselineGateOk: base.success.gateOk, candidateGateOk: cand.success.gateOk, regressions: regressions,
            metrics: success + quality + safety, taskDeltas: taskDeltas,
            onlyInBaseline: baseIDs.filter { candMeans[$0] == nil },
            onlyInCandidate: candIDs.filter { baseMeans[$0] == nil })
    }

    private static func dropText(_ name: String, _ before: Double, _ after: Double, allowed: Double) -> String? {
        let drop = before - after
        guard drop > allowed + ScoreFormat.tolerance else { return nil }
        let (from, to) = ScoreFormat.pair(before, after)
        let (shownDrop, limit) = ScoreFormat.pair(drop, allowed)
        return "\(name): \(from) -> \(to) (drop \(shownDrop) > allowed \(limit))"
    }

    private static func orderedIDs(_ results: [EvalTaskResult]) -> [String] {
        var seen = Set<String>()
        return results.map(\.id).filter { seen.insert($0).inserted }
    }
}
