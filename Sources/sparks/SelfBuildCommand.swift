import ArgumentParser
import Foundation
import SparksCore
import SparksEval
import SparksOrchestrator

struct SelfBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-build",
        abstract: "Supervised self-build: a ticket done in a detached worktree, judged, and promoted only as far as the evidence allows.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Work on a ticket in a detached worktree of a repository and judge the result.",
            discussion: """
                The ticket runs as a task (lane self_improvement) on a detached worktree; the --maintenance
                commands are its verify command, run in the sandbox. Then: guardrails (destructive commands in
                what the spark ran, sensitive files, secret-like lines in the diff), the critic score (dispatch
                0.35, a change 0.10, maintenance 0.35, guardrails 0.20), the review checklist (blast radius,
                blockers, rollback plan) and the promotion plan:
                  none  keep the change in the task's workspace (sparks review / apply)
                  pr    push selfbuild/<id> and open a pull request with `gh`
                  auto  merge with `gh` only when risk is low, --allow-auto-promote is given, the critic scores
                        ≥ 0.85, the checklist is merge-ready and the maintenance commands ran green; else a PR
                Writes self-build-<id>.json and .md to --out. Exits 1 when the critic fails or promotion fails.

                Example: sparks self-build run --repo . --ticket "fix the typo in README" --maintenance "make test" --promote-mode pr
                """)

        @Option(name: .long, help: "What to do.") var ticket: String
        @Option(name: .long, help: ArgumentHelp("The repository.", valueName: "path")) var repo = "."
        @Option(name: .long, help: "Extra context for the spark.") var context: String?
        @Option(name: .long, help: "low, medium, high or critical.") var risk = "low"
        @Option(name: .long, help: ArgumentHelp("Seconds the task may take.", valueName: "secs")) var wait = 300
        @Option(name: .long, help: "The spark.") var spark = "coder"
        @Option(name: .long, help: ArgumentHelp("A check run in the sandbox (repeatable; all must pass).", valueName: "command"))
        var maintenance: [String] = []
        @Option(name: .long, help: "none, pr or auto.") var promoteMode = "none"
        @Flag(name: .long, help: "Let auto mode merge when every condition holds.") var allowAutoPromote = false
        @Flag(name: .long, help: "Keep the worktree afterwards.") var keepWorktree = false
        @Option(name: .long, help: "The branch a pull request targets.") var baseBranch = "main"
        @Option(name: .long, help: ArgumentHelp("Where the report goes.", valueName: "dir")) var out = "eval/results"
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard PromotionMode(rawValue: promoteMode) != nil else { throw ValidationError("--promote-mode is none, pr or auto") }
            guard ["low", "medium", "high", "critical"].contains(risk) else { throw ValidationError("--risk is low, medium, high or critical") }
        }

        func run() async throws {
            CLI.bootstrapLogging()
            try await CLI.run {
                let (orchestrator, config, shutdown) = try await CLI.unattendedOrchestrator(options)
                let logger = CLI.logger(verbose: options.verbose)
                let path = (repo as NSString).expandingTildeInPath
                var request = SelfBuildRunner.Request(
                    ticket: ticket, repository: path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path,
                    worktreesDirectory: config.home + "/selfbuild")
                request.context = context
                request.risk = risk
                request.waitSecs = wait
                request.spark = spark
                request.maintenance = maintenance
                request.promoteMode = PromotionMode(rawValue: promoteMode) ?? .none
                request.allowAutoPromote = allowAutoPromote
                request.keepWorktree = keepWorktree
                request.baseBranch = baseBranch
                let result: SelfBuildRunner.Result
                do {
                    result = try await SelfBuildRunner(orchestrator: orchestrator, logger: logger).run(request) { Terminal.error($0) }
                } catch {
                    await shutdown()
                    throw error
                }
                await shutdown()
                let files = try SelfBuildReport.write(result, to: out)
                for line in result.promotion { Terminal.error("  \(line)") }
                for violation in result.guardrails { Terminal.error("  guardrail \(violation.fullCode): \(violation.detail)") }
                Terminal.error("report: \(files.joined(separator: ", "))")
                Terminal.out(String(format: "critic=%.2f passed=%@ promotion=%@ blast_radius=%@", result.critic.score,
                                    result.critic.passed ? "true" : "false", result.decision.action.rawValue,
                                    result.checklist.blastRadius.rawValue))
                if !result.ok { throw ExitCode(1) }
            }
        }
    }
}
