import Foundation

/// The hard rules a supervised self-build dispatch must keep before its change may be promoted.
///
/// The checks are deliberately simple substring and pattern tests, reproducing the original
/// supervisor: they are a tripwire for obvious mistakes, not a secret scanner.
public enum SelfBuildGuardrails {
    /// Commands whose appearance in the dispatch output means the agent may have discarded work.
    public static let destructiveCommands = [
        "git reset --hard", "git checkout --", "git clean -fd", "rm -rf /", "rm -rf *",
    ]

    /// Fragments that mark a path as a likely secrets file (compared lowercased).
    public static let sensitivePathFragments = ["secret", "credentials", "token"]

    /// Checks one dispatch. Returns every violation found, in a stable order: worktree, destructive
    /// commands, sensitive paths, then secret-like added lines.
    /// - Parameters:
    ///   - dispatchOutput: everything the agent printed, including the commands it ran.
    ///   - changedPaths: paths the change set touches, relative to the repository root.
    ///   - addedLines: the `+` lines of the diff, without the leading `+`.
    ///   - worktreeDetached: whether the self-build worktree was on a detached HEAD.
    public static func check(
        dispatchOutput: String, changedPaths: [String], addedLines: [String], worktreeDetached: Bool
    ) -> [GuardrailViolation] {
        var violations: [GuardrailViolation] = []
        if !worktreeDetached {
            violations.append(
                GuardrailViolation(
                    code: .worktreeNotDetached,
                    detail:
                        "the self-build worktree is on a branch; run it on a detached HEAD so the agent cannot move a real branch"
                ))
        }
        for command in destructiveCommands where dispatchOutput.contains(command) {
            violations.append(
                GuardrailViolation(code: .destructiveGitOrShell, detail: "the dispatch output contains `\(command)`"))
        }
        for path in changedPaths {
            if let reason = sensitiveReason(path) {
                violations.append(GuardrailViolation(code: .sensitiveFileChanged, detail: "changed \(path): \(reason)"))
            }
        }
        for (index, line) in addedLines.enumerated() {
            for finding in SecretPatterns.findings(in: line) {
                violations.append(GuardrailViolation(code: .secretLikeDiff, detail: "added line \(index + 1) \(finding)"))
            }
        }
        return violations
    }

    private static func sensitiveReason(_ path: String) -> String? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".env") { return "the path ends in .env" }
        if let fragment = sensitivePathFragments.first(where: { lowered.contains($0) }) {
            return "the path contains \"\(fragment)\""
        }
        return nil
    }
}
