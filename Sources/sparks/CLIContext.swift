import ArgumentParser
import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksMemory
import SparksObserve
import SparksOrchestrator
import SparksStore
import Synchronization

/// Loads what a command needs, and turns errors into a clear message and an exit code.
enum CLI {
    static func loadConfig(_ options: GlobalOptions, showWarnings: Bool = true) throws(SparksError) -> LoadedConfig {
        let loaded = try ConfigLoader(explicitFile: options.config, flags: options.flagOverrides).load()
        if showWarnings {
            for warning in loaded.warnings { Terminal.error("warning: \(warning)") }
        }
        return loaded
    }

    /// Opens the database and recovers tasks left running by a dead process: back in the queue or
    /// marked interrupted, by `[queue] on_interrupt`.
    static func openStore(_ config: SparksConfig) throws(SparksError) -> SparksStore {
        let store = try SparksStore(path: config.databasePath)
        let recovered = try store.recoverInterruptedTasks(requeue: config.orchestration.requeueInterrupted)
        let requeued = recovered.filter(\.requeued).map { String($0.id.uuidString.lowercased().prefix(8)) }
        let ended = recovered.filter { !$0.requeued }.map { String($0.id.uuidString.lowercased().prefix(8)) }
        if !ended.isEmpty {
            Terminal.error("note: \(ended.count) task(s) were left running by a process that stopped; marked interrupted: "
                + ended.joined(separator: ", "))
        }
        if !requeued.isEmpty {
            Terminal.error("note: \(requeued.count) task(s) were left running by a process that stopped; back in the queue "
                + "(`sparks serve` runs them): " + requeued.joined(separator: ", "))
        }
        return store
    }

    /// Sparks' memory over this database, or nil when `memory.enabled` is false. Without the
    /// embedding model it works by keywords (and says so in the log).
    static func memory(_ config: SparksConfig, store: SparksStore) -> MemoryService? {
        config.memory.enabled ? MemoryService(store: store, settings: config.memory) : nil
    }

    /// The learned injection check for the scanner, when `[scanner] classifier = true` (or
    /// `force`) and the embedding model is installed. The model loads on the first scan.
    static func semanticCheck(_ config: SparksConfig, force: Bool = false) throws(SparksError) -> PromptScanner.SemanticCheck? {
        guard config.orchestration.scanner.classifier || force else { return nil }
        let classifier = try InjectionClassifier.builtIn()
        let directory = config.memory.modelDirectory
        guard FileManager.default.fileExists(atPath: directory + "/model.safetensors") else {
            throw SparksError(.modelUnavailable, "the scanner's classifier needs the embedding model, which is not in \(directory)",
                              hint: "run `sparks memory fetch-model`, or set [scanner] classifier = false")
        }
        let embedder = Mutex<MiniLMEmbedder?>(nil)
        return PromptScanner.SemanticCheck(threshold: classifier.threshold, confidentThreshold: classifier.confidentThreshold) { text in
            let loaded: MiniLMEmbedder? = embedder.withLock { current in
                if current == nil { current = try? MiniLMEmbedder(modelDirectory: directory) }
                return current
            }
            guard let loaded else { return nil }
            return classifier.probability(of: [text], embedder: loaded).first
        }
    }

    /// The Langfuse exporter when `[langfuse]` is set up (both keys in the environment).
    static func langfuse(_ config: SparksConfig, verbose: Bool) -> LangfuseExporter? {
        config.langfuse.map {
            LangfuseExporter(settings: LangfuseSettings(baseURL: $0.baseURL, publicKey: $0.publicKey.reveal(), secretKey: $0.secretKey.reveal()),
                             logger: logger(verbose: verbose))
        }
    }

    /// The OpenTelemetry exporter when `[otel]` (or `OTEL_EXPORTER_OTLP_ENDPOINT`) names an endpoint.
    static func otlp(_ config: SparksConfig, verbose: Bool) -> OTLPExporter? {
        config.otel.map {
            OTLPExporter(settings: OTLPSettings(tracesURL: $0.tracesURL, headers: $0.headers.map { ($0.0, $0.1.reveal()) },
                                                serviceName: $0.serviceName),
                         logger: logger(verbose: verbose))
        }
    }

    /// An orchestrator for work nobody watches (eval runs, tournaments, self-build): no memory
    /// (a lesson from one run must not change the next), every approval refused, the model started
    /// (the local one too). Call `shutdown` when done.
    static func unattendedOrchestrator(_ options: GlobalOptions) async throws
        -> (orchestrator: Orchestrator, config: SparksConfig, shutdown: @Sendable () async -> Void)
    {
        let config = try loadConfig(options).config
        let store = try openStore(config)
        let logger = logger(verbose: options.verbose)
        let (model, shutdown) = try await ModelFactory.start(config, logger: logger, progress: { Terminal.error($0) })
        let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: try SandboxFactory.make(config.sandbox),
                                        confirmer: { _, _ in false }, logger: logger)
        return (orchestrator, config, shutdown)
    }

    static func logger(verbose: Bool, level: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: "sparks")
        logger.logLevel = verbose ? .debug : level
        return logger
    }

    static func bootstrapLogging(level: Logger.Level = .warning) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Runs a command body; a `SparksError` becomes `error: …` / `hint: …` on stderr and an exit code.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SparksError {
            Terminal.error("error: \(error.message)")
            if let hint = error.hint { Terminal.error("hint: \(hint)") }
            throw ExitCode(exitCode(for: error.code))
        }
    }

    static func exitCode(for code: ErrorCode) -> Int32 {
        switch code {
        case .taskTimeout: 124
        case .taskFailed: 1
        case _ where code.rawValue.hasPrefix("llm_"): 3
        case .storeFailed, .internalError: 1
        default: 2
        }
    }
}

/// Output that is flushed at once: stdout to a pipe is otherwise fully buffered, and progress
/// would be lost if the process is killed.
enum Terminal {
    static func out(_ text: String, newline: Bool = true) {
        FileHandle.standardOutput.write(Data((text + (newline ? "\n" : "")).utf8))
    }

    static func error(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((text + (newline ? "\n" : "")).utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }
}
