import Logging
import SparksConfig
import SparksCore
import SparksLLM

/// Builds the chat model the configuration describes.
public enum ModelFactory {
    /// The model, and a closure that releases its connections (call it before exiting).
    public static func make(_ settings: LLMSettings, logger: Logger) -> (model: any ChatModel, shutdown: @Sendable () async -> Void) {
        let client = OpenAICompatibleClient(
            settings: ClientSettings(
                baseURL: settings.baseURL,
                apiKey: settings.apiKey?.reveal(),
                model: settings.model,
                timeoutSecs: settings.timeoutSecs,
                temperature: settings.temperature,
                maxTokens: settings.maxTokens,
                retry: RetryPolicy(maxRetries: settings.maxRetries),
                apiKeyHint: settings.apiKeyEnv),
            logger: logger)
        return (ToolModeAdapter(base: client, style: settings.toolMode), { await client.shutdown() })
    }
}
