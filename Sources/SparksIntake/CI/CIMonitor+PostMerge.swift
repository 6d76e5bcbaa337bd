import Foundation

/// What happened on the base branch after a merge.
public struct PostMergeReport: Sendable {
    public enum Status: String, Sendable, Hashable {
        /// Every workflow run on the merge commit succeeded.
        case passed
        /// A run failed; `revert` says whether a revert pull request was opened.
        case failed
        /// No run on the merge commit finished (or none started) within the time allowed.
        case timeout
        /// The merge commit could not be found.
        case unknown
    }

    public var status: Status
    public var mergeCommit: String?
    public var failing: [String] = []
    public var revert: RevertResult?
    public var log: [String] = []
}

extension CIMonitor {
    /// After `pr` was merged: waits for the workflow runs on its merge commit (`gh run list
    /// --commit`) and, when one fails, opens a revert pull request from `worktree` (a disposable
    /// checkout with the same `origin`). Runs that never appear end as `timeout`, not `passed`.
    public func watchAfterMerge(pr: String, in directory: String, worktree: String, timeout: Duration) async -> PostMergeReport {
        var report = PostMergeReport(status: .unknown)
        let runner = dependencies.runner
        let lookup = await runner.run(dependencies.gh, GitHubCLI.mergeCommit(pr), in: directory)
        guard lookup.succeeded, let found = RevertPlan.parseLookup(lookup.stdout) else {
            report.log.append("cannot find the merge commit of \(pr) (\(GitHubCLI.summary(lookup)))")
            return report
        }
        report.mergeCommit = found.mergeCommit
        report.log.append("watching the runs on \(found.mergeCommit.prefix(12)) (\(found.baseBranch))")
        let started = dependencies.now()
        while true {
            let listed = await runner.run(
                dependencies.gh, ["run", "list", "--commit", found.mergeCommit, "--json", "name,status,conclusion"], in: directory)
            if listed.succeeded, let runs = GitHubCLI.decode([WorkflowRun].self, from: listed.stdout), !runs.isEmpty {
                let failing = runs.filter { $0.status == "completed" && !["success", "skipped", "neutral"].contains($0.conclusion ?? "") }
                if !failing.isEmpty {
                    report.status = .failed
                    report.failing = failing.map(\.name)
                    report.log.append("failing after the merge: \(report.failing.joined(separator: ", "))")
                    let revert = await openRevertPR(mergedPR: pr, in: worktree)
                    report.revert = revert
                    report.log += revert.log
                    return report
                }
                if runs.allSatisfy({ $0.status == "completed" }) {
                    report.status = .passed
                    report.log.append("every run on the merge commit passed")
                    return report
                }
            }
            if dependencies.now() - started >= timeout {
                report.status = .timeout
                report.log.append("the runs on the merge commit did not finish within \(timeout.secondsText)")
                return report
            }
            try? await dependencies.sleep(settings.pollInterval)
        }
    }

    struct WorkflowRun: Decodable {
        var name: String
        var status: String
        var conclusion: String?
    }
}
