import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksTelegram

struct TelegramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telegram",
        abstract: "Run Sparks as a Telegram bot (long polling) for the users in [telegram] allowed_users.",
        discussion: """
            Create a bot with @BotFather, store its token and allow your Telegram user id:
              sparks secrets set TELEGRAM_TOKEN
              # config.toml
              [telegram]
              token = "secret:TELEGRAM_TOKEN"
              allowed_users = ["123456789"]
              repository = "~/src/app"
            then `sparks telegram`. Messages from anyone else are ignored (and recorded as events).
            Commands: /start /status /sparks /tasks /cancel ID; anything else is routed like
            `sparks chat`, with progress edited into one message and approvals as buttons.
            """)

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        CLI.bootstrapLogging(level: options.verbose ? .debug : .info)
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            guard let token = config.telegram.token else {
                throw SparksError(.configInvalid, "no Telegram bot token is configured",
                                  hint: "sparks secrets set TELEGRAM_TOKEN, then [telegram] token = \"secret:TELEGRAM_TOKEN\" (or export TELEGRAM_BOT_TOKEN)")
            }
            guard !config.telegram.allowedUsers.isEmpty else {
                throw SparksError(.configInvalid, "[telegram] allowed_users is empty: the bot would answer no one",
                                  hint: "allowed_users = [\"<your numeric Telegram id>\"]")
            }
            let store = try CLI.openStore(config)
            let logger = CLI.logger(verbose: options.verbose, level: .info)
            let (model, modelShutdown) = try await ModelFactory.start(config, logger: logger, watch: true, progress: { Terminal.error($0) })
            let sandbox = try SandboxFactory.make(config.sandbox)
            let mcp = try MCPSetup.registry(config: config, sandbox: sandbox, store: store, logger: logger)
            let langfuse = CLI.langfuse(config, verbose: options.verbose)
            let otlp = CLI.otlp(config, verbose: options.verbose)
            let api = TelegramBotAPI(token: token.reveal(), baseURL: config.telegram.apiBaseURL, logger: logger)
            let approvals = TelegramApprovals()
            let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: sandbox, confirmer: approvals.confirmer,
                                            memory: CLI.memory(config, store: store), langfuse: langfuse, otlp: otlp, mcp: mcp,
                                            semanticCheck: try CLI.semanticCheck(config), logger: logger)
            var settings = TelegramBotSettings(allowedUsers: Set(config.telegram.allowedUsers),
                                               repository: config.telegram.repository ?? FileManager.default.currentDirectoryPath)
            settings.pollTimeoutSecs = config.telegram.pollTimeoutSecs
            settings.voice = TelegramVoice(token: token.reveal(), apiBaseURL: config.telegram.apiBaseURL)
            settings.speechToText = config.telegram.sttURL.map {
                SpeechToTextConfig(baseURL: $0, apiKey: config.telegram.sttKey?.reveal(), model: config.telegram.sttModel)
            }
            let bot = TelegramBot(api: api, settings: settings, approvals: approvals, logger: logger)
            bot.attach(orchestrator)
            Terminal.error("sparks telegram · \(config.telegram.allowedUsers.count) allowed user(s) · tasks in \(settings.repository)")
            let runner = Task { try await bot.run() }
            let stop = StopOnSignal { runner.cancel() }
            defer { withExtendedLifetime(stop) {} }
            var failure: (any Error)?
            do { try await runner.value } catch { failure = error }
            await api.shutdown()
            await mcp?.shutdown()
            await langfuse?.close()
            await otlp?.close()
            await modelShutdown()
            if let failure, !(failure is CancellationError) { throw failure }
            Terminal.error("sparks telegram stopped")
        }
    }
}

/// Runs `action` once on SIGINT or SIGTERM.
final class StopOnSignal: @unchecked Sendable {
    // Set once in init, only kept alive afterwards.
    private let sources: [DispatchSourceSignal]

    init(_ action: @escaping @Sendable () -> Void) {
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }
}
