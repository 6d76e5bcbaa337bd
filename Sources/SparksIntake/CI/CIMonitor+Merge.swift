import Foundation

extension CIMonitor {
    /// Merges when auto-merge is on, the checks ended green and autonomy allows it; otherwise
    /// says why not (only when auto-merge was asked for).
    func mergeIfAllowed(
        status: CIMonitorStatus, pr: String, in directory: String, log: inout [String]
    ) async -> (merged: Bool, refused: String?) {
        guard settings.autoMerge else { return (false, nil) }
        guard status.isPassing else {
            let reason =
                status == .noChecks
                ? "no CI checks ran within \(settings.noChecksGrace.secondsText): nothing verified this change, so it is not merged automatically"
                : "the checks ended \(status.rawValue); only pull requests with passing checks are merged"
            log.append("not merging: \(reason)")
            return (false, reason)
        }
        guard settings.autonomyAllowsMerge else {
            let reason = "the task's autonomy level does not allow merging; a person has to merge it"
            log.append("not merging: \(reason)")
            return (false, reason)
        }
        let merge = await dependencies.runner.run(dependencies.gh, GitHubCLI.merge(pr), in: directory)
        if merge.succeeded {
            log.append("merged (squash) and deleted the branch")
            return (true, nil)
        }
        // `gh pr merge` also fails when only the branch deletion failed (say, the branch is checked
        // out in a worktree) after GitHub merged: ask GitHub rather than trust the exit status.
        struct Merged: Decodable { var mergedAt: String? }
        let view = await dependencies.runner.run(dependencies.gh, GitHubCLI.mergedAt(pr), in: directory)
        if view.succeeded, let mergedAt = GitHubCLI.decode(Merged.self, from: view.stdout)?.mergedAt, !mergedAt.isEmpty {
            log.append("merged at \(mergedAt) (gh pr merge reported \(GitHubCLI.summary(merge)))")
            return (true, nil)
        }
        let reason = "gh pr merge failed (\(GitHubCLI.summary(merge)))"
        log.append("not merged: \(reason)")
        return (false, reason)
    }
}
