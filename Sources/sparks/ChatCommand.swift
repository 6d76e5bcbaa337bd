import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksLLM
import SparksOrchestrator
import SparksProactive
import SparksStore

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Talk with the model: an interactive session, or one message with -m.",
        discussion: """
            Each message is screened by the prompt scanner, then routed: answered directly (simple),
            looked up with one read-only tool (direct), or handed to a spark as a task on --repo
            (complex; the spark is named by @name at the start of the message or --spark, else chosen
            from KPIs). The routing decision is printed on stderr. With [orchestrator] route_chat =
            false, messages go straight to the model and answers stream.

            In the session: /help, /sparks, /model [name], /dispatch, /knobs, /set, /mood, /new, /quit. Input lines are kept
            in $SPARKS_HOME/history.txt (readable by you only).

            Examples:
              sparks chat -m "what does a git worktree do?"
              sparks chat --repo ~/src/app -m "@coder add a CONTRIBUTING.md"
            """)

    @Option(name: [.short, .customLong("message")], help: "Send one message, print the answer and exit.")
    var message: String?

    @Option(name: .long, help: "Hand every complex message to this spark.")
    var spark: String?

    @Option(name: .long, help: ArgumentHelp("The repository tasks from this chat work on.", valueName: "path"))
    var repo = "."

    @Flag(name: [.short, .long], help: "Approve every command that needs approval without asking.")
    var yes = false

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        CLI.bootstrapLogging()
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let (model, modelShutdown) = try await ModelFactory.start(config, logger: CLI.logger(verbose: options.verbose), progress: { Terminal.error($0) })
            let langfuse = CLI.langfuse(config, verbose: options.verbose)
            let otlp = CLI.otlp(config, verbose: options.verbose)
            let sandbox = try SandboxFactory.make(config.sandbox)
            let mcp = try MCPSetup.registry(config: config, sandbox: sandbox, store: store, logger: CLI.logger(verbose: options.verbose))
            let shutdown: @Sendable () async -> Void = {
                await langfuse?.close()
                await otlp?.close()
                await mcp?.shutdown()
                await modelShutdown()
            }
            let session = try ChatSession(model: model, store: store)
            var pipeline: ChatPipeline?
            if config.orchestration.routeChat {
                let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: sandbox,
                                                confirmer: yes ? Approval.confirmer(autoApprove: true) : Approval.ask,
                                                memory: CLI.memory(config, store: store), langfuse: langfuse, otlp: otlp, mcp: mcp,
                                                semanticCheck: try CLI.semanticCheck(config),
                                                logger: CLI.logger(verbose: options.verbose))
                pipeline = ChatPipeline(orchestrator: orchestrator, session: session, repository: WorkspacePaths.absolute(repo))
            }
            do {
                if let message {
                    try await oneShot(message, session: session, pipeline: pipeline)
                } else {
                    let dispatcher = REPLDispatcher(config: config, store: store, model: model, verbose: options.verbose)
                    try await repl(session: session, config: config, dispatcher: dispatcher, pipeline: pipeline)
                }
            } catch {
                await shutdown()
                throw error
            }
            await shutdown()
        }
    }

    private func oneShot(_ text: String, session: ChatSession, pipeline: ChatPipeline?) async throws {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw SparksError(.invalidInput, "the message is empty", hint: "pass some text with -m")
        }
        try await turn(text, session: session, pipeline: pipeline)
    }

    /// One message: through the pipeline (scan, route, answer or task), or straight to the model.
    private func turn(_ text: String, session: ChatSession, pipeline: ChatPipeline?) async throws(SparksError) {
        guard let pipeline else {
            _ = try await session.send(text) { Terminal.out($0, newline: false) }
            Terminal.out("")
            return
        }
        let printer = ProgressPrinter(showText: false)
        let turn = try await pipeline.handle(text, explicitSpark: spark) { printer.handle($0) }
        if let scan = turn.scan {
            Terminal.error("scanner: \(scan.decision.rawValue) (score \(scan.score): \(scan.ruleIDs.joined(separator: ", ")))")
        }
        switch turn.route.kind {
        case .simple:
            Terminal.error("route: simple (\(turn.route.reason))")
        case .direct:
            Terminal.error("route: direct → \(turn.route.tool ?? "?") (\(turn.route.reason))")
        case .complex:
            let how = turn.selection.map { "selected: \($0.action.rawValue), \($0.reasonCodes.joined(separator: ", "))" } ?? turn.route.reason
            Terminal.error("route: complex → \(turn.selection?.spark ?? turn.route.spark ?? "?") (\(how))")
        }
        Terminal.out(turn.answer)
    }

    private func repl(session: ChatSession, config: SparksConfig, dispatcher: REPLDispatcher, pipeline: ChatPipeline?) async throws {
        let history = ChatHistoryFile(path: (config.home as NSString).appendingPathComponent("history.txt"))
        Terminal.out("Sparks chat · model \(session.currentModel) · /help for commands, /quit to leave")
        let knobs = SessionKnobs()
        while true {
            Terminal.out("> ", newline: false)
            guard let line = readLine() else {
                Terminal.out("")
                return
            }
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            history.append(input)
            if input.hasPrefix("/") {
                if try await command(input, session: session, config: config, dispatcher: dispatcher, knobs: knobs) == .quit { return }
                continue
            }
            do {
                try await turn(input, session: session, pipeline: pipeline)
            } catch {
                // A failed turn does not end the session.
                Terminal.error("error: \(error.message)")
                if let hint = error.hint { Terminal.error("hint: \(hint)") }
            }
        }
    }

    private enum CommandResult { case proceed, quit }

    private func command(_ input: String, session: ChatSession, config: SparksConfig, dispatcher: REPLDispatcher,
                         knobs: SessionKnobs) async throws -> CommandResult {
        let parts = input.split(separator: " ", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "/quit", "/exit", "/q":
            return .quit
        case "/help", "/h":
            Terminal.out("""
                /help           this list
                /sparks         the sparks you can dispatch work to
                /model          show the model; /model NAME switches, /model reset goes back
                /dispatch GOAL  hand GOAL to the coder spark, on the repository in this directory
                                (/dispatch @scout GOAL picks another spark); risky commands ask you first
                /knobs          the runtime knobs and their values
                /set KEY VALUE  change a knob (stored: the daemon applies it at its next tick);
                                add --once to change it for this session only
                /mood           the mood the daemon is in (when the mood knob is on)
                /new            start a new conversation
                /quit           leave (also /exit, Ctrl-D)
                """)
        case "/sparks":
            for spark in config.sparks {
                Terminal.out("\(spark.name) [\(spark.role.rawValue)] — \(spark.description)")
            }
        case "/model":
            if parts.count == 2 {
                let name = parts[1].trimmingCharacters(in: .whitespaces)
                session.modelOverride = name == "reset" ? nil : name
                Terminal.out("model: \(session.currentModel)")
            } else {
                Terminal.out("model: \(session.currentModel)")
                do {
                    let models = try await session.availableModels()
                    if !models.isEmpty { Terminal.out("available: " + models.prefix(30).joined(separator: ", ")) }
                } catch {
                    Terminal.error("could not list models: \(error.message)")
                }
            }
        case "/knobs":
            let board = KnobBoard(store: try CLI.openStore(config), config: config)
            for (key, value) in (knobs.value ?? board.current()).describe() { Terminal.out("\(key) = \(value)") }
        case "/set":
            let words = parts.count == 2 ? parts[1].split(separator: " ").map(String.init) : []
            let once = words.last == "--once"
            let arguments = once ? Array(words.dropLast()) : words
            guard arguments.count >= 2 else {
                Terminal.out("usage: /set KEY VALUE [--once]   (/knobs lists the keys)")
                return .proceed
            }
            let board = KnobBoard(store: try CLI.openStore(config), config: config)
            do {
                let result = try board.set(arguments[0], arguments.dropFirst().joined(separator: " "), persist: !once, by: "chat")
                if once { knobs.value = result.knobs }
                Terminal.out("\(result.change.key): \(result.change.old) → \(result.change.new)\(once ? " (this session only)" : "")")
            } catch {
                Terminal.error("error: \(error.message)")
            }
        case "/mood":
            let board = KnobBoard(store: try CLI.openStore(config), config: config)
            if !(knobs.value ?? board.current()).mood {
                Terminal.out("mood is off (experimental): /set mood on, and /set all_proactive on for the daemon to drift it")
            } else {
                Terminal.out(MoodEngine.promptLine(board.mood ?? MoodState()))
            }
        case "/new":
            try session.reset()
            Terminal.out("new conversation")
        case "/dispatch":
            guard parts.count == 2, !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else {
                Terminal.out("usage: /dispatch [@spark] GOAL")
                return .proceed
            }
            do {
                try await dispatcher.dispatch(parts[1])
            } catch {
                // A failed task does not end the session.
                Terminal.error("error: \(error.message)")
                if let hint = error.hint { Terminal.error("hint: \(hint)") }
            }
        default:
            Terminal.out("unknown command \(parts[0]); /help lists them")
        }
        return .proceed
    }
}

/// Knobs changed with `/set … --once`: this session's own values, not stored.
final class SessionKnobs: @unchecked Sendable {
    // Used from the REPL loop only.
    var value: RuntimeKnobs?
}

/// The REPL's input history: one line per entry, readable by the owner only.
struct ChatHistoryFile {
    let path: String

    func append(_ line: String) {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        handle.write(Data((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

/// `/dispatch` in the REPL: a task on the repository in the current directory, with approvals
/// asked right in the session (the person at the REPL is there to answer).
struct REPLDispatcher {
    let config: SparksConfig
    let store: SparksStore
    let model: any ChatModel
    let verbose: Bool

    func dispatch(_ line: String) async throws(SparksError) {
        var goal = line.trimmingCharacters(in: .whitespaces)
        var spark = "coder"
        if goal.hasPrefix("@"), let space = goal.firstIndex(of: " ") {
            spark = String(goal[goal.index(after: goal.startIndex)..<space])
            goal = String(goal[space...]).trimmingCharacters(in: .whitespaces)
        }
        let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: try SandboxFactory.make(config.sandbox),
                                        confirmer: Approval.ask, memory: CLI.memory(config, store: store),
                                        logger: CLI.logger(verbose: verbose))
        let request = Orchestrator.DispatchRequest(goal: goal, spark: spark, repository: FileManager.default.currentDirectoryPath,
                                                   source: "chat")
        let printer = ProgressPrinter(showText: false)
        let outcome = try await orchestrator.dispatch(request) { printer.handle($0) }
        Terminal.out(outcome.summary)
    }
}
