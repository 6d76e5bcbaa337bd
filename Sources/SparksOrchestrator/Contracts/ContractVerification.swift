import Foundation

/// How one verification check came out.
public enum CheckOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case passed, failed
    /// Not run: outside the profile, not reached, or no result was given.
    case skipped
}

/// The result of running one verification check, as the runner reports it.
public struct CheckResult: Sendable, Hashable, Codable {
    public var checkID: String
    public var outcome: CheckOutcome
    public var exitCode: Int?
    public var durationSecs: Double
    /// The last part of the command's output, for the ledger.
    public var outputTail: String

    public init(checkID: String, outcome: CheckOutcome, exitCode: Int? = nil, durationSecs: Double = 0,
                outputTail: String = "") {
        self.checkID = checkID
        self.outcome = outcome
        self.exitCode = exitCode
        self.durationSecs = durationSecs
        self.outputTail = outputTail
    }

    enum CodingKeys: String, CodingKey {
        case checkID = "check_id", outcome, exitCode = "exit_code", durationSecs = "duration_secs"
        case outputTail = "output_tail"
    }
}

/// A check of the run's profile with its result.
public struct CheckVerdict: Sendable, Hashable, Codable {
    public var checkID: String
    public var command: String
    public var profile: String
    public var required: Bool
    public var mappedAcceptance: [String]
    public var result: CheckResult

    public init(checkID: String, command: String, profile: String, required: Bool, mappedAcceptance: [String],
                result: CheckResult) {
        self.checkID = checkID
        self.command = command
        self.profile = profile
        self.required = required
        self.mappedAcceptance = mappedAcceptance
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case checkID = "check_id", command, profile, required, mappedAcceptance = "mapped_acceptance", result
    }
}

/// Whether one acceptance criterion was proven: satisfied iff at least one mapped check passed.
public struct CriterionVerdict: Sendable, Hashable, Codable {
    public var criterionID: String
    public var description: String
    /// The checks of this run that map the criterion.
    public var checks: [String]
    public var passedChecks: [String]
    public var satisfied: Bool

    public init(criterionID: String, description: String, checks: [String], passedChecks: [String]) {
        self.criterionID = criterionID
        self.description = description
        self.checks = checks
        self.passedChecks = passedChecks
        self.satisfied = !passedChecks.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case criterionID = "criterion_id", description, checks, passedChecks = "passed_checks", satisfied
    }
}

/// A verification run rolled up against the contract's acceptance criteria.
public struct VerifyReport: Sendable, Hashable, Codable {
    public var featureID: String
    public var profile: CheckProfile
    public var checks: [CheckVerdict]
    public var criteria: [CriterionVerdict]
    /// True iff no required check failed and every criterion is satisfied.
    public var promotable: Bool
    /// Why not promotable, as stable codes: `check_failed:C1`, `criterion_unsatisfied:AC3`.
    public var blockers: [String]

    public init(featureID: String, profile: CheckProfile, checks: [CheckVerdict], criteria: [CriterionVerdict]) {
        self.featureID = featureID
        self.profile = profile
        self.checks = checks
        self.criteria = criteria
        let failed = checks.filter { $0.required && $0.result.outcome == .failed }.map { "check_failed:\($0.checkID)" }
        let unsatisfied = criteria.filter { !$0.satisfied }.map { "criterion_unsatisfied:\($0.criterionID)" }
        self.blockers = failed + unsatisfied
        self.promotable = blockers.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case featureID = "feature_id", profile, checks, criteria, promotable, blockers
    }

    public func count(_ outcome: CheckOutcome) -> Int { checks.filter { $0.result.outcome == outcome }.count }
}

/// Rolls check results up into acceptance verdicts.
public enum VerifyRollUp {
    /// Judges `results` against the checks `profile` runs (`fast`: fast checks only; `strict`: all).
    /// A check of the profile with no result counts as skipped; results for other checks are ignored.
    public static func rollUp(_ contract: FeatureContract, profile: CheckProfile, results: [CheckResult]) -> VerifyReport {
        var resultByID: [String: CheckResult] = [:]
        for result in results where resultByID[result.checkID] == nil { resultByID[result.checkID] = result }
        let verdicts = contract.checks(for: profile).map { check in
            CheckVerdict(checkID: check.id, command: check.command, profile: check.profile, required: check.required,
                         mappedAcceptance: check.mappedAcceptance,
                         result: resultByID[check.id]
                            ?? CheckResult(checkID: check.id, outcome: .skipped, outputTail: "no result (not run)"))
        }
        var seen: Set<String> = []
        let criteria = contract.acceptanceCriteria.filter { seen.insert($0.id).inserted }.map { criterion in
            let mapping = verdicts.filter { $0.mappedAcceptance.contains(criterion.id) }
            return CriterionVerdict(criterionID: criterion.id, description: criterion.description,
                                    checks: mapping.map(\.checkID),
                                    passedChecks: mapping.filter { $0.result.outcome == .passed }.map(\.checkID))
        }
        return VerifyReport(featureID: contract.featureID, profile: profile, checks: verdicts, criteria: criteria)
    }
}

/// What promotion may do with a feature.
public enum PromotionVerdict: String, Sendable, Hashable, Codable {
    /// Everything ran, every check and criterion holds, and the risk is low.
    case autoPromote = "auto_promote"
    /// Everything holds, but the risk is medium or high: a person must approve.
    case approvalRequired = "approval_required"
    /// Something failed or is missing; approval cannot fix it.
    case blocked
}

/// The promotion decision for a feature, with every reason as a stable code.
public struct PromotionDecision: Sendable, Hashable, Codable {
    public var featureID: String
    public var risk: FeatureRisk
    public var dispatchPromotable: Bool
    public var verifyPromotable: Bool
    public var verdict: PromotionVerdict
    /// `risk_requires_approval`, `task_failed:T2`, `check_failed:C1`, `criterion_unsatisfied:AC3`, …
    public var reasons: [String]

    public init(featureID: String, risk: FeatureRisk, dispatchBlockers: [String], verifyBlockers: [String]) {
        self.featureID = featureID
        self.risk = risk
        self.dispatchPromotable = dispatchBlockers.isEmpty
        self.verifyPromotable = verifyBlockers.isEmpty
        let riskReasons = risk == .low ? [] : [PromotionPolicy.riskRequiresApproval]
        self.reasons = riskReasons + dispatchBlockers + verifyBlockers
        if !dispatchBlockers.isEmpty || !verifyBlockers.isEmpty {
            verdict = .blocked
        } else {
            verdict = riskReasons.isEmpty ? .autoPromote : .approvalRequired
        }
    }

    enum CodingKeys: String, CodingKey {
        case featureID = "feature_id", risk, dispatchPromotable = "dispatch_promotable"
        case verifyPromotable = "verify_promotable", verdict, reasons
    }

    public var autoPromotable: Bool { verdict == .autoPromote }
}

/// Decides whether a feature may be promoted without a person.
public enum PromotionPolicy {
    public static let riskRequiresApproval = "risk_requires_approval"

    /// Auto-promotable iff the dispatch is promotable (every enabled task succeeded, every criterion
    /// covered by tasks that succeeded), the verification is promotable, and the risk (the highest of
    /// the contract's and its enabled tasks') is low. Medium and high risk always need approval.
    public static func decide(_ contract: FeatureContract, dispatch: FeatureDispatchLedger,
                              verify: VerifyReport) -> PromotionDecision {
        PromotionDecision(featureID: contract.featureID, risk: contract.promotionRisk,
                          dispatchBlockers: dispatch.blockers(for: contract), verifyBlockers: verify.blockers)
    }
}
