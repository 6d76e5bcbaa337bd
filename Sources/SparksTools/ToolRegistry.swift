import SparksCore

/// The tools Sparks provides, and the subset each spark may use.
public struct ToolRegistry: Sendable {
    public let tools: [String: any Tool]

    public init(tools: [any Tool]) {
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every built-in tool. Their names are `SparkDefinition.knownToolNames`.
    public static func builtIn() -> ToolRegistry {
        ToolRegistry(tools: [FileReadTool(), FileWriteTool(), FileEditTool(), GrepTool(), GlobTool(), ListDirTool(),
                                    ShellTool(), GitTool(), HTTPFetchTool(), CodingCLITool(), MemorySearchTool(),
                                    MemoryStoreTool()])
    }

    /// The spark's allowlist, in the order it lists them. Names without a tool are an error;
    /// MCP tools (`mcp:<server>:<tool>`) are resolved by the MCP registry, not here.
    public func tools(for spark: SparkDefinition) throws(SparksError) -> [any Tool] {
        var result: [any Tool] = []
        for name in spark.tools where !name.hasPrefix("mcp:") {
            guard let tool = tools[name] else {
                throw SparksError(.configInvalid, "spark `\(spark.name)` lists tool \"\(name)\", which does not exist",
                                  hint: "known tools: " + tools.keys.sorted().joined(separator: ", "))
            }
            result.append(tool)
        }
        return result
    }
}
