import Foundation

/// What the checks on a pull request's head commit say right now.
public enum CheckState: Sendable, Hashable {
    /// Every check finished and none failed.
    case passing
    /// At least one check failed; the names of the failing checks, in rollup order.
    case failing([String])
    /// Checks are still running, or the answer could not be read.
    case pending
    /// The rollup is empty: no CI is configured, or it has not registered yet. Never a pass.
    case noChecks
}

/// Reads `gh pr view <url> --json statusCheckRollup`, which mixes GitHub Actions check runs
/// (`status` + `conclusion`) and commit statuses (`state`).
public enum CheckRollup {
    /// Conclusions and states that mean the check failed.
    static let failing: Set<String> = [
        "FAILURE", "CANCELLED", "TIMED_OUT", "ACTION_REQUIRED", "STALE", "ERROR",
        // A workflow that could not even start is a failure too, not something to wait out.
        "STARTUP_FAILURE",
    ]
    /// Conclusions and states of a check that finished without objection.
    static let succeeded: Set<String> = ["SUCCESS", "NEUTRAL", "SKIPPED"]

    /// Classifies the rollup. Failure wins over pending (there is no point waiting for the rest);
    /// an empty rollup is `noChecks`, never `passing`; unreadable output is `pending` so a
    /// transient `gh` hiccup only costs one poll.
    public static func classify(json: String) -> CheckState {
        guard let data = json.data(using: .utf8),
            let rollup = try? JSONDecoder().decode(Rollup.self, from: data)
        else { return .pending }
        let entries = rollup.statusCheckRollup ?? []
        if entries.isEmpty { return .noChecks }
        var failingNames: [String] = []
        var anyPending = false
        for entry in entries {
            switch entry.verdict {
            case .failed:
                if !failingNames.contains(entry.displayName) { failingNames.append(entry.displayName) }
            case .pending: anyPending = true
            case .succeeded: break
            }
        }
        if !failingNames.isEmpty { return .failing(failingNames) }
        return anyPending ? .pending : .passing
    }

    private struct Rollup: Decodable {
        var statusCheckRollup: [Entry]?
    }

    private struct Entry: Decodable {
        enum Verdict { case succeeded, failed, pending }

        var typeName: String?
        var name: String?
        var context: String?
        var status: String?
        var conclusion: String?
        var state: String?

        enum CodingKeys: String, CodingKey {
            case typeName = "__typename"
            case name, context, status, conclusion, state
        }

        var displayName: String { name ?? context ?? "unnamed check" }

        var verdict: Verdict {
            // A commit status (StatusContext) has only `state`; PENDING and EXPECTED mean waiting.
            if typeName == "StatusContext" || (status == nil && conclusion == nil) {
                return Self.verdict(for: state)
            }
            if let status = status?.uppercased(), status != "COMPLETED" { return .pending }
            return Self.verdict(for: conclusion)
        }

        /// Anything unknown (a new GitHub value, a missing field) is waited on rather than trusted.
        private static func verdict(for value: String?) -> Verdict {
            guard let value = value?.uppercased() else { return .pending }
            if CheckRollup.failing.contains(value) { return .failed }
            if CheckRollup.succeeded.contains(value) { return .succeeded }
            return .pending
        }
    }
}
