import Foundation
import SparksAgent
import SparksConfig
import SparksCore
import SparksSandbox
import SparksStore

/// Runs a contract's verification checks on the integration branch — each with `sh -c` in the
/// sandbox, in a fresh clone of that branch, so a check sees exactly the feature's work and
/// nothing it does leaks out — and merges a promoted feature into the repository.
public struct FeatureVerifier: Sendable {
    public let orchestrator: Orchestrator
    let git = HostGit()

    public init(orchestrator: Orchestrator) {
        self.orchestrator = orchestrator
    }

    /// The results of `profile`'s checks on `branch` of the clone at `integration`.
    public func runChecks(_ contract: FeatureContract, profile: CheckProfile, integration: String, branch: String,
                          progress: @Sendable (String) -> Void = { _ in }) async throws(SparksError) -> [CheckResult] {
        let checks = contract.checks(for: profile)
        guard !checks.isEmpty else { return [] }
        let id = UUID()
        let workspace = try orchestrator.workspaces.create(taskID: id, repository: integration, baseRef: branch)
        defer { try? orchestrator.workspaces.remove(workspace.path) }
        let sandbox = orchestrator.sandbox
        try (sandbox as? BubblewrapSandbox)?.prepareWorkspace(workspace.path)
        try (sandbox as? DockerSandbox)?.prepareWorkspace(workspace.path)
        let policy = SandboxPolicy.workspace(try PathGuard(root: workspace.path).root, limits: orchestrator.config.sandbox.limits,
                                             readOnlyPaths: workspace.readOnlyPaths + orchestrator.config.sandbox.readOnlyPaths)
        var results: [CheckResult] = []
        for check in checks {
            let started = ContinuousClock.now
            let report = await orchestrator.verify(check.command, in: workspace, sandbox: sandbox, policy: policy)
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            progress("  \(check.id) \(report.passed ? "passed" : "FAILED"): \(check.command)")
            results.append(CheckResult(checkID: check.id, outcome: report.passed ? .passed : .failed, exitCode: report.exitCode,
                                       durationSecs: seconds, outputTail: String(report.detail.suffix(2000))))
        }
        return results
    }

    /// Merges the integration branch into the repository's current branch (which must be clean).
    public func promote(repository: String, integration: String, branch: String) throws(SparksError) -> String {
        let status = try git.run(["status", "--porcelain", "--untracked-files=no"], in: repository)
        guard status.isEmpty else {
            throw SparksError(.workspaceFailed, "\(repository) has uncommitted changes", hint: "commit or stash them, then promote again")
        }
        try git.run(["fetch", "--quiet", integration, "+\(branch):\(branch)"], in: repository)
        _ = try git.run(["merge", "--no-edit", branch], in: repository, allowFailure: true)
        let unmerged = try git.run(["diff", "--name-only", "--diff-filter=U"], in: repository)
        if !unmerged.isEmpty {
            try git.run(["merge", "--abort"], in: repository, allowFailure: true)
            throw SparksError(.workspaceFailed, "the feature conflicts with \(repository): " + unmerged.split(separator: "\n").joined(separator: ", "),
                              hint: "merge the branch \(branch) by hand: git merge \(branch)")
        }
        let head = try git.run(["rev-parse", "HEAD"], in: repository).trimmingCharacters(in: .whitespacesAndNewlines)
        return "merged \(branch) into \(repository) (now at \(head.prefix(12)))"
    }
}
