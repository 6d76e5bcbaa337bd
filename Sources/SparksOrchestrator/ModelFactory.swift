import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksLLM

/// Builds the chat model the configuration describes.
public enum ModelFactory {
    /// The model, and a closure that releases its connections (call it before exiting). For
    /// `provider = "local"` use `start`, which also brings up the server.
    public static func make(_ settings: LLMSettings, logger: Logger) -> (model: any ChatModel, shutdown: @Sendable () async -> Void) {
        let client = client(settings, logger: logger)
        return (ToolModeAdapter(base: client, style: settings.toolMode), { await client.shutdown() })
    }

    /// The model, ready to answer. With `provider = "local"` and `local_model.manage` (the default)
    /// this starts the llama.cpp server (or attaches to one already answering), and `shutdown`
    /// stops a server it started; `watch` keeps restarting it if it dies (for `sparks serve`).
    public static func start(
        _ config: SparksConfig, logger: Logger, watch: Bool = false, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(SparksError) -> (model: any ChatModel, shutdown: @Sendable () async -> Void) {
        let settings = config.llm
        guard settings.provider == .local else { return make(settings, logger: logger) }
        let client = client(settings, logger: logger)
        let model = ToolModeAdapter(base: client, style: settings.toolMode)
        guard config.localModel.manage else {
            return (model, { await client.shutdown() })
        }
        let spec: LocalServerSpec
        do {
            spec = try serverSpec(config)
        } catch {
            await client.shutdown()
            throw error
        }
        // The probe is a plain `GET /models` without retries: while the server loads, refusals are expected.
        let probe = OpenAICompatibleClient(
            settings: ClientSettings(baseURL: settings.baseURL, apiKey: nil, model: settings.model, timeoutSecs: 5,
                                     retry: RetryPolicy(maxRetries: 0)),
            logger: Logger(label: "sparks.local-model.probe", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = LocalModelServer(spec: spec, logger: logger) {
            (try? await probe.listModels()) != nil
        }
        do {
            try await server.start(progress: progress)
        } catch {
            await probe.shutdown()
            await client.shutdown()
            throw error
        }
        if watch { await server.watch() }
        return (model, {
            await server.stop()
            await probe.shutdown()
            await client.shutdown()
        })
    }

    /// Where and how the managed server runs: the host and port of `llm.base_url`, which must be loopback.
    public static func serverSpec(_ config: SparksConfig) throws(SparksError) -> LocalServerSpec {
        guard let url = URLComponents(string: config.llm.baseURL), let host = url.host else {
            throw SparksError(.configInvalid, "`llm.base_url` (\(config.llm.baseURL)) is not a URL")
        }
        guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            throw SparksError(.configInvalid,
                              "`llm.base_url` points at \(host), but Sparks only starts a local model server on loopback",
                              hint: "use http://127.0.0.1:<port>/v1, or set local_model.manage = false to use a server you run elsewhere")
        }
        let local = config.localModel
        return LocalServerSpec(python: local.python, modelPath: local.modelPath, alias: config.llm.model, host: host == "localhost" ? "127.0.0.1" : host,
                               port: url.port ?? 8080, contextSize: local.contextSize, threads: local.threads,
                               chatFormat: local.chatFormat, startupTimeoutSecs: local.startupTimeoutSecs,
                               logPath: config.home + "/logs/local-model.log")
    }

    private static func client(_ settings: LLMSettings, logger: Logger) -> OpenAICompatibleClient {
        OpenAICompatibleClient(
            settings: ClientSettings(
                baseURL: settings.baseURL,
                apiKey: settings.apiKey?.reveal(),
                model: settings.model,
                timeoutSecs: settings.timeoutSecs,
                temperature: settings.temperature,
                maxTokens: settings.maxTokens,
                retry: RetryPolicy(maxRetries: settings.maxRetries),
                apiKeyHint: settings.apiKeyEnv,
                structuredOutput: StructuredOutput(rawValue: settings.structuredOutput.rawValue) ?? .none),
            logger: logger)
    }
}
