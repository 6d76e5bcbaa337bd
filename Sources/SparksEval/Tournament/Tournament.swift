/// The outcome of one tournament.
public struct TournamentDecision: Sendable, Codable, Hashable {
    /// Id of the best candidate that passed the non-regression gate (possibly the baseline).
    public var winner: String
    /// Whether the winner should replace the current dispatch context.
    public var promote: Bool
    /// Candidates kept out by the non-regression gate, each with why.
    public var gated: [String: String]
    /// How the decision was reached, for the run report.
    public var reasons: [String]

    public init(winner: String, promote: Bool, gated: [String: String], reasons: [String]) {
        self.winner = winner
        self.promote = promote
        self.gated = gated
        self.reasons = reasons
    }
}

/// Picks a tournament winner and decides whether to promote it.
public enum Tournament {
    /// Slack for floating-point noise in score deltas, far below any meaningful threshold.
    static let epsilon = 1e-9

    /// Gates every entry against the baseline (clean exit, passing quality gate, and no metric
    /// more than `maxRegression` below the baseline), picks the best gated-in entry by
    /// (overall, execRate, avgTask) with the baseline competing and winning ties, and promotes it
    /// when it is not the baseline, improves `overall` by at least `minImprovement`, and, under
    /// strict rules, loses neither exec rate nor average task score.
    public static func decide(
        baseline: TournamentEntry, entries: [TournamentEntry], rules: TournamentRules = TournamentRules()
    ) -> TournamentDecision {
        var gated: [String: String] = [:]
        var contenders = [baseline]
        for entry in entries where entry.candidateID != baseline.candidateID {
            let failures = gateFailures(entry, baseline: baseline, rules: rules)
            if failures.isEmpty {
                contenders.append(entry)
            } else {
                gated[entry.candidateID] = failures.joined(separator: "; ")
            }
        }
        // Strictly better only, so the baseline and earlier entries keep ties.
        var winner = baseline
        for entry in contenders.dropFirst() where key(entry) > key(winner) { winner = entry }

        var reasons: [String] = []
        if !gated.isEmpty {
            reasons.append("\(gated.count) of \(entries.count) candidate(s) failed the non-regression gate")
        }
        guard winner.candidateID != baseline.candidateID else {
            reasons.append("no candidate beat the baseline; keeping \(baseline.candidateID)")
            return TournamentDecision(winner: winner.candidateID, promote: false, gated: gated, reasons: reasons)
        }
        let overallDelta = winner.overall - baseline.overall
        let execDelta = winner.execRate - baseline.execRate
        let taskDelta = winner.avgTask - baseline.avgTask
        reasons.append(
            "winner \(winner.candidateID): overall \(signed(overallDelta)), exec rate \(signed(execDelta)), avg task \(signed(taskDelta)) vs baseline"
        )
        var promote = true
        if overallDelta + epsilon < rules.minImprovement {
            promote = false
            reasons.append(
                "not promoted: overall improvement \(signed(overallDelta)) is below the \(fixed(rules.minImprovement)) minimum")
        }
        if rules.strict && execDelta + epsilon < 0 {
            promote = false
            reasons.append("not promoted: strict rules forbid any exec rate drop (\(signed(execDelta)))")
        }
        if rules.strict && taskDelta + epsilon < 0 {
            promote = false
            reasons.append("not promoted: strict rules forbid any avg task drop (\(signed(taskDelta)))")
        }
        if promote { reasons.append("promoting \(winner.candidateID)") }
        return TournamentDecision(winner: winner.candidateID, promote: promote, gated: gated, reasons: reasons)
    }

    private static func gateFailures(_ entry: TournamentEntry, baseline: TournamentEntry, rules: TournamentRules) -> [String] {
        var failures: [String] = []
        if !entry.exitOK { failures.append("harness run did not exit cleanly") }
        if !entry.gateOK { failures.append("quality gate failed") }
        let metrics = [
            ("overall", entry.overall - baseline.overall),
            ("exec rate", entry.execRate - baseline.execRate),
            ("avg task", entry.avgTask - baseline.avgTask),
        ]
        for (name, delta) in metrics where delta + epsilon < -rules.maxRegression {
            failures.append("\(name) regressed \(signed(delta)), more than the \(fixed(rules.maxRegression)) allowed")
        }
        return failures
    }

    private static func key(_ entry: TournamentEntry) -> (Double, Double, Double) {
        (entry.overall, entry.execRate, entry.avgTask)
    }

    private static func fixed(_ value: Double) -> String {
        let thousandths = Int((abs(value) * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    private static func signed(_ value: Double) -> String {
        (value < -epsilon ? "-" : "+") + fixed(value)
    }
}
