/// Loosens or tightens tournament rules by how clean recent runs were: a track record of clean
/// runs earns room to experiment, a run of failures demands stronger evidence.
public enum AdaptiveGuardrails {
    /// Which adjustment was applied.
    public enum Mode: String, Sendable, Codable, Hashable, CaseIterable {
        /// At least 10 runs, at least 80 % clean.
        case relaxed
        /// At least 5 runs, at least 60 % clean: the base rules.
        case balanced
        /// At least 5 runs, under 40 % clean.
        case tightened
        /// Too little history, or a clean rate in between: the base rules.
        case `default`
    }

    /// Highest `maxRegression` that relaxing may reach.
    public static let relaxedRegressionCap = 0.03

    /// The rules to use given `recentRuns` (true = clean, newest last).
    ///
    /// Relaxed halves `minImprovement`, raises `maxRegression` by 0.01 up to 0.03 (never below the
    /// base) and turns `strict` off. Tightened doubles `minImprovement`, halves `maxRegression` and
    /// turns `strict` on.
    public static func rules(recentRuns: [Bool], base: TournamentRules) -> (rules: TournamentRules, mode: Mode) {
        let total = recentRuns.count
        let clean = recentRuns.filter { $0 }.count
        // Compare in integers (clean/total ≥ 4/5 ⇔ 5·clean ≥ 4·total) so 80 % is exactly 80 %.
        if total >= 10 && 5 * clean >= 4 * total {
            let raised = rounded(base.maxRegression + 0.01)
            let relaxed = TournamentRules(
                maxRegression: max(base.maxRegression, min(raised, relaxedRegressionCap)),
                minImprovement: rounded(base.minImprovement * 0.5), strict: false)
            return (relaxed, .relaxed)
        }
        if total >= 5 && 5 * clean >= 3 * total { return (base, .balanced) }
        if total >= 5 && 5 * clean < 2 * total {
            let tightened = TournamentRules(
                maxRegression: rounded(base.maxRegression * 0.5),
                minImprovement: rounded(base.minImprovement * 2), strict: true)
            return (tightened, .tightened)
        }
        return (base, .default)
    }

    /// Rounds to 1e-9 so 0.02 + 0.01 reads back as 0.03.
    private static func rounded(_ value: Double) -> Double {
        (value * 1e9).rounded() / 1e9
    }
}
