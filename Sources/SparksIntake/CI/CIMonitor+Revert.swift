import Foundation

extension CIMonitor {
    /// The commands that would revert `mergedPR` (its URL), as data for a dry run or a caller of
    /// its own. Fails when the URL has no pull request number.
    public func revertPlan(mergedPR: String) throws(IntakeError) -> RevertPlan {
        guard let number = RevertPlan.pullRequestNumber(mergedPR) else {
            throw IntakeError(
                .ciCommand, "\(mergedPR) is not a pull request URL (no /pull/<number>)",
                hint: "pass the URL of the merged pull request, e.g. https://github.com/owner/repo/pull/42")
        }
        return RevertPlan(pr: mergedPR, number: number, gh: dependencies.gh, git: dependencies.git)
    }

    /// Runs `revertPlan(mergedPR:)` in `directory`, which should be a disposable clone or worktree:
    /// it checks out a new branch there. A failed `git revert` is aborted so the checkout is
    /// left clean.
    public func openRevertPR(mergedPR: String, in directory: String) async -> RevertResult {
        let plan: RevertPlan
        do {
            plan = try revertPlan(mergedPR: mergedPR)
        } catch {
            return RevertResult(opened: false, error: error, log: [error.message])
        }
        var log: [String] = []
        let runner = dependencies.runner
        let lookup = await runner.run(plan.lookup.executable, plan.lookup.arguments, in: directory)
        guard lookup.succeeded, let found = RevertPlan.parseLookup(lookup.stdout) else {
            let error = IntakeError(
                .ciCommand, "cannot find the merge commit of \(mergedPR) (\(GitHubCLI.summary(lookup)))",
                hint: "check that the pull request is merged and that gh is logged in")
            log.append(error.message)
            return RevertResult(opened: false, branch: plan.branch, error: error, log: log)
        }
        log.append("merge commit \(found.mergeCommit) on \(found.baseBranch)")
        var output = ""
        for step in plan.resolved(mergeCommit: found.mergeCommit, baseBranch: found.baseBranch) {
            let result = await runner.run(step.executable, step.arguments, in: directory)
            guard result.succeeded else {
                if step.arguments.first == "revert" {
                    _ = await runner.run(dependencies.git, ["revert", "--abort"], in: directory)
                }
                let error = IntakeError(
                    .ciCommand,
                    "could not \(step.purpose): \(step.executable) \(step.arguments.first ?? "") failed (\(GitHubCLI.summary(result)))",
                    hint: step.arguments.first == "revert"
                        ? "the revert conflicts with later changes; revert it by hand"
                        : "check the repository's remote and gh's login, then retry")
                log.append(error.message)
                return RevertResult(
                    opened: false, branch: plan.branch, mergeCommit: found.mergeCommit, error: error, log: log)
            }
            log.append("\(step.purpose): ok")
            output = result.stdout
        }
        // `gh pr create` prints the new pull request's URL as its last line.
        let url = output.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
        return RevertResult(opened: true, url: url, branch: plan.branch, mergeCommit: found.mergeCommit, log: log)
    }
}
