import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksMCP
import SparksOrchestrator

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "The MCP servers of [[mcp.servers]]: their health, their tools, and a call by hand.",
        discussion: """
            Stdio servers run inside the sandbox (no network unless `network = true`; only the
            paths their command, arguments and `ro_paths` name are visible besides the system's).
            A spark gets a server's tools through its allowlist: `mcp:<server>:<tool>` or
            `mcp:<server>:*`; the model sees them as mcp__<server>__<tool>.

            Examples:
              sparks mcp list
              sparks mcp tools files
              sparks mcp call files read_file --args '{"path": "README.md"}'
            """,
        subcommands: [List.self, Tools.self, Call.self])

    /// The registry for the configuration, and its shutdown.
    static func withRegistry(_ options: GlobalOptions, _ body: (SparksConfig, MCPRegistry) async throws -> Void) async throws {
        let config = try CLI.loadConfig(options).config
        let store = try CLI.openStore(config)
        guard let registry = try MCPSetup.registry(config: config, sandbox: try SandboxFactory.make(config.sandbox), store: store,
                                                   logger: CLI.logger(verbose: options.verbose))
        else {
            throw SparksError(.invalidInput, "no MCP server is configured", hint: "add a [[mcp.servers]] entry to the configuration")
        }
        do {
            try await body(config, registry)
        } catch {
            await registry.shutdown()
            throw error
        }
        await registry.shutdown()
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each server: transport, whether it starts, how many tools it has.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                try await MCPCommand.withRegistry(options) { config, registry in
                    for server in config.mcpServers {
                        let transport = server.url.map { "http \($0)" } ?? "stdio \(server.command ?? "")"
                        do {
                            let tools = try await registry.tools(server: server.name)
                            Terminal.out("\(server.name)\tready\t\(tools.count) tool(s)\t\(transport)")
                        } catch {
                            Terminal.out("\(server.name)\tFAILED\t\(String("\(error)".prefix(200)))\t\(transport)")
                        }
                    }
                }
            }
        }
    }

    struct Tools: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tools of one server (or all), with their descriptions.")
        @Argument(help: "A server's name.") var server: String?
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                try await MCPCommand.withRegistry(options) { _, registry in
                    let tools: [MCPToolInfo]
                    do { tools = try await registry.tools(server: server) } catch {
                        throw SparksError(.toolFailed, "\(error)")
                    }
                    if json {
                        Terminal.out(JSONValue.array(tools.map {
                            .object(["name": .string($0.qualifiedName), "model_name": .string(MCPTool.wireName(server: $0.server, tool: $0.name)),
                                     "description": .string($0.description), "input_schema": JSONValue.parse($0.inputSchema) ?? .null])
                        }).canonicalText)
                        return
                    }
                    for tool in tools { Terminal.out("\(tool.qualifiedName)\t\(tool.description.split(separator: "\n").first ?? "")") }
                }
            }
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Call one tool with JSON arguments and print its result.")
        @Argument(help: "The server's name.") var server: String
        @Argument(help: "The tool's name.") var tool: String
        @Option(name: .long, help: ArgumentHelp("The arguments as a JSON object.", valueName: "json")) var args = "{}"
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                guard case .object? = JSONValue.parse(args) else {
                    throw SparksError(.invalidInput, "--args must be a JSON object, e.g. '{\"path\": \"README.md\"}'")
                }
                try await MCPCommand.withRegistry(options) { _, registry in
                    let result: MCPCallResult
                    do { result = try await registry.call(MCPToolInfo.qualifiedName(server: server, tool: tool), argumentsJSON: args) } catch {
                        throw SparksError(.toolFailed, "\(error)")
                    }
                    Terminal.out(result.text)
                    Terminal.error("\(result.isError ? "the tool reported an error" : "ok") · \(String(format: "%.1f", result.durationMs)) ms"
                        + (result.truncated ? " · truncated" : ""))
                    if result.isError { throw SparksError(.toolFailed, "\(server):\(tool) reported an error") }
                }
            }
        }
    }
}
