/// One candidate's eval-harness result.
public struct TournamentEntry: Sendable, Codable, Hashable {
    public var candidateID: String
    /// Overall eval score, 0…1.
    public var overall: Double
    /// Share of tasks that executed to completion, 0…1.
    public var execRate: Double
    /// Mean per-task score, 0…1.
    public var avgTask: Double
    /// Whether the harness's quality gate passed.
    public var gateOK: Bool
    /// Whether the harness run exited cleanly.
    public var exitOK: Bool

    public init(candidateID: String, overall: Double, execRate: Double, avgTask: Double, gateOK: Bool, exitOK: Bool) {
        self.candidateID = candidateID
        self.overall = overall
        self.execRate = execRate
        self.avgTask = avgTask
        self.gateOK = gateOK
        self.exitOK = exitOK
    }

    enum CodingKeys: String, CodingKey {
        case candidateID = "candidate_id"
        case overall
        case execRate = "exec_rate"
        case avgTask = "avg_task"
        case gateOK = "gate_ok"
        case exitOK = "exit_ok"
    }
}

/// The thresholds a tournament decides with.
public struct TournamentRules: Sendable, Codable, Hashable {
    /// How far any metric may fall below the baseline before a candidate is gated out.
    public var maxRegression: Double
    /// How far `overall` must rise above the baseline for the winner to be promoted.
    public var minImprovement: Double
    /// When true, the promoted winner may not lose any exec rate or average task score at all.
    public var strict: Bool

    public init(maxRegression: Double = 0.02, minImprovement: Double = 0.01, strict: Bool = true) {
        self.maxRegression = maxRegression
        self.minImprovement = minImprovement
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey {
        case maxRegression = "max_regression"
        case minImprovement = "min_improvement"
        case strict
    }
}
