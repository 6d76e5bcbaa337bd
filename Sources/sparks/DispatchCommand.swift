import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator

struct DispatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Run one task with a spark and print its result.",
        discussion: """
            Progress goes to stderr, the spark's final answer to stdout. The task id is printed on
            stderr as task_id=<uuid>. Exits 0 when the task succeeded, 1 when it failed, 124 when it
            did not finish within --wait seconds (reason dispatch_timeout).

            Example:
              sparks dispatch --spark coder --repo ~/src/app --goal "add a CONTRIBUTING.md"
            """)

    @Option(name: .long, help: "What the spark should do.")
    var goal: String

    @Option(name: .long, help: "The spark to use (see `sparks roster`).")
    var spark = "coder"

    @Option(name: .long, help: ArgumentHelp("The repository to work on.", valueName: "path"))
    var repo = "."

    @Option(name: .long, help: "Extra context for the spark.")
    var context: String?

    @Option(name: .long, help: ArgumentHelp("Stop the task after this many seconds (default: agent.dispatch_wait_secs).", valueName: "secs"))
    var wait: Int?

    @Flag(name: .long, help: "Also show the model's text as it streams.")
    var showText = false

    @Flag(name: [.short, .long], help: "Approve every command that needs approval (sudo, curl, git push, …) without asking.")
    var yes = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if let wait, wait <= 0 { throw ValidationError("--wait must be a positive number of seconds") }
    }

    func run() async throws {
        CLI.bootstrapLogging()
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let sandbox = try SandboxFactory.make(config.sandbox)
            let (model, shutdown) = ModelFactory.make(config.llm, logger: CLI.logger(verbose: options.verbose))
            let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: sandbox,
                                            confirmer: Approval.confirmer(autoApprove: yes),
                                            memory: CLI.memory(config, store: store),
                                            logger: CLI.logger(verbose: options.verbose))
            let repository = (repo as NSString).expandingTildeInPath
            let absolute = repository.hasPrefix("/") ? repository
                : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(repository)
            let request = Orchestrator.DispatchRequest(goal: goal, spark: spark, repository: (absolute as NSString).standardizingPath,
                                                       context: context, waitSecs: wait)
            let printer = ProgressPrinter(showText: showText)
            let outcome: TaskOutcome
            do {
                outcome = try await orchestrator.dispatch(request) { printer.handle($0) }
            } catch {
                await shutdown()
                throw error
            }
            await shutdown()
            if !outcome.summary.isEmpty { Terminal.out(outcome.summary) }
            switch outcome.status {
            case .succeeded: return
            default:
                    let code: Int32 = outcome.reason == .dispatchTimeout ? 124 : outcome.reason == .llmError ? 3 : 1
                if let error = outcome.error { Terminal.error("error: \(error)") }
                throw ExitCode(code)
            }
        }
    }
}

/// Prints task events as progress lines on stderr.
final class ProgressPrinter: Sendable {
    let showText: Bool

    init(showText: Bool) { self.showText = showText }

    func handle(_ event: TaskEvent) {
        switch event {
        case .started(let id, let spark, let repository):
            Terminal.error("task_id=\(id.uuidString.lowercased())")
            Terminal.error("▸ \(spark) is working in \(repository)")
        case .workspaceReady(let path, let branch, let sandbox):
            Terminal.error("  workspace \(path) (branch \(branch))")
            if sandbox == "none" {
                Terminal.error("  warning: sandbox = \"none\": the spark's commands run UNSANDBOXED on this host")
            }
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
