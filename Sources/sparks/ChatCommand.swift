import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksLLM
import SparksOrchestrator
import SparksStore

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Talk with the model: an interactive session, or one message with -m.",
        discussion: """
            In the session: /help, /sparks, /model [name], /new, /quit. Input lines are kept in
            $SPARKS_HOME/history.txt (readable by you only). Answers stream as they arrive.

            Example:
              sparks chat -m "what does a git worktree do?"
            """)

    @Option(name: [.short, .customLong("message")], help: "Send one message, print the answer and exit.")
    var message: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        CLI.bootstrapLogging()
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let (model, shutdown) = ModelFactory.make(config.llm, logger: CLI.logger(verbose: options.verbose))
            let session = try ChatSession(model: model, store: store)
            do {
                if let message {
                    try await oneShot(message, session: session)
                } else {
                    let dispatcher = REPLDispatcher(config: config, store: store, model: model, verbose: options.verbose)
                    try await repl(session: session, config: config, dispatcher: dispatcher)
                }
            } catch {
                await shutdown()
                throw error
            }
            await shutdown()
        }
    }

    private func oneShot(_ text: String, session: ChatSession) async throws {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw SparksError(.invalidInput, "the message is empty", hint: "pass some text with -m")
        }
        _ = try await session.send(text) { Terminal.out($0, newline: false) }
        Terminal.out("")
    }

    private func repl(session: ChatSession, config: SparksConfig, dispatcher: REPLDispatcher) async throws {
        let history = ChatHistoryFile(path: (config.home as NSString).appendingPathComponent("history.txt"))
        Terminal.out("Sparks chat · model \(session.currentModel) · /help for commands, /quit to leave")
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
                if try await command(input, session: session, config: config, dispatcher: dispatcher) == .quit { return }
                continue
            }
            do {
                _ = try await session.send(input) { Terminal.out($0, newline: false) }
                Terminal.out("")
            } catch {
                // A failed turn does not end the session.
                Terminal.error("error: \(error.message)")
                if let hint = error.hint { Terminal.error("hint: \(hint)") }
            }
        }
    }

    private enum CommandResult { case proceed, quit }

    private func command(_ input: String, session: ChatSession, config: SparksConfig, dispatcher: REPLDispatcher) async throws -> CommandResult {
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
        let request = Orchestrator.DispatchRequest(goal: goal, spark: spark, repository: FileManager.default.currentDirectoryPath)
        let printer = ProgressPrinter(showText: false)
        let outcome = try await orchestrator.dispatch(request) { printer.handle($0) }
        Terminal.out(outcome.summary)
    }
}
