import Foundation

/// Watches a pull request's checks through `gh` until they settle, optionally asks a heal hook to
/// fix failures, and optionally merges the result.
///
/// Unlike the original monitor, a pull request without any checks is never treated as green: the
/// monitor waits `noChecksGrace` for checks to register and then ends with `no_checks`, which
/// never merges.
public struct CIMonitor: Sendable {
    public var settings: CIMonitorSettings
    public var dependencies: CIMonitorDependencies

    public init(settings: CIMonitorSettings = CIMonitorSettings(), dependencies: CIMonitorDependencies) {
        self.settings = settings
        self.dependencies = dependencies
    }

    /// Monitors `pr` (its URL) with `gh` run in `directory` (a checkout of the repository).
    /// Never throws: failing commands count as "still pending" and show up in the report's log.
    public func run(pr: String, in directory: String) async -> CIMonitorReport {
        var log: [String] = []
        let started = dependencies.now()
        // Only the heal hook needs the branch; without healing, one gh call fewer.
        let headBranch = settings.heal ? await resolveHeadBranch(pr: pr, in: directory, log: &log) : nil
        var healAttempts = 0
        // Reset after each heal: checks for the pushed commit take a while to register.
        var checksExpectedSince = started
        var status: CIMonitorStatus
        polling: while true {
            switch await checkState(pr: pr, in: directory, log: &log) {
            case .passing:
                status = healAttempts > 0 ? .healSucceeded : .ciPassed
                log.append("all checks passed")
                break polling
            case .failing(let names):
                log.append("failing checks: \(names.joined(separator: ", "))")
                guard settings.heal, healAttempts < settings.maxHeal else {
                    status = healAttempts > 0 ? .healExhausted : .ciFailed
                    if settings.heal { log.append("no heal attempts left (\(healAttempts) of \(settings.maxHeal) used)") }
                    break polling
                }
                healAttempts += 1
                let logsTail = await failingLogsTail(pr: pr, failing: names, in: directory, log: &log)
                let request = HealRequest(
                    pr: pr, headBranch: headBranch, failingChecks: names, logsTail: logsTail, attempt: healAttempts)
                let result = await dependencies.heal(request)
                log.append(
                    "heal attempt \(healAttempts): \(result.pushed ? "pushed a fix" : "pushed nothing") — \(result.detail)")
                checksExpectedSince = dependencies.now()
            case .noChecks:
                let waited = dependencies.now() - checksExpectedSince
                if waited >= settings.noChecksGrace {
                    status = .noChecks
                    log.append("no checks appeared within \(settings.noChecksGrace.secondsText)")
                    break polling
                }
            case .pending:
                break
            }
            let elapsed = dependencies.now() - started
            if elapsed >= settings.timeout {
                status = .timeout
                log.append("checks did not settle within \(settings.timeout.secondsText)")
                break polling
            }
            do {
                try await dependencies.sleep(min(settings.pollInterval, settings.timeout - elapsed))
            } catch {
                status = .cancelled
                log.append("monitoring was cancelled")
                break polling
            }
        }
        let merge = await mergeIfAllowed(status: status, pr: pr, in: directory, log: &log)
        return CIMonitorReport(
            status: status, healAttempts: healAttempts, merged: merge.merged, mergeRefused: merge.refused, log: log)
    }

    private func resolveHeadBranch(pr: String, in directory: String, log: inout [String]) async -> String? {
        struct Head: Decodable { var headRefName: String? }
        let result = await dependencies.runner.run(dependencies.gh, GitHubCLI.headBranch(pr), in: directory)
        guard result.succeeded, let branch = GitHubCLI.decode(Head.self, from: result.stdout)?.headRefName,
            !branch.isEmpty
        else {
            log.append("could not resolve the head branch (\(GitHubCLI.summary(result)))")
            return nil
        }
        log.append("head branch: \(branch)")
        return branch
    }

    private func checkState(pr: String, in directory: String, log: inout [String]) async -> CheckState {
        let result = await dependencies.runner.run(dependencies.gh, GitHubCLI.checkRollup(pr), in: directory)
        guard result.succeeded else {
            log.append("gh pr view failed, will retry (\(GitHubCLI.summary(result)))")
            return .pending
        }
        return CheckRollup.classify(json: result.stdout)
    }
}
