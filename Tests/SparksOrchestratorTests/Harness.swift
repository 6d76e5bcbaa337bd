import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksLLM
import SparksOrchestrator
import SparksStore
import SparksTesting

/// A Sparks installation for one test: a home directory with `config.toml`, the database, the
/// scripted model server on loopback and an orchestrator over real bubblewrap.
struct Harness {
    let home: TemporaryDirectory
    let server: ScriptedLLMServer
    let config: SparksConfig
    let store: SparksStore
    let orchestrator: Orchestrator
    let shutdownModel: @Sendable () async -> Void

    static func make(replies: [ScriptedReply] = [], config toml: String = "", environment: [String: String] = [:],
                     models: [String] = ["scripted-model"]) async throws -> Harness {
        let server = ScriptedLLMServer(replies: replies, options: .init(models: models))
        try await server.start()
        let home = try TemporaryDirectory(prefix: "orch-home")
        _ = try home.write("config.toml", toml)
        var env = ["SPARKS_HOME": home.path, "HOME": home.path, "SPARKS_LLM_BASE_URL": server.baseURL,
                   "SPARKS_LLM_MODEL": "scripted-model", "SPARKS_LLM_MAX_RETRIES": "0", "SPARKS_MEMORY_ENABLED": "false",
                   "SPARKS_QUEUE_RETRY_BACKOFF_SECS": "1"]
        env.merge(environment) { _, new in new }
        let config = try ConfigLoader(environment: env, workingDirectory: home.path).load().config
        let store = try SparksStore(path: config.databasePath)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (model, shutdown) = ModelFactory.make(config.llm, logger: logger)
        let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: try SandboxFactory.make(config.sandbox),
                                        logger: logger)
        return Harness(home: home, server: server, config: config, store: store, orchestrator: orchestrator, shutdownModel: shutdown)
    }

    func close() async {
        await shutdownModel()
        await server.stop()
    }
}

/// Runs `body` with a harness and always closes it.
func withHarness(replies: [ScriptedReply] = [], config: String = "", environment: [String: String] = [:],
                 models: [String] = ["scripted-model"], _ body: (Harness) async throws -> Void) async throws {
    let harness = try await Harness.make(replies: replies, config: config, environment: environment, models: models)
    do { try await body(harness) } catch {
        await harness.close()
        throw error
    }
    await harness.close()
}
