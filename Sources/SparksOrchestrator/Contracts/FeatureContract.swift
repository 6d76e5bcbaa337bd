import Foundation

/// A feature contract: the acceptance criteria a feature must meet, the checks that prove them and
/// the tasks (a dependency graph) that build it. Loaded by `ContractLoader`, checked by
/// `ContractValidator`, ordered by `ContractPlanner`.
///
/// Enumerated fields (`lane`, `risk`, `profile`, `cli_tool`) keep the text as written so that the
/// validator can report every bad value at once; the `…Value` properties give the typed form.
public struct FeatureContract: Sendable, Hashable, Encodable {
    public var featureID: String
    /// `delivery` or `self_improvement`; tasks inherit it unless they set their own.
    public var lane: String?
    /// `low`, `medium` or `high`; tasks inherit it unless they set their own.
    public var risk: String?
    /// The repository label tasks run in unless they name their own.
    public var repo: String?
    public var acceptanceCriteria: [AcceptanceCriterion]
    public var verificationChecks: [VerificationCheck]
    public var tasks: [FeatureTask]

    public init(featureID: String, lane: String? = nil, risk: String? = nil, repo: String? = nil,
                acceptanceCriteria: [AcceptanceCriterion] = [], verificationChecks: [VerificationCheck] = [],
                tasks: [FeatureTask] = []) {
        self.featureID = featureID
        self.lane = lane
        self.risk = risk
        self.repo = repo
        self.acceptanceCriteria = acceptanceCriteria
        self.verificationChecks = verificationChecks
        self.tasks = tasks
    }

    enum CodingKeys: String, CodingKey {
        case featureID = "feature_id", lane, risk, repo
        case acceptanceCriteria = "acceptance_criteria", verificationChecks = "verification_checks", tasks
    }

    public var laneValue: FeatureLane? { lane.flatMap(FeatureLane.init(rawValue:)) }
    public var riskValue: FeatureRisk? { risk.flatMap(FeatureRisk.init(rawValue:)) }

    /// The tasks that run, in contract order.
    public var enabledTasks: [FeatureTask] { tasks.filter(\.enabled) }

    /// The first task with this id.
    public func task(id: String) -> FeatureTask? { tasks.first { $0.id == id } }

    /// The first check with this id.
    public func check(id: String) -> VerificationCheck? { verificationChecks.first { $0.id == id } }

    /// The lane a task runs in: its own, else the contract's, else `delivery`.
    public func effectiveLane(of task: FeatureTask) -> String { task.lane ?? lane ?? FeatureLane.delivery.rawValue }

    /// The risk a task runs at: its own, else the contract's, else `medium` (the cautious default,
    /// as for tasks started without a contract).
    public func effectiveRisk(of task: FeatureTask) -> String { task.risk ?? risk ?? FeatureRisk.medium.rawValue }

    /// The risk promotion is judged at: the highest of the contract's and its enabled tasks' risks.
    /// A contract that states no risk at all counts as `medium`, so it is never promoted unseen.
    public var promotionRisk: FeatureRisk {
        let stated = ([risk] + enabledTasks.map(\.risk)).compactMap { $0.flatMap(FeatureRisk.init(rawValue:)) }
        return stated.max() ?? .medium
    }

    /// The checks a verification profile runs: `fast` runs only fast checks, `strict` runs all.
    public func checks(for profile: CheckProfile) -> [VerificationCheck] {
        verificationChecks.filter { check in check.profileValue.map(profile.includes) ?? false }
    }
}

/// One thing the feature must do, stated so that a check can prove it.
public struct AcceptanceCriterion: Sendable, Hashable, Encodable {
    public var id: String
    public var description: String

    public init(id: String, description: String = "") {
        self.id = id
        self.description = description
    }
}

/// A shell command whose exit code proves the acceptance criteria it maps.
public struct VerificationCheck: Sendable, Hashable, Encodable {
    public var id: String
    public var command: String
    /// `fast` or `strict` (the default).
    public var profile: String
    public var mappedAcceptance: [String]
    /// A failed required check blocks promotion; a failed optional one is only reported.
    public var required: Bool

    public init(id: String, command: String, profile: String = CheckProfile.strict.rawValue,
                mappedAcceptance: [String] = [], required: Bool = true) {
        self.id = id
        self.command = command
        self.profile = profile
        self.mappedAcceptance = mappedAcceptance
        self.required = required
    }

    enum CodingKeys: String, CodingKey {
        case id, command, profile, mappedAcceptance = "mapped_acceptance", required
    }

    public var profileValue: CheckProfile? { CheckProfile(rawValue: profile) }
}

/// One node of the contract's task graph: a goal handed to a spark once its dependencies succeed.
public struct FeatureTask: Sendable, Hashable, Encodable {
    public var id: String
    public var goal: String
    public var context: String?
    /// The spark to run it (`ghost` in contracts written for the original).
    public var spark: String?
    public var lane: String?
    public var risk: String?
    public var repo: String?
    public var autoStore: String?
    public var waitSecs: Int?
    /// `claude_code`, `codex` or `opencode`.
    public var cliTool: String?
    public var cliModel: String?
    public var mappedAcceptance: [String]
    public var dependsOn: [String]
    /// Disabled tasks stay in the file but are neither planned nor run.
    public var enabled: Bool
    /// A command whose exit code decides whether this task succeeded.
    public var verify: String?

    public init(id: String, goal: String, context: String? = nil, spark: String? = nil, lane: String? = nil,
                risk: String? = nil, repo: String? = nil, autoStore: String? = nil, waitSecs: Int? = nil,
                cliTool: String? = nil, cliModel: String? = nil, mappedAcceptance: [String] = [],
                dependsOn: [String] = [], enabled: Bool = true, verify: String? = nil) {
        self.id = id
        self.goal = goal
        self.context = context
        self.spark = spark
        self.lane = lane
        self.risk = risk
        self.repo = repo
        self.autoStore = autoStore
        self.waitSecs = waitSecs
        self.cliTool = cliTool
        self.cliModel = cliModel
        self.mappedAcceptance = mappedAcceptance
        self.dependsOn = dependsOn
        self.enabled = enabled
        self.verify = verify
    }

    enum CodingKeys: String, CodingKey {
        case id, goal, context, spark, lane, risk, repo, autoStore = "auto_store", waitSecs = "wait_secs"
        case cliTool = "cli_tool", cliModel = "cli_model", mappedAcceptance = "mapped_acceptance"
        case dependsOn = "depends_on", enabled, verify
    }

    public var cliToolValue: CLITool? { cliTool.flatMap(CLITool.init(rawValue:)) }
}

/// The work stream a feature belongs to.
public enum FeatureLane: String, Sendable, Hashable, Codable, CaseIterable {
    case delivery
    case selfImprovement = "self_improvement"
}

/// How much harm a wrong change could do; anything above `low` needs a person to promote it.
public enum FeatureRisk: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (lhs: FeatureRisk, rhs: FeatureRisk) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }
}

/// Which checks a verification run includes.
public enum CheckProfile: String, Sendable, Hashable, Codable, CaseIterable {
    case fast, strict

    /// Whether a run at this profile includes a check of profile `check`.
    public func includes(_ check: CheckProfile) -> Bool { self == .strict || check == .fast }
}

/// The coding CLIs a task may be handed to.
public enum CLITool: String, Sendable, Hashable, Codable, CaseIterable {
    case claudeCode = "claude_code"
    case codex
    case opencode
}
