/// The versioned summary of a run (scorecard v1): did it pass, how good was the work, how safe was it.
/// ``EvalCompare`` compares two runs by these numbers.
public struct Scorecard: Sendable, Codable, Equatable {
    /// The scorecard format version written by this code.
    public static let currentVersion = 1

    public var version: Int
    public var success: Success
    public var quality: Quality
    public var safety: Safety

    /// Whether the run passed, and the fraction of task runs that executed successfully.
    public struct Success: Sendable, Codable, Equatable {
        public var gateOk: Bool
        /// Fraction of task runs with exec == 1.
        public var passRate: Double

        public init(gateOk: Bool, passRate: Double) {
            self.gateOk = gateOk
            self.passRate = passRate
        }

        private enum CodingKeys: String, CodingKey {
            case gateOk = "gate_ok"
            case passRate = "pass_rate"
        }
    }

    /// Mean scores over all task runs.
    public struct Quality: Sendable, Codable, Equatable {
        public var overall: Double
        public var plan: Double
        public var tests: Double
        public var diff: Double

        public init(overall: Double, plan: Double, tests: Double, diff: Double) {
            self.overall = overall
            self.plan = plan
            self.tests = tests
            self.diff = diff
        }
    }

    /// How often task runs went wrong; higher is worse.
    public struct Safety: Sendable, Codable, Equatable {
        /// Fraction of task runs whose status is anything but `succeeded`.
        public var failedRate: Double
        /// Fraction with status `rolled_back`.
        public var rolledBackRate: Double
        /// Fraction with status `timeout`.
        public var timeoutRate: Double
        /// How many reasons the gate gave for failing.
        public var gateReasonsCount: Int

        public init(failedRate: Double, rolledBackRate: Double, timeoutRate: Double, gateReasonsCount: Int) {
            self.failedRate = failedRate
            self.rolledBackRate = rolledBackRate
            self.timeoutRate = timeoutRate
            self.gateReasonsCount = gateReasonsCount
        }

        private enum CodingKeys: String, CodingKey {
            case failedRate = "failed_rate"
            case rolledBackRate = "rolled_back_rate"
            case timeoutRate = "timeout_rate"
            case gateReasonsCount = "gate_reasons_count"
        }
    }

    public init(version: Int = Scorecard.currentVersion, success: Success, quality: Quality, safety: Safety) {
        self.version = version
        self.success = success
        self.quality = quality
        self.safety = safety
    }

    /// Computes the scorecard from the task runs and the gate. An empty run scores 0 everywhere.
    public init(results: [EvalTaskResult], gate: GateResult) {
        func rate(_ included: (EvalTaskResult) -> Bool) -> Double {
            results.isEmpty ? 0 : tidy(Double(results.filter(included).count) / Double(results.count))
        }
        func mean(_ metric: (TaskScore) -> Double) -> Double {
            Scorecard.mean(results.map { metric($0.score) })
        }
        self.init(
            success: Success(gateOk: gate.passed, passRate: rate { $0.score.exec == 1 }),
            quality: Quality(overall: mean(\.overall), plan: mean(\.plan), tests: mean(\.tests), diff: mean(\.diff)),
            safety: Safety(
                failedRate: rate { $0.status != EvalTaskResult.Status.succeeded },
                rolledBackRate: rate { $0.status == EvalTaskResult.Status.rolledBack },
                timeoutRate: rate { $0.status == EvalTaskResult.Status.timeout },
                gateReasonsCount: gate.reasons.count))
    }

    /// The mean overall score of each task across its repeats, keyed by task id.
    public static func meanOverallByTask(_ results: [EvalTaskResult]) -> [String: Double] {
        Dictionary(grouping: results, by: \.id).mapValues { runs in mean(runs.map(\.score.overall)) }
    }

    /// The mean, 0 for no values, with float noise trimmed (see ``tidy(_:)``).
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : tidy(values.reduce(0, +) / Double(values.count))
    }
}

/// Rounds to 6 decimals so means like 0.1 + 0.2 read 0.3 in reports and compare cleanly.
func tidy(_ value: Double) -> Double {
    (value * 1_000_000).rounded() / 1_000_000
}
