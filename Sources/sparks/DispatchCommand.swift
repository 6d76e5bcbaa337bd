import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore

struct DispatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Run one task with a spark and print its result.",
        discussion: """
            The goal and context are screened by the prompt scanner first. Without --spark, KPI-driven
            selection chooses the spark from past outcomes in the task's (repo, lane, risk) scope and
            says why. When `sparks serve` runs, the task goes to its queue; otherwise it runs here
            (waiting for a slot if [queue] max_concurrent tasks already run).

            Progress goes to stderr, the spark's final answer to stdout. The task id is printed on
            stderr as task_id=<uuid>. Exits 0 when the task succeeded, 1 when it failed, 3 when the model
            provider failed, 124 when it did not finish within --wait seconds (reason dispatch_timeout),
            130 when it was cancelled (Ctrl-C stops the task cleanly; a second Ctrl-C quits at once).

            Examples:
              sparks dispatch --spark coder --repo ~/src/app --goal "add a CONTRIBUTING.md"
              sparks dispatch --repo . --goal "fix the failing test" --verify "make test"
              sparks dispatch --detach --priority 5 --repo . --goal "update the changelog"
            """)

    @Option(name: .long, help: "What the spark should do.")
    var goal: String

    @Option(name: .long, help: "The spark to use (see `sparks roster`); default: chosen from KPIs.")
    var spark: String?

    @Option(name: .long, help: ArgumentHelp("The repository to work on.", valueName: "path"))
    var repo = "."

    @Option(name: .long, help: "Extra context for the spark.")
    var context: String?

    @Option(name: .long, help: ArgumentHelp("Stop the task after this many seconds (default: agent.dispatch_wait_secs).", valueName: "secs"))
    var wait: Int?

    @Option(name: .long, help: ArgumentHelp("A command whose exit code decides whether the work is accepted (run in the sandbox).", valueName: "command"))
    var verify: String?

    @Option(name: .long, help: "The task's lane: delivery, self_improvement, ticket_intake, scheduling, reentry, feature.")
    var lane = "delivery"

    @Option(name: .long, help: "The task's risk: low, medium, high, critical.")
    var risk = "medium"

    @Option(name: .long, help: ArgumentHelp("The coding CLI the coding_cli tool prefers: claude_code, codex or opencode.", valueName: "cli"))
    var cliTool: String?

    @Option(name: .long, help: "Higher runs first among queued tasks.")
    var priority = 0

    @Flag(name: .long, help: "Queue the task and return at once (needs `sparks serve`, or runs later when it starts).")
    var detach = false

    @Flag(name: .long, help: "Run here even when `sparks serve` is running.")
    var noDaemon = false

    @Flag(name: .long, help: "Also show the model's text as it streams.")
    var showText = false

    @Flag(name: [.short, .long], help: "Approve every command that needs approval (sudo, curl, git push, …) without asking.")
    var yes = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if let wait, wait <= 0 { throw ValidationError("--wait must be a positive number of seconds") }
        if detach && noDaemon { throw ValidationError("--detach and --no-daemon contradict each other") }
    }

    func run() async throws {
        CLI.bootstrapLogging()
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let sandbox = try SandboxFactory.make(config.sandbox)
            let (model, modelShutdown) = try await ModelFactory.start(config, logger: CLI.logger(verbose: options.verbose), progress: { Terminal.error($0) })
            let langfuse = CLI.langfuse(config, verbose: options.verbose)
            let otlp = CLI.otlp(config, verbose: options.verbose)
            let mcp = try MCPSetup.registry(config: config, sandbox: sandbox, store: store, logger: CLI.logger(verbose: options.verbose))
            let shutdown: @Sendable () async -> Void = {
                await langfuse?.close()
                await otlp?.close()
                await mcp?.shutdown()
                await modelShutdown()
            }
            let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: sandbox,
                                            confirmer: Approval.confirmer(autoApprove: yes),
                                            memory: CLI.memory(config, store: store), langfuse: langfuse, otlp: otlp, mcp: mcp,
                                            semanticCheck: try CLI.semanticCheck(config),
                                            logger: CLI.logger(verbose: options.verbose))
            let repository = (repo as NSString).expandingTildeInPath
            let absolute = repository.hasPrefix("/") ? repository
                : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(repository)
            var request = Orchestrator.DispatchRequest(goal: goal, spark: spark, repository: (absolute as NSString).standardizingPath,
                                                       context: context, waitSecs: wait, lane: lane, risk: risk, priority: priority,
                                                       verify: verify)
            request.cliTool = cliTool
            let printer = ProgressPrinter(showText: showText)
            let outcome: TaskOutcome
            do {
                let daemon = noDaemon ? nil : DaemonLock.runningPID(home: config.home)
                if detach || daemon != nil {
                    let submission = try orchestrator.submit(request) { printer.handle($0) }
                    let id = submission.task.id.uuidString.lowercased()
                    if let blocked = submission.outcome {
                        outcome = blocked
                    } else if detach {
                        Terminal.error("task_id=\(id)")
                        Terminal.error(daemon.map { "queued; sparks serve (pid \($0)) runs it" }
                            ?? "queued; no `sparks serve` is running: start it to run queued tasks")
                        Terminal.out(id)
                        await shutdown()
                        return
                    } else {
                        Terminal.error("task_id=\(id)")
                        Terminal.error("queued for sparks serve (pid \(daemon!)); waiting for it (Ctrl-C stops waiting, not the task)")
                        outcome = try await DaemonWait.outcome(of: submission.task.id, store: store)
                    }
                } else {
                    // Ctrl-C stops the task cleanly (recorded as cancelled); a second one quits at once.
                    let stop = StopSignal()
                    signal(SIGINT, SIG_IGN)
                    let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
                    interrupt.setEventHandler {
                        if stop.reason != nil { Foundation.exit(130) }
                        Terminal.error("stopping the task… (Ctrl-C again to quit at once)")
                        stop.stop(.user)
                    }
                    interrupt.resume()
                    defer { interrupt.cancel() }
                    outcome = try await orchestrator.dispatch(request, stop: stop) { printer.handle($0) }
                }
            } catch {
                await shutdown()
                throw error
            }
            await shutdown()
            if !outcome.summary.isEmpty { Terminal.out(outcome.summary) }
            switch outcome.status {
            case .succeeded: return
            default:
                let code: Int32 = outcome.reason == .dispatchTimeout ? 124 : outcome.reason == .llmError ? 3
                    : outcome.status == .cancelled ? 130 : 1
                if let error = outcome.error { Terminal.error("error: \(error)") }
                throw ExitCode(code)
            }
        }
    }
}

/// Waits for a task the daemon runs, printing its status as it changes.
enum DaemonWait {
    static func outcome(of id: UUID, store: SparksStore, pollInterval: Duration = .milliseconds(300)) async throws -> TaskOutcome {
        var last: TaskStatus?
        while true {
            guard let task = try store.task(idPrefix: id.uuidString) else {
                throw SparksError(.internalError, "task \(id.uuidString.lowercased()) vanished from the database")
            }
            if task.status != last {
                last = task.status
                Terminal.error("  \(task.status.rawValue)\(task.attempts > 1 ? " (attempt \(task.attempts))" : "")")
            }
            if task.status.isTerminal { return Orchestrator.outcome(of: task) }
            try await Task.sleep(for: pollInterval)
        }
    }
}

/// Prints task events as progress lines on stderr.
final class ProgressPrinter: Sendable {
    let showText: Bool

    init(showText: Bool) { self.showText = showText }

    func handle(_ event: TaskEvent) {
        switch event {
        case .scanned(let decision, let score, let rules):
            Terminal.error("  scanner: \(decision) (score \(score): \(rules.joined(separator: ", ")))")
        case .selected(let spark, let action, let reasons, _):
            Terminal.error("  selection: \(spark) (\(action); \(reasons.joined(separator: ", ")))")
        case .queued:
            break
        case .waitingForSlot(let running):
            Terminal.error("  waiting for a slot (\(running) task(s) running)")
        case .retrying(let attempt, let notBefore, let reason):
            Terminal.error("  attempt \(attempt) failed (\(reason.prefix(100))); retrying after \(HistoryCommand.format(notBefore))")
        case .started(let id, let spark, let repository):
            Terminal.error("task_id=\(id.uuidString.lowercased())")
            Terminal.error("▸ \(spark) is working in \(repository)")
        case .workspaceReady(let path, let branch, let sandbox):
            Terminal.error("  workspace \(path) (branch \(branch))")
            if sandbox == "none" {
                Terminal.error("  warning: sandbox = \"none\": the spark's commands run UNSANDBOXED on this host")
            }
        case .phase(let name, let detail):
            Terminal.error("  phase \(name): \(detail)")
        case .verifyStarted(let command):
            Terminal.error("  verify: \(command)")
        case .verifyFinished(let passed, let detail):
            Terminal.error("  verify \(passed ? "passed" : "FAILED"): \(detail.split(separator: "\n").first ?? "")")
        case .stepStarted:
            break
        case .textDelta(let text):
            if showText { Terminal.error(text, newline: false) }
        case .toolStarted:
            break
        case .toolFinished(let step, let name, let ok, let durationMs, let preview):
            let firstLine = preview.split(separator: "\n").first.map(String.init) ?? ""
            Terminal.error("  [\(step)] \(name) \(ok ? "ok" : "failed") (\(durationMs) ms) \(firstLine.prefix(100))")
        case .guardTripped(let reason, let detail):
            Terminal.error("  ! \(reason.rawValue): \(detail)")
        case .finished(let outcome):
            let seconds = String(format: "%.1f", Double(outcome.durationMs) / 1000)
            Terminal.error("■ \(outcome.status.rawValue)\(outcome.reason.map { " (\($0.rawValue))" } ?? "") · "
                + "\(outcome.steps) steps · \(outcome.usage.totalTokens) tokens · \(seconds) s")
        }
    }
}
