/// The LLM providers Sparks knows by name. All speak the OpenAI chat-completions format; a preset
/// only supplies defaults for the base URL, model and key variable.
public enum ProviderKind: String, Sendable, CaseIterable, Codable {
    case openai, openrouter, ollama, zen, local
}

public struct ProviderPreset: Sendable, Hashable {
    public var baseURL: String
    public var model: String
    /// Environment variable the API key is read from; `nil` for servers that need no key.
    public var apiKeyEnv: String?

    public static func preset(for kind: ProviderKind) -> ProviderPreset {
        switch kind {
        case .openai:
            ProviderPreset(baseURL: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY")
        case .openrouter:
            ProviderPreset(baseURL: "https://openrouter.ai/api/v1", model: "openai/gpt-4o-mini",
                           apiKeyEnv: "OPENROUTER_API_KEY")
        case .ollama:
            ProviderPreset(baseURL: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b", apiKeyEnv: nil)
        case .zen:
            ProviderPreset(baseURL: "https://opencode.ai/zen/v1", model: "qwen3-coder", apiKeyEnv: "OPENCODE_API_KEY")
        case .local:
            ProviderPreset(baseURL: "http://127.0.0.1:8080/v1", model: "local", apiKeyEnv: nil)
        }
    }
}
