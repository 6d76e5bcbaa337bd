import Foundation

/// A tool that an MCP server offers.
public struct MCPToolInfo: Sendable, Hashable {
    public var server: String
    public var name: String
    /// `mcp:<server>:<tool>`, the name sparks calls it by.
    public var qualifiedName: String
    public var description: String
    /// The tool's input JSON Schema, as JSON text.
    public var inputSchema: String

    public init(server: String, name: String, description: String, inputSchema: String) {
        self.server = server
        self.name = name
        self.qualifiedName = MCPToolInfo.qualifiedName(server: server, tool: name)
        self.description = description
        self.inputSchema = inputSchema
    }

    public static func qualifiedName(server: String, tool: String) -> String {
        "mcp:\(server):\(tool)"
    }

    /// Splits `mcp:<server>:<tool>`; nil when the name is not of that form.
    public static func parse(qualifiedName: String) -> (server: String, tool: String)? {
        guard qualifiedName.hasPrefix("mcp:") else { return nil }
        let rest = qualifiedName.dropFirst(4)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let server = rest[..<colon]
        let tool = rest[rest.index(after: colon)...]
        guard !server.isEmpty, !tool.isEmpty else { return nil }
        return (String(server), String(tool))
    }
}

/// What a tool call returned, as text for the model.
public struct MCPCallResult: Sendable, Hashable {
    /// The result's content as text (text parts joined; other parts described).
    public var text: String
    /// The server reported the call as failed (`isError`): the text says why.
    public var isError: Bool
    /// The text was cut to the server's `maxResultBytes`.
    public var truncated: Bool
    public var durationMs: Double

    public init(text: String, isError: Bool, truncated: Bool, durationMs: Double) {
        self.text = text
        self.isError = isError
        self.truncated = truncated
        self.durationMs = durationMs
    }
}

/// The state of one server's process or session.
public enum MCPHealth: Sendable, Equatable {
    case notStarted
    case starting
    case ready
    /// It crashed or failed to start; the next call starts it again after a backoff.
    case restarting(attempt: Int, lastError: String)
    /// It failed to start too many times in a row; calls fail until `reset(server:)`.
    case failed(String)
}

/// Something that happened to a server, for the event stream.
public struct MCPRegistryEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case started, crashed, restarted, toolsChanged, failed
    }

    public var kind: Kind
    public var server: String
    /// What happened, in words (a crash carries the exit and the tail of stderr).
    public var detail: String

    public init(kind: Kind, server: String, detail: String) {
        self.kind = kind
        self.server = server
        self.detail = detail
    }
}

/// Call latencies measured by `MCPRegistry.measureLatency`.
public struct MCPLatencyReport: Sendable, Hashable, CustomStringConvertible {
    public var calls: Int
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var meanMs: Double
    public var maxMs: Double

    public init(samplesMs: [Double]) {
        let sorted = samplesMs.sorted()
        func percentile(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)
            return sorted[max(0, index)]
        }
        calls = sorted.count
        p50Ms = percentile(0.50)
        p95Ms = percentile(0.95)
        p99Ms = percentile(0.99)
        meanMs = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        maxMs = sorted.last ?? 0
    }

    public var description: String {
        func ms(_ value: Double) -> String { String(format: "%.2f", value) }
        return "\(calls) calls: p50 \(ms(p50Ms)) ms, p95 \(ms(p95Ms)) ms, p99 \(ms(p99Ms)) ms, "
            + "mean \(ms(meanMs)) ms, max \(ms(maxMs)) ms"
    }
}
