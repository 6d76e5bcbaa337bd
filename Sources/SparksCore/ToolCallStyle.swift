/// How a model is asked for tool calls.
public enum ToolCallStyle: String, Sendable {
    /// Native tool calls; on "this model does not support tools" switch to JSON and stay there.
    case auto
    case native
    case json
}
