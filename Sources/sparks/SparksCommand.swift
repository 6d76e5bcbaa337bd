import ArgumentParser
import SparksCore

@main
struct SparksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sparks",
        abstract: "A self-hosted multi-agent orchestrator: hand work to named agents (sparks) that change your repositories with tools.",
        discussion: """
            First steps:
              sparks init                      create ~/.sparks with a commented config.toml
              sparks config check              validate the configuration
              sparks dispatch --goal "…" --repo PATH
                                               let the `coder` spark do a task in a repository
              sparks history                   see what ran and how it ended

            Configuration is read from ~/.sparks/config.toml (or $SPARKS_HOME), then ./sparks.toml,
            then SPARKS_* environment variables, then flags. The API key comes from SPARKS_LLM_API_KEY
            or the variable named by llm.api_key_env.

            Exit codes: 0 success, 1 the task failed, 2 bad input or configuration,
            3 the model provider failed (unreachable, key refused, unknown model), 124 dispatch timeout.
            """,
        version: SparksVersion.current,
        subcommands: [InitCommand.self, ConfigCommand.self, RosterCommand.self, ChatCommand.self, DispatchCommand.self,
                      ServeCommand.self, ObserveCommand.self, DashboardCommand.self, SecretsCommand.self, MCPCommand.self, TelegramCommand.self, KPICommand.self, TasksCommand.self, JobsCommand.self, FeatureCommand.self, ScanCommand.self, HistoryCommand.self, ReviewCommand.self, ApplyCommand.self, DiscardCommand.self, WorktreesCommand.self,
                      SandboxCommandGroup.self, DoctorCommand.self, BenchCommand.self, MemoryCommand.self, EvalCommand.self, LeaderboardCommand.self, SnapshotCommand.self, OptimizerCommand.self, SelfBuildCommand.self, ExplainCommand.self, CIMonitorCommand.self, TicketsCommand.self, KnobsCommand.self, AlertsCommand.self, WatchCommand.self])
}
