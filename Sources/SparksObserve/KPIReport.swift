import Foundation
import SparksCore
import SparksStore

/// Which tasks a KPI report counts: any of lane, repository, risk and spark (nil = all).
public struct KPIScope: Sendable, Hashable, CustomStringConvertible {
    public var lane: String?
    public var repo: String?
    public var risk: String?
    public var spark: String?

    public init(lane: String? = nil, repo: String? = nil, risk: String? = nil, spark: String? = nil) {
        self.lane = lane
        self.repo = repo
        self.risk = risk
        self.spark = spark
    }

    public var description: String {
        "lane=\(lane ?? "*") repo=\(repo ?? "*") risk=\(risk ?? "*") spark=\(spark ?? "*")"
    }
}

/// Dollars per million tokens, to estimate what tasks cost.
public struct PriceBook: Sendable, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The original's v1 price book: $5 in / $15 out per million tokens for hosted providers,
    /// nothing for a model on this machine.
    public static func defaults(provider: String) -> PriceBook {
        ["ollama", "local"].contains(provider) ? PriceBook(inputPerMillion: 0, outputPerMillion: 0)
            : PriceBook(inputPerMillion: 5, outputPerMillion: 15)
    }

    public func cost(prompt: Int, completion: Int) -> Double {
        (Double(prompt) * inputPerMillion + Double(completion) * outputPerMillion) / 1_000_000
    }
}

/// The mission's targets (from the original's mission contract): autonomy for low-risk work is
/// earned at ≥ 70 % success, ≥ 95 % verification pass, ≤ 5 % rollback and a mean time to fix of at
/// most an hour, over a rolling 14 days.
public struct MissionTargets: Sendable, Hashable {
    public var successRate = 0.70
    public var verificationPassRate = 0.95
    public var rollbackRate = 0.05
    public var meanTimeToFixSecs = 3600.0

    public init() {}
}

/// KPIs of a scope from real outcomes: success, verification by exit code, rollbacks by what
/// happened to the work, time to fix, tokens and cost.
public struct KPIReport: Sendable, Hashable {
    public var scope: KPIScope
    public var capturedAt: Date
    public var windowDays: Int?
    public var tasks = 0
    public var succeeded = 0
    public var failed = 0
    public var verificationsTotal = 0
    public var verificationsPassed = 0
    public var rollbacks = 0
    /// Mean time from a failure to the next success in the scope; nil without such a pair.
    public var meanTimeToFixSecs: Double?
    public var promptTokens = 0
    public var completionTokens = 0
    public var costUSD = 0.0
    public var meanDurationSecs = 0.0

    public var successRate: Double? { tasks == 0 ? nil : Double(succeeded) / Double(tasks) }
    public var verificationPassRate: Double? { verificationsTotal == 0 ? nil : Double(verificationsPassed) / Double(verificationsTotal) }
    /// Rollbacks over succeeded tasks (work that was accepted and then undone).
    public var rollbackRate: Double? { succeeded == 0 ? nil : Double(rollbacks) / Double(succeeded) }
    public var tokensPerTask: Double? { tasks == 0 ? nil : Double(promptTokens + completionTokens) / Double(tasks) }
    public var costPerTask: Double? { tasks == 0 ? nil : costUSD / Double(tasks) }

    public static func compute(_ outcomes: [KPIOutcome], scope: KPIScope, prices: PriceBook, windowDays: Int?,
                               now: Date = Date()) -> KPIReport {
        var report = KPIReport(scope: scope, capturedAt: now, windowDays: windowDays)
        let ordered = outcomes.sorted { $0.finishedAt < $1.finishedAt }
        var durations = 0
        var fixes: [Double] = []
        var pendingFailures: [Date] = []
        for outcome in ordered {
            report.tasks += 1
            durations += outcome.durationMs
            report.promptTokens += outcome.promptTokens
            report.completionTokens += outcome.completionTokens
            report.costUSD += prices.cost(prompt: outcome.promptTokens, completion: outcome.completionTokens)
            if let code = outcome.verifyExitCode {
                report.verificationsTotal += 1
                if code == 0 { report.verificationsPassed += 1 }
            }
            if outcome.rolledBack { report.rollbacks += 1 }
            if outcome.status == .succeeded {
                report.succeeded += 1
                // Each failure since the last success is fixed by this one.
                fixes += pendingFailures.map { outcome.finishedAt.timeIntervalSince($0) }
                pendingFailures.removeAll()
            } else {
                report.failed += 1
                pendingFailures.append(outcome.finishedAt)
            }
        }
        report.meanTimeToFixSecs = fixes.isEmpty ? nil : fixes.reduce(0, +) / Double(fixes.count)
        report.meanDurationSecs = report.tasks == 0 ? 0 : Double(durations) / 1000 / Double(report.tasks)
        return report
    }

    /// One line per target: the value, the target and whether it is met (nil: no data).
    public func against(_ targets: MissionTargets) -> [(name: String, value: String, target: String, met: Bool?)] {
        [
            ("task_success_rate", Self.percent(successRate), "≥ \(Self.percent(targets.successRate))",
             successRate.map { $0 >= targets.successRate }),
            ("verification_pass_rate", Self.percent(verificationPassRate), "≥ \(Self.percent(targets.verificationPassRate))",
             verificationPassRate.map { $0 >= targets.verificationPassRate }),
            ("rollback_rate", Self.percent(rollbackRate), "≤ \(Self.percent(targets.rollbackRate))",
             rollbackRate.map { $0 <= targets.rollbackRate }),
            ("mean_time_to_fix", meanTimeToFixSecs.map(Self.duration) ?? "n/a", "≤ \(Self.duration(targets.meanTimeToFixSecs))",
             meanTimeToFixSecs.map { $0 <= targets.meanTimeToFixSecs }),
        ]
    }

    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .number(($0 * 10_000).rounded() / 10_000) } ?? .null }
        return .object([
            "captured_at": .string(ObservedEvent.timestampText(capturedAt)),
            "scope": .object(["lane": scope.lane.map(JSONValue.string) ?? .null, "repo": scope.repo.map(JSONValue.string) ?? .null,
                              "risk": scope.risk.map(JSONValue.string) ?? .null, "spark": scope.spark.map(JSONValue.string) ?? .null]),
            "window_days": windowDays.map { .number(Double($0)) } ?? .null,
            "tasks": .number(Double(tasks)), "succeeded": .number(Double(succeeded)), "failed": .number(Double(failed)),
            "verifications_total": .number(Double(verificationsTotal)), "verifications_passed": .number(Double(verificationsPassed)),
            "rollbacks": .number(Double(rollbacks)), "task_success_rate": number(successRate),
            "verification_pass_rate": number(verificationPassRate), "rollback_rate": number(rollbackRate),
            "mean_time_to_fix_secs": number(meanTimeToFixSecs), "prompt_tokens": .number(Double(promptTokens)),
            "completion_tokens": .number(Double(completionTokens)), "tokens_per_task": number(tokensPerTask),
            "cost_usd": number(costUSD), "cost_per_task_usd": number(costPerTask), "mean_duration_secs": number(meanDurationSecs),
        ])
    }

    /// The report as text: the scope, each KPI with its counts, and the mission targets.
    public func text(targets: MissionTargets = MissionTargets()) -> String {
        var lines = ["KPI Snapshot", "\(scope) captured_at=\(ObservedEvent.timestampText(capturedAt))"
            + (windowDays.map { " window=\($0)d" } ?? "")]
        lines.append("task_success_rate=\(Self.percent(successRate)) (\(succeeded)/\(tasks))")
        lines.append("verification_pass_rate=\(Self.percent(verificationPassRate)) (\(verificationsPassed)/\(verificationsTotal))")
        lines.append("rollback_rate=\(Self.percent(rollbackRate)) (\(rollbacks)/\(succeeded))")
        lines.append("mean_time_to_fix=\(meanTimeToFixSecs.map(Self.duration) ?? "n/a")")
        lines.append("tokens_per_task=\(tokensPerTask.map { String(Int($0.rounded())) } ?? "n/a") "
            + "cost_per_task=\(costPerTask.map { String(format: "$%.4f", $0) } ?? "n/a") (total \(String(format: "$%.4f", costUSD)))"
            + " mean_duration=\(String(format: "%.1f s", meanDurationSecs))")
        lines.append("mission targets:")
        for item in against(targets) {
            let verdict = item.met.map { $0 ? "met" : "MISSED" } ?? "no data"
            lines.append("  \(item.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(item.value.padding(toLength: 8, withPad: " ", startingAt: 0)) target \(item.target)  \(verdict)")
        }
        return lines.joined(separator: "\n")
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }

    static func duration(_ seconds: Double) -> String {
        seconds >= 3600 ? String(format: "%.1fh", seconds / 3600) : seconds >= 60 ? String(format: "%.1fm", seconds / 60)
            : String(format: "%.0fs", seconds)
    }
}
