import ArgumentParser
import Foundation
import SparksCore
import SparksEval
import SparksOrchestrator

struct OptimizerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimizer",
        abstract: "Find a better dispatch context for sparks: prompt variants through the eval harness.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a tournament: the baseline and its variants on a suite, gated against the baseline.",
            discussion: """
                Candidates: the baseline context (the active profile, eval/results/optimizer-profile.json, or
                none), then variants (plan_verify, minimal_diff, blocker_evidence × strictness × composition).
                A candidate is gated out when its run failed, its gate failed, or its overall, exec rate or
                average task score fall more than max_regression (0.02) below the baseline's. The winner is
                promoted only when it beats the baseline by min_improvement (0.01) without losing exec rate or
                task scores; guardrails relax or tighten with the history of earlier tournaments. With
                --promote-profile the winner becomes the active profile for the next tournament.

                Example: sparks optimizer run --suite eval/suites/smoke.json --max-candidates 4 --promote-profile
                """)

        @Option(name: .long, help: ArgumentHelp("The suite file.", valueName: "file")) var suite: String
        @Option(name: .long, help: "Candidates, the baseline included (1–40).") var maxCandidates = 12
        @Flag(name: .long, help: "Write a promoted winner as the active profile.") var promoteProfile = false
        @Option(name: .long, help: ArgumentHelp("A backlog item to focus candidates on (repeatable); default: the newest improvement ideas the daemon stored.",
                                                valueName: "text")) var backlogItem: [String] = []
        @Option(name: .long, help: ArgumentHelp("Where results and reports go.", valueName: "dir")) var out = "eval/results"
        @Option(name: .long, help: ArgumentHelp("Seconds a task may take when the suite does not say.", valueName: "secs")) var wait = 300
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard (1...40).contains(maxCandidates) else { throw ValidationError("--max-candidates must be 1 to 40") }
        }

        func run() async throws {
            CLI.bootstrapLogging()
            try await CLI.run {
                let loaded: EvalSuite
                do {
                    loaded = try EvalSuite.load(path: suite)
                } catch {
                    Terminal.error("error: \(EvalRunCommand.describe(error))")
                    throw ExitCode(2)
                }
                let (orchestrator, config, shutdown) = try await CLI.unattendedOrchestrator(options)
                let logger = CLI.logger(verbose: options.verbose)
                var runOptions = EvalRunner.Options()
                runOptions.defaultWaitSecs = wait
                // The backlog: given items, else the improvement ideas the proactive loops stored (newest first).
                let backlog = backlogItem.isEmpty
                    ? ((try? orchestrator.store.activeMemories(category: "improvement_idea", limit: 50)) ?? [])
                        .sorted { $0.createdAt > $1.createdAt }.map(\.content)
                    : backlogItem
                let report: TournamentRunner.Report
                do {
                    report = try await TournamentRunner(runner: EvalRunner(orchestrator: orchestrator, logger: logger), directory: out)
                        .run(loaded, maxCandidates: maxCandidates, options: runOptions, provider: config.llm.provider.rawValue,
                             model: config.llm.model, promote: promoteProfile, backlog: backlog) { Terminal.error($0) }
                } catch {
                    await shutdown()
                    Terminal.error("error: \(EvalRunCommand.describe(error))")
                    throw ExitCode(2)
                }
                await shutdown()
                for reason in report.decision.reasons { Terminal.error("  \(reason)") }
                Terminal.error("report: \(out)/\(report.id).md")
                Terminal.out("winner=\(report.decision.winner) promote=\(report.decision.promote)"
                    + (report.promotedProfile.map { " profile=\($0)" } ?? ""))
            }
        }
    }
}
