/// The critic's verdict on one self-build dispatch: a score in 0…1 built from four weighted parts.
public struct CriticScore: Sendable, Codable, Hashable {
    /// Sum of the earned weights, rounded to hundredths.
    public var score: Double
    /// True only when all four parts were earned.
    public var passed: Bool
    /// One line per part, earned or not, e.g. `+0.35 dispatch succeeded with exit 0`.
    public var parts: [String]

    public init(score: Double, passed: Bool, parts: [String]) {
        self.score = score
        self.passed = passed
        self.parts = parts
    }

    /// Scores a dispatch: +0.35 when it succeeded with exit 0, +0.10 for a non-empty change set,
    /// +0.35 when every maintenance check passed, +0.20 when no guardrail was violated.
    public static func evaluate(
        dispatchSucceeded: Bool, exitCode: Int32, changeCount: Int, maintenancePassed: Bool, guardrailsPassed: Bool
    ) -> CriticScore {
        // Weights in hundredths so the sum is exact (0.35 + 0.10 + … is not, in binary floating point).
        let checks: [(earned: Bool, weight: Int, yes: String, no: String)] = [
            (
                dispatchSucceeded && exitCode == 0, 35, "dispatch succeeded with exit 0",
                dispatchSucceeded ? "dispatch exited with \(exitCode)" : "dispatch failed (exit \(exitCode))"
            ),
            (changeCount > 0, 10, "change set has \(changeCount) change(s)", "change set is empty"),
            (maintenancePassed, 35, "maintenance checks all passed", "maintenance checks did not all pass"),
            (guardrailsPassed, 20, "guardrails passed", "guardrails violated"),
        ]
        var hundredths = 0
        var parts: [String] = []
        for check in checks {
            if check.earned {
                hundredths += check.weight
                parts.append("+\(Self.format(check.weight)) \(check.yes)")
            } else {
                parts.append("+0.00 \(check.no)")
            }
        }
        return CriticScore(
            score: Double(hundredths) / 100, passed: checks.allSatisfy(\.earned), parts: parts)
    }

    private static func format(_ hundredths: Int) -> String {
        let cents = hundredths % 100
        return "\(hundredths / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
