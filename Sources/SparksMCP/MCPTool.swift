import Foundation
import SparksCore
import SparksTools

/// One MCP server's tool as a spark sees it. The configuration and events name it
/// `mcp:<server>:<tool>`; the model calls it `mcp__<server>__<tool>` (OpenAI function names allow
/// only letters, digits, `_` and `-`).
public struct MCPTool: Tool {
    public let info: MCPToolInfo
    public let registry: MCPRegistry
    /// Calls need a person's approval first (`requires_confirmation`).
    public let needsApproval: Bool

    public init(info: MCPToolInfo, registry: MCPRegistry, needsApproval: Bool) {
        self.info = info
        self.registry = registry
        self.needsApproval = needsApproval
    }

    public var name: String { Self.wireName(server: info.server, tool: info.name) }
    public var description: String { "[\(info.qualifiedName)] " + (info.description.isEmpty ? "A tool of the MCP server \(info.server)." : info.description) }
    public var parameters: JSONValue { JSONValue.parse(info.inputSchema) ?? .object(["type": "object"]) }
    public var risk: ToolRisk { .execute }

    /// `mcp__server__tool`, cut to the 64 characters function names may have.
    public static func wireName(server: String, tool: String) -> String {
        let cleaned = tool.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }
        return String(("mcp__\(server)__" + String(cleaned)).prefix(64))
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let json = JSONValue.object(arguments.values).canonicalText
        if needsApproval {
            let detail = "\(info.qualifiedName) \(json.prefix(300))"
            guard let confirmer = context.execution?.confirmer else {
                throw SparksError(.confirmationRequired, "\(ReasonCode.confirmationRequired.marker) \(info.qualifiedName) needs a person's "
                    + "approval (requires_confirmation), but no one can approve in this run. Find another way.")
            }
            guard await confirmer(info.qualifiedName, detail) else {
                throw SparksError(.confirmationRequired, "The user denied this action. Try a different approach.")
            }
        }
        let result: MCPCallResult
        do {
            result = try await registry.call(info.qualifiedName, argumentsJSON: json)
        } catch {
            throw SparksError(.toolFailed, error.description)
        }
        guard !result.isError else { throw SparksError(.toolFailed, "\(info.qualifiedName) failed: \(result.text.prefix(2000))") }
        var text = result.text
        if text.count > context.maxOutputChars { text = String(text.prefix(context.maxOutputChars)) + "\n[output cut at \(context.maxOutputChars) characters]" }
        return ToolOutput(text)
    }
}

extension MCPRegistry {
    /// The tools a spark's allowlist grants: `mcp:<server>:<tool>` or `mcp:<server>:*`. A named
    /// tool the server does not have is an error; a server that cannot start is reported in
    /// `unavailable` (the spark runs without its tools).
    public func sparkTools(_ names: [String], confirm: (String) -> Set<String>) async
        -> (tools: [MCPTool], unavailable: [String: String], missing: [String])
    {
        var tools: [MCPTool] = []
        var unavailable: [String: String] = [:]
        var missing: [String] = []
        var byServer: [String: [MCPToolInfo]] = [:]
        for name in names where name.hasPrefix("mcp:") {
            guard let (server, tool) = MCPToolInfo.parse(qualifiedName: name.hasSuffix(":*") ? String(name.dropLast(2)) + ":x" : name) else {
                missing.append(name)
                continue
            }
            if byServer[server] == nil, unavailable[server] == nil {
                do { byServer[server] = try await self.tools(server: server) } catch { unavailable[server] = error.description }
            }
            guard let available = byServer[server] else { continue }
            let wanted = name.hasSuffix(":*") ? available : available.filter { $0.name == tool }
            if wanted.isEmpty { missing.append(name) }
            let approvals = confirm(server)
            for info in wanted where !tools.contains(where: { $0.info == info }) {
                tools.append(MCPTool(info: info, registry: self, needsApproval: approvals.contains(info.name) || approvals.contains("*")))
            }
        }
        return (tools, unavailable, missing)
    }
}
