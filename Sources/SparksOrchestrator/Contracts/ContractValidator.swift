import Foundation

/// The outcome of checking a contract: every problem found, sorted and without duplicates.
public struct ContractValidation: Sendable, Hashable {
    public var featureID: String
    public var diagnostics: [ContractDiagnostic]

    public init(featureID: String, diagnostics: [ContractDiagnostic]) {
        self.featureID = featureID
        self.diagnostics = Array(Set(diagnostics)).sorted()
    }

    public var errors: [ContractDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [ContractDiagnostic] { diagnostics.filter { $0.severity == .warning } }
    /// True when there is no error (warnings do not count).
    public var isValid: Bool { errors.isEmpty }

    /// `Invalid feature contract (id):` followed by one `- …` line per error, as `feature validate`
    /// prints it; `file` prefixes each line that has a line number.
    public func report(file: String? = nil) -> String {
        let name = featureID.trimmingCharacters(in: .whitespaces).isEmpty ? "<empty>" : featureID
        let header = isValid ? "Valid feature contract (\(name))" : "Invalid feature contract (\(name)):"
        let lines = diagnostics.map { diagnostic in
            let tag = diagnostic.severity == .warning ? "warning: " : ""
            return "- \(tag)\(diagnostic.rendered(file: file))"
        }
        return ([header] + lines).joined(separator: "\n")
    }

    /// Throws `contract_invalid`, carrying every diagnostic, unless the contract is valid.
    public func requireValid(file: String? = nil) throws(ContractError) {
        guard !isValid else { return }
        throw ContractError(.invalid, report(file: file), hint: "fix the errors listed, then run `sparks feature validate`",
                            diagnostics: diagnostics)
    }
}

/// Checks a feature contract and reports every problem at once: a cycle, a missing dependency and an
/// uncovered criterion are all reported in the same run (cycles are sought among the dependencies
/// that do resolve; coverage is computed from the mappings whatever else is wrong).
public enum ContractValidator {
    /// Checks a loaded contract: its reading diagnostics plus the contract's own, with source lines.
    public static func validate(_ loaded: LoadedContract) -> ContractValidation {
        // A field of the wrong type was left at its default; its type error says enough.
        let mistyped = Set(loaded.diagnostics.filter { $0.code == .typeMismatch }.map(\.path))
        let semantic = check(loaded.contract).filter { !mistyped.contains($0.path) }
        let located = (loaded.diagnostics + semantic).map { diagnostic in
            var diagnostic = diagnostic
            if diagnostic.line == nil { diagnostic.line = loaded.line(of: diagnostic.path) }
            return diagnostic
        }
        return ContractValidation(featureID: loaded.contract.featureID, diagnostics: located)
    }

    /// Checks a contract built in code (no source lines).
    public static func validate(_ contract: FeatureContract) -> ContractValidation {
        ContractValidation(featureID: contract.featureID, diagnostics: check(contract))
    }

    static let lanes = FeatureLane.allCases.map(\.rawValue)
    static let risks = FeatureRisk.allCases.map(\.rawValue)

    static func check(_ contract: FeatureContract) -> [ContractDiagnostic] {
        var out: [ContractDiagnostic] = []
        if contract.featureID.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(.init(.missingField, path: "feature_id", "is required and must not be empty"))
        }
        checkLaneAndRisk(lane: contract.lane, risk: contract.risk, path: "", into: &out)
        if contract.acceptanceCriteria.isEmpty {
            out.append(.init(.noAcceptanceCriteria, path: "acceptance_criteria", "must list at least one acceptance criterion"))
        }
        if contract.tasks.isEmpty {
            out.append(.init(.noTasks, path: "tasks", "must list at least one task"))
        }
        let criterionIDs = checkIDs(contract.acceptanceCriteria.map(\.id), list: "acceptance_criteria", into: &out)
        _ = checkIDs(contract.verificationChecks.map(\.id), list: "verification_checks", into: &out)
        checkVerificationChecks(contract, criteria: criterionIDs, into: &out)
        let taskIDs = checkIDs(contract.tasks.map(\.id), list: "tasks", into: &out)
        checkTasks(contract, criteria: criterionIDs, taskIDs: taskIDs, into: &out)
        checkCycles(contract, into: &out)
        checkCoverage(contract, into: &out)
        return out
    }

    /// Empty and duplicate ids; returns the set of ids that are present.
    private static func checkIDs(_ ids: [String], list: String, into out: inout [ContractDiagnostic]) -> Set<String> {
        var firstIndex: [String: Int] = [:]
        for (index, id) in ids.enumerated() {
            let path = "\(list)[\(index)].id"
            if id.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(.init(.emptyID, path: path, "must not be empty"))
            } else if let first = firstIndex[id] {
                out.append(.init(.duplicateID, path: path, "'\(id)' is duplicated (first defined at \(list)[\(first)])"))
            } else {
                firstIndex[id] = index
            }
        }
        return Set(firstIndex.keys)
    }

    private static func checkLaneAndRisk(lane: String?, risk: String?, path: String,
                                         into out: inout [ContractDiagnostic]) {
        if let lane, FeatureLane(rawValue: lane) == nil {
            out.append(.init(.invalidLane, path: FieldPath.key(path, "lane"),
                             "invalid lane '\(lane)' (expected \(lanes.joined(separator: " | ")))\(suggest(lane, lanes))"))
        }
        if let risk, FeatureRisk(rawValue: risk) == nil {
            out.append(.init(.invalidRisk, path: FieldPath.key(path, "risk"),
                             "invalid risk '\(risk)' (expected \(risks.joined(separator: " | ")))\(suggest(risk, risks))"))
        }
    }

    private static func checkVerificationChecks(_ contract: FeatureContract, criteria: Set<String>,
                                                into out: inout [ContractDiagnostic]) {
        let profiles = CheckProfile.allCases.map(\.rawValue)
        for (index, check) in contract.verificationChecks.enumerated() {
            let path = "verification_checks[\(index)]"
            if check.command.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(.init(.emptyCommand, path: "\(path).command", "check '\(check.id)' has an empty command"))
            }
            if check.profileValue == nil {
                out.append(.init(.invalidProfile, path: "\(path).profile",
                                 "check '\(check.id)' has invalid profile '\(check.profile)' (expected one of: "
                                    + "\(profiles.joined(separator: ", ")))\(suggest(check.profile, profiles))"))
            }
            if check.mappedAcceptance.isEmpty {
                out.append(.init(.unmappedCheck, path: "\(path).mapped_acceptance",
                                 "check '\(check.id)' must map at least one acceptance criterion"))
            }
            for (mappedIndex, mapped) in check.mappedAcceptance.enumerated() where !criteria.contains(mapped) {
                out.append(.init(.unknownAcceptance, path: "\(path).mapped_acceptance[\(mappedIndex)]",
                                 "references unknown acceptance criterion '\(mapped)'\(suggest(mapped, criteria))"))
            }
        }
    }

    private static func checkTasks(_ contract: FeatureContract, criteria: Set<String>, taskIDs: Set<String>,
                                   into out: inout [ContractDiagnostic]) {
        let tools = CLITool.allCases.map(\.rawValue)
        let enabledByID = firstTasksByID(contract).mapValues(\.enabled)
        for (index, task) in contract.tasks.enumerated() {
            let path = "tasks[\(index)]"
            if task.enabled, task.goal.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                out.append(.init(.emptyGoal, path: "\(path).goal", "task '\(task.id)' has an empty goal"))
            }
            if task.enabled, task.mappedAcceptance.isEmpty {
                out.append(.init(.unmappedTask, path: "\(path).mapped_acceptance",
                                 "task '\(task.id)' must map at least one acceptance criterion"))
            }
            checkLaneAndRisk(lane: task.lane, risk: task.risk, path: path, into: &out)
            if let tool = task.cliTool, task.cliToolValue == nil {
                out.append(.init(.unsupportedCLITool, path: "\(path).cli_tool",
                                 "unsupported cli_tool '\(tool)' (expected one of: \(tools.joined(separator: ", ")))"
                                    + suggest(tool, tools)))
            }
            if let wait = task.waitSecs, wait < 0 {
                out.append(.init(.invalidValue, path: "\(path).wait_secs", "must not be negative (got \(wait))"))
            }
            if task.enabled {
                for (mappedIndex, mapped) in task.mappedAcceptance.enumerated() where !criteria.contains(mapped) {
                    out.append(.init(.unknownAcceptance, path: "\(path).mapped_acceptance[\(mappedIndex)]",
                                     "references unknown acceptance criterion '\(mapped)'\(suggest(mapped, criteria))"))
                }
            }
            for (depIndex, dep) in task.dependsOn.enumerated() {
                let depPath = "\(path).depends_on[\(depIndex)]"
                if dep == task.id {
                    out.append(.init(.selfDependency, path: depPath, "task '\(task.id)' depends on itself"))
                } else if task.enabled, let enabled = enabledByID[dep], !enabled {
                    out.append(.init(.disabledDependency, path: depPath, "references disabled task '\(dep)'"))
                } else if task.enabled, enabledByID[dep] == nil {
                    out.append(.init(.unknownDependency, path: depPath,
                                     "references unknown task '\(dep)'\(suggest(dep, taskIDs))"))
                }
            }
        }
    }

    private static func checkCycles(_ contract: FeatureContract, into out: inout [ContractDiagnostic]) {
        guard case .failure(let cycle) = ContractPlanner.batches(for: contract) else { return }
        let start = cycle.trace.first ?? cycle.remaining.first ?? ""
        let index = contract.tasks.firstIndex { $0.enabled && $0.id == start }
        let path = index.map { "tasks[\($0)].depends_on" } ?? "tasks"
        out.append(.init(.dependencyCycle, path: path, cycle.message))
    }

    private static func checkCoverage(_ contract: FeatureContract, into out: inout [ContractDiagnostic]) {
        let byTasks = ContractPlanner.taskCoverage(of: contract)
        let byChecks = ContractPlanner.checkCoverage(of: contract)
        var seen: Set<String> = []
        for (index, criterion) in contract.acceptanceCriteria.enumerated() where !criterion.id.isEmpty {
            guard seen.insert(criterion.id).inserted else { continue }
            if byTasks[criterion.id, default: []].isEmpty {
                out.append(.init(.uncoveredCriterion, path: "acceptance_criteria[\(index)]",
                                 "acceptance criterion '\(criterion.id)' is not covered by any enabled task"))
            }
            if byChecks[criterion.id, default: []].isEmpty {
                out.append(.init(.unverifiedCriterion, .warning, path: "acceptance_criteria[\(index)]",
                                 "acceptance criterion '\(criterion.id)' is not mapped by any verification check, "
                                    + "so verification can never satisfy it"))
            }
        }
    }

    /// The first task with each id (later duplicates are reported, not used).
    static func firstTasksByID(_ contract: FeatureContract) -> [String: FeatureTask] {
        var byID: [String: FeatureTask] = [:]
        for task in contract.tasks where byID[task.id] == nil { byID[task.id] = task }
        return byID
    }

    private static func suggest(_ unknown: String, _ candidates: some Sequence<String>) -> String {
        DidYouMean.suggestion(for: unknown, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
