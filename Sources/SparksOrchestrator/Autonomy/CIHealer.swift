import Foundation
import SparksCore
import SparksSandbox
import SparksStore

/// Heals a pull request whose checks fail: its branch in a detached worktree, a fix task given the
/// failing checks' logs (run like any task: its own clone, the sandbox), the change pushed back to
/// the branch. Used by the CI monitor.
public struct CIHealer: Sendable {
    public let orchestrator: Orchestrator
    public let git: HostGit
    public var spark = "coder"
    public var waitSecs = 300
    /// Where the temporary worktrees go.
    public let worktrees: String

    public init(orchestrator: Orchestrator, git: HostGit = HostGit(), worktrees: String) {
        self.orchestrator = orchestrator
        self.git = git
        self.worktrees = worktrees
    }

    /// Returns whether a fix was pushed, and what happened.
    public func heal(repository: String, branch: String, failingChecks: [String], logs: String, attempt: Int) async
        -> (pushed: Bool, detail: String)
    {
        let worktree = worktrees + "/heal-\(UUID().uuidString.prefix(8).lowercased())"
        do {
            try FileManager.default.createDirectory(atPath: worktrees, withIntermediateDirectories: true)
        } catch {
            return (false, "cannot create \(worktrees): \(error.localizedDescription)")
        }
        defer { _ = try? git.run(["worktree", "remove", "--force", worktree], in: repository, allowFailure: true) }
        do {
            try git.run(["fetch", "--quiet", "origin", branch], in: repository)
            try git.run(["worktree", "add", "--quiet", "--detach", worktree, "FETCH_HEAD"], in: repository)
            let checks = failingChecks.isEmpty ? "the failing checks" : failingChecks.joined(separator: ", ")
            let outcome = try await orchestrator.dispatch(Orchestrator.DispatchRequest(
                goal: "Fix the CI failure of \(checks) on branch \(branch) (heal attempt \(attempt))", spark: spark, repository: worktree,
                context: "The end of the failing checks' logs:\n" + String(logs.suffix(4000)), waitSecs: waitSecs, lane: "delivery",
                risk: "medium", source: "ci_monitor"))
            guard outcome.status == .succeeded else {
                return (false, "the fix task \(outcome.taskID.uuidString.prefix(8).lowercased()) did not succeed (\(outcome.reason?.rawValue ?? outcome.status.rawValue))")
            }
            guard let task = try orchestrator.store.task(idPrefix: outcome.taskID.uuidString), let path = task.workspace,
                  let taskBranch = task.branch, let base = task.baseCommit, let source = task.sourceRepository
            else { return (false, "the fix task's workspace is gone") }
            let workspace = Workspace(path: path, branch: taskBranch, baseCommit: base, source: source)
            guard try !orchestrator.workspaces.diff(workspace, stat: true).isEmpty else {
                return (false, "the fix task changed nothing")
            }
            _ = try orchestrator.workspaces.apply(workspace)
            let head = try git.run(["rev-parse", "--short", "HEAD"], in: worktree).trimmingCharacters(in: .whitespacesAndNewlines)
            try git.run(["push", "--quiet", "origin", "HEAD:refs/heads/\(branch)"], in: worktree)
            return (true, "pushed \(head) (task \(outcome.taskID.uuidString.prefix(8).lowercased())) to \(branch)")
        } catch {
            return (false, "healing failed: \(error.message)")
        }
    }
}
