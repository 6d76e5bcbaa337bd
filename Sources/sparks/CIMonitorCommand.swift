import ArgumentParser
import Foundation
import SparksCore
import SparksIntake
import SparksOrchestrator

struct CIMonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci-monitor",
        abstract: "Watch a pull request's checks through `gh`; heal failures; merge only when checks ran and passed.",
        discussion: """
            Polls `gh pr view URL --json statusCheckRollup`. Failing checks end `ci_failed`, or with --heal a fix
            task gets the failing logs (`gh run view --log-failed`, last 4000 characters) on the PR's branch in a
            detached worktree, and its change is pushed to the branch — at most --max-heal times (`heal_succeeded`
            or `heal_exhausted`). A PR with no checks at all is NOT passing: after --no-checks-grace it ends
            `no_checks`. --auto-merge merges (`gh pr merge --squash --delete-branch`) only when checks ran and
            passed and [orchestrator] autonomy is 4. After a merge, the workflow runs on the merge commit are watched
            for --post-merge-watch seconds (default 600; 0 skips): if one fails, a revert pull request is opened
            (`revert/<number>`, from a temporary worktree of --repo). Exit 0 when the checks passed (and nothing
            failed after the merge), 1 otherwise.

            Example: sparks ci-monitor --pr https://github.com/acme/app/pull/7 --repo . --heal --auto-merge
            """)

    @Option(name: .long, help: "The pull request's URL.") var pr: String
    @Option(name: .long, help: ArgumentHelp("The repository checkout `gh` and git run in.", valueName: "path")) var repo = "."
    @Flag(name: .long, help: "Try to fix failing checks.") var heal = false
    @Option(name: .long, help: "Heal attempts at most.") var maxHeal = 2
    @Flag(name: .long, help: "Merge when the checks pass (needs autonomy level 4).") var autoMerge = false
    @Option(name: .long, help: ArgumentHelp("Seconds between polls (at least 5).", valueName: "secs")) var poll = 45
    @Option(name: .long, help: ArgumentHelp("Give up after this many seconds.", valueName: "secs")) var timeout = 1200
    @Option(name: .long, help: ArgumentHelp("How long to wait for checks to appear.", valueName: "secs")) var noChecksGrace = 300
    @Option(name: .long, help: "The spark that heals.") var spark = "coder"
    @Option(name: .long, help: ArgumentHelp("After a merge, how long to watch the runs on the merge commit (0: not at all).",
                                            valueName: "secs")) var postMergeWatch = 600
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard poll >= 5 else { throw ValidationError("--poll must be at least 5 seconds") }
        guard maxHeal >= 0, timeout > 0, noChecksGrace >= 0 else { throw ValidationError("--max-heal, --timeout and --no-checks-grace must be positive") }
    }

    func run() async throws {
        CLI.bootstrapLogging()
        try await CLI.run {
            let (orchestrator, config, shutdown) = try await CLI.unattendedOrchestrator(options)
            let path = (repo as NSString).expandingTildeInPath
            let repository = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            var healer = CIHealer(orchestrator: orchestrator, worktrees: config.home + "/ci-heal")
            healer.spark = spark
            let settings = CIMonitorSettings(
                pollInterval: .seconds(poll), timeout: .seconds(timeout), heal: heal, maxHeal: maxHeal, autoMerge: autoMerge,
                autonomyAllowsMerge: config.orchestration.autonomy >= 4, noChecksGrace: .seconds(noChecksGrace))
            let healerCopy = healer
            let dependencies = CIMonitorDependencies(
                runner: ProcessCommandRunner(environment: ProcessInfo.processInfo.environment),
                heal: { request in
                    guard let branch = request.headBranch else {
                        return HealResult(pushed: false, detail: "the PR's branch is unknown")
                    }
                    Terminal.error("  healing \(request.failingChecks.joined(separator: ", ")) (attempt \(request.attempt))…")
                    let (pushed, detail) = await healerCopy.heal(repository: repository, branch: branch, failingChecks: request.failingChecks,
                                                                 logs: request.logsTail, attempt: request.attempt)
                    return HealResult(pushed: pushed, detail: detail)
                })
            Terminal.error("watching \(pr) every \(poll) s (heal \(heal ? "on, at most \(maxHeal)" : "off"), auto-merge \(autoMerge ? "on" : "off"))")
            let monitor = CIMonitor(settings: settings, dependencies: dependencies)
            let report = await monitor.run(pr: pr, in: repository)
            await shutdown()
            for line in report.log { Terminal.error("  \(line)") }
            if let refused = report.mergeRefused { Terminal.error("  not merged: \(refused)") }
            var summary = "status=\(report.status.rawValue) heal_attempts=\(report.healAttempts) merged=\(report.merged)"
            var failedAfterMerge = false
            if report.merged && postMergeWatch > 0 {
                Terminal.error("watching the runs on the merge commit for up to \(postMergeWatch) s…")
                let worktree = config.home + "/ci-revert/" + UUID().uuidString.lowercased().prefix(8)
                let runner = ProcessCommandRunner(environment: ProcessInfo.processInfo.environment)
                try? FileManager.default.createDirectory(atPath: config.home + "/ci-revert", withIntermediateDirectories: true)
                let added = await runner.run("git", ["worktree", "add", "--detach", worktree], in: repository)
                let post = await monitor.watchAfterMerge(pr: pr, in: repository, worktree: added.succeeded ? worktree : repository,
                                                         timeout: .seconds(postMergeWatch))
                if added.succeeded { _ = await runner.run("git", ["worktree", "remove", "--force", worktree], in: repository) }
                for line in post.log { Terminal.error("  \(line)") }
                summary += " post_merge=\(post.status.rawValue)"
                if let revert = post.revert { summary += " revert_pr=\(revert.opened ? (revert.url ?? "opened") : "failed")" }
                failedAfterMerge = post.status == .failed
            }
            Terminal.out(summary)
            if !report.status.isPassing || failedAfterMerge { throw ExitCode(1) }
        }
    }
}
