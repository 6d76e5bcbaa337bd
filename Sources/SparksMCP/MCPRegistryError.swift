import Foundation

/// Why an MCP operation failed: a stable `code` for events and error bodies, and a message that
/// says what went wrong and what to do. Messages never carry environment or header values.
/// (Named apart from the SDK's `MCPError`, so files may import both modules.)
public enum MCPRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidConfig(String)
    case unknownServer(String, known: [String])
    /// The name is not of the form `mcp:<server>:<tool>`.
    case invalidToolName(String)
    case unknownTool(server: String, tool: String, available: [String])
    case invalidArguments(tool: String, reason: String)
    /// The call took longer than the server's `callTimeout`; it was cancelled, the server kept.
    case timeout(server: String, tool: String, after: Duration)
    /// The server's process ended (or its HTTP session was lost) during the operation.
    case serverExited(server: String, detail: String)
    case startFailed(server: String, reason: String)
    /// The server answered with a JSON-RPC error or something that is not MCP.
    case protocolError(server: String, message: String)
    /// The server failed to start too many times in a row; `MCPRegistry.reset(server:)` retries.
    case gaveUp(server: String, attempts: Int, lastError: String)
    case shutDown
    case cancelled

    /// Stable, machine-readable code.
    public var code: String {
        switch self {
        case .invalidConfig: "mcp_invalid_config"
        case .unknownServer: "mcp_unknown_server"
        case .invalidToolName: "mcp_unknown_tool"
        case .unknownTool: "mcp_unknown_tool"
        case .invalidArguments: "mcp_invalid_arguments"
        case .timeout: "mcp_timeout"
        case .serverExited: "mcp_server_exited"
        case .startFailed: "mcp_start_failed"
        case .protocolError: "mcp_protocol_error"
        case .gaveUp: "mcp_gave_up"
        case .shutDown: "mcp_shut_down"
        case .cancelled: "cancelled"
        }
    }

    /// The server the error is about, when there is one.
    public var server: String? {
        switch self {
        case .unknownServer(let server, _): server
        case .unknownTool(let server, _, _), .timeout(let server, _, _), .serverExited(let server, _),
            .startFailed(let server, _), .protocolError(let server, _), .gaveUp(let server, _, _):
            server
        case .invalidConfig, .invalidToolName, .invalidArguments, .shutDown, .cancelled: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidConfig(let message):
            return "invalid MCP configuration: \(message)"
        case .unknownServer(let server, let known):
            let list = known.isEmpty ? "none is configured" : "configured: \(known.joined(separator: ", "))"
            return "no MCP server named '\(server)' (\(list))"
        case .invalidToolName(let name):
            return "'\(name)' is not an MCP tool name (expected mcp:<server>:<tool>)"
        case .unknownTool(let server, let tool, let available):
            let list = available.isEmpty ? "it offers no tools" : "it offers: \(available.joined(separator: ", "))"
            return "MCP server '\(server)' has no tool '\(tool)' (\(list))"
        case .invalidArguments(let tool, let reason):
            return "the arguments for '\(tool)' are not a JSON object: \(reason)"
        case .timeout(let server, let tool, let after):
            return "MCP tool '\(tool)' on server '\(server)' did not answer within \(after.shortText) and was cancelled; "
                + "the server is still running (raise call_timeout if the tool is just slow)"
        case .serverExited(let server, let detail):
            return "MCP server '\(server)' stopped during the call: \(detail)\n(the next call restarts it)"
        case .startFailed(let server, let reason):
            return "MCP server '\(server)' could not be started: \(reason)"
        case .protocolError(let server, let message):
            return "MCP server '\(server)' answered with an error: \(message)"
        case .gaveUp(let server, let attempts, let lastError):
            return "MCP server '\(server)' failed to start \(attempts) times in a row, so sparks gave up on it "
                + "(fix its configuration, then reset it); last error: \(lastError)"
        case .shutDown:
            return "the MCP registry is shut down"
        case .cancelled:
            return "the MCP call was cancelled"
        }
    }
}

extension Duration {
    /// `1s`, `1.5s`, `250ms`.
    var shortText: String {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return String(format: "%.1fs", Double(milliseconds) / 1000)
    }

    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
