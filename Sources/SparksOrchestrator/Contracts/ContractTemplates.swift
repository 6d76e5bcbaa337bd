import Foundation

/// The task graph shapes `feature init` can start a contract from.
public enum ContractPattern: String, Sendable, Hashable, CaseIterable {
    /// Three criteria, T1 → T2 → T3.
    case linear
    /// Four criteria, T1 → {T2, T3} → T4.
    case fanoutFanin = "fanout-fanin"
}

/// Starter contracts for `feature init`: commented TOML that validates as written.
public enum ContractTemplates {
    /// The id used when none (or a blank one) is given.
    public static let defaultFeatureID = "my-feature"

    /// Renders the template of a pattern named on the command line (`linear`, `fanout-fanin`).
    public static func render(patternName: String, featureID: String? = nil) throws(ContractError) -> String {
        guard let pattern = ContractPattern(rawValue: patternName.trimmingCharacters(in: .whitespaces).lowercased())
        else {
            let names = ContractPattern.allCases.map(\.rawValue)
            let hint = DidYouMean.suggestion(for: patternName, among: names).map { "did you mean '\($0)'? " } ?? ""
            throw ContractError(.unknownPattern, "unsupported template pattern '\(patternName)'",
                                hint: "\(hint)use one of: \(names.joined(separator: " | "))")
        }
        return render(pattern, featureID: featureID)
    }

    /// The template of `pattern` as TOML text, with `featureID` (trimmed; `my-feature` when blank).
    public static func render(_ pattern: ContractPattern, featureID: String? = nil) -> String {
        let trimmed = featureID?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let id = trimmed.isEmpty ? defaultFeatureID : trimmed
        let body: String
        switch pattern {
        case .linear: body = linearBody
        case .fanoutFanin: body = fanoutFaninBody
        }
        return header(featureID: id, pattern: pattern) + body
    }

    private static func header(featureID: String, pattern: ContractPattern) -> String {
        """
        # Feature contract (\(pattern.rawValue)): what the feature must do, how to prove it, and the tasks
        # that build it. Check it with `sparks feature validate --file <this file>`, see the task
        # batches with `sparks feature plan`, run it with `sparks feature dispatch`.

        feature_id = \(tomlString(featureID))
        # delivery | self_improvement
        lane = "delivery"
        # low | medium | high. Only low-risk features are promoted without a person's approval.
        risk = "medium"
        # The repository label tasks run in (tasks may set their own).
        # repo = "my-repo"

        # Acceptance criteria: every one must be mapped by at least one enabled task, and by a
        # verification check for `sparks feature verify` to count it as satisfied.

        """
    }

    private static let linearBody = """
        [[acceptance_criteria]]
        id = "AC-1"
        description = "The core change is implemented."

        [[acceptance_criteria]]
        id = "AC-2"
        description = "Tests cover the new behaviour and pass."

        [[acceptance_criteria]]
        id = "AC-3"
        description = "The documentation describes the change."

        # Verification checks: shell commands run in the repository; exit code 0 passes.
        # profile: fast checks run in every verification, strict ones only with --profile strict.
        # required (default true): a failed required check blocks promotion.

        [[verification_checks]]
        id = "VC-build"
        profile = "fast"
        command = "make build"
        mapped_acceptance = ["AC-1"]

        [[verification_checks]]
        id = "VC-test"
        profile = "strict"
        command = "make test"
        mapped_acceptance = ["AC-1", "AC-2"]

        [[verification_checks]]
        id = "VC-docs"
        profile = "fast"
        command = "test -f README.md"
        mapped_acceptance = ["AC-3"]

        # Tasks run as soon as everything they depend on has succeeded. Optional keys: context, spark,
        # lane, risk, repo, wait_secs, cli_tool (claude_code | codex | opencode), cli_model,
        # enabled (default true), verify (a command whose exit code decides the task).

        [[tasks]]
        id = "T1"
        goal = "Implement the core change"
        mapped_acceptance = ["AC-1"]

        [[tasks]]
        id = "T2"
        depends_on = ["T1"]
        goal = "Add tests for the new behaviour"
        mapped_acceptance = ["AC-2"]
        # verify = "make test"

        [[tasks]]
        id = "T3"
        depends_on = ["T2"]
        goal = "Update the documentation and examples"
        mapped_acceptance = ["AC-3"]

        """

    private static let fanoutFaninBody = """
        [[acceptance_criteria]]
        id = "AC-1"
        description = "The shared foundation is in place."

        [[acceptance_criteria]]
        id = "AC-2"
        description = "Branch A is implemented."

        [[acceptance_criteria]]
        id = "AC-3"
        description = "Branch B is implemented."

        [[acceptance_criteria]]
        id = "AC-4"
        description = "The branches are integrated and the whole feature is verified."

        # Verification checks: shell commands run in the repository; exit code 0 passes.
        # profile: fast checks run in every verification, strict ones only with --profile strict.
        # required (default true): a failed required check blocks promotion.

        [[verification_checks]]
        id = "VC-build"
        profile = "fast"
        command = "make build"
        mapped_acceptance = ["AC-1", "AC-2", "AC-3"]

        [[verification_checks]]
        id = "VC-test"
        profile = "strict"
        command = "make test"
        mapped_acceptance = ["AC-4"]

        # Tasks run as soon as everything they depend on has succeeded: T2 and T3 run in parallel
        # after T1, and T4 waits for both. Optional keys: context, spark, lane, risk, repo, wait_secs,
        # cli_tool (claude_code | codex | opencode), cli_model, enabled (default true), verify (a
        # command whose exit code decides the task).

        [[tasks]]
        id = "T1"
        goal = "Prepare the shared scaffolding and plumbing"
        mapped_acceptance = ["AC-1"]

        [[tasks]]
        id = "T2"
        depends_on = ["T1"]
        goal = "Implement branch A"
        mapped_acceptance = ["AC-2"]

        [[tasks]]
        id = "T3"
        depends_on = ["T1"]
        goal = "Implement branch B"
        mapped_acceptance = ["AC-3"]

        [[tasks]]
        id = "T4"
        depends_on = ["T2", "T3"]
        goal = "Integrate both branches and finish the acceptance evidence"
        mapped_acceptance = ["AC-4"]
        # verify = "make test"

        """

    /// A TOML basic string: quoted, with backslashes, quotes and control characters escaped.
    public static func tomlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
