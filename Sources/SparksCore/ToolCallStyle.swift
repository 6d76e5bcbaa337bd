/// How a model is asked for tool calls.
public enum ToolCallStyle: String, Sendable {
    /// Native tool calls; on "this model does not support tools" switch to JSON and stay there.
    case auto
    case native
    case json
    /// JSON-in-text tool calls with the reply held to a JSON schema of the offered tools by the
    /// server's grammar (llama.cpp): even a tiny model then names a real tool with well-formed
    /// arguments, or gives its answer as `{"answer": …}`.
    case constrained
}
