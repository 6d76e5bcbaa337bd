import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksMCP
import SparksSandbox
import SparksStore

/// Turns `[[mcp.servers]]` into a registry whose stdio servers start inside the sandbox: no
/// network unless the server's `network = true`, its own writable directory under
/// `$SPARKS_HOME/mcp/<name>`, read-only access to the system, to the paths its command and
/// arguments name, and to its `ro_paths`; variables only those its `env` lists.
public enum MCPSetup {
    public static func servers(_ config: SparksConfig) -> [MCPServerConfig] {
        config.mcpServers.map { server in
            let transport: MCPServerConfig.Transport = if let url = server.url {
                .http(url: url, headers: server.headers.mapValues { $0.reveal() })
            } else {
                .stdio(command: server.command ?? "", args: server.args, env: server.env.mapValues { $0.reveal() })
            }
            return MCPServerConfig(name: server.name, transport: transport, callTimeout: .seconds(server.timeoutSecs),
                                   maxResultBytes: server.maxResultBytes, toolsTTL: .seconds(config.mcpToolsTTLSecs),
                                   requiresConfirmation: Set(server.requiresConfirmation), allowNetwork: server.network,
                                   roPaths: server.roPaths)
        }
    }

    /// The registry, or nil when no MCP server is configured. Events go to the store.
    public static func registry(config: SparksConfig, sandbox: any Sandbox, store: SparksStore?, logger: Logger) throws(SparksError)
        -> MCPRegistry?
    {
        guard !config.mcpServers.isEmpty else { return nil }
        let launcher = Self.launcher(home: config.home, sandbox: sandbox)
        do {
            return try MCPRegistry(servers: servers(config), launcher: launcher, onEvent: { event in
                store?.emit(.mcpServer, "\(event.server) \(event.kind.rawValue): \(event.detail.prefix(300))",
                           details: .object(["server": .string(event.server), "kind": .string(event.kind.rawValue)]))
            }, logger: logger)
        } catch {
            throw SparksError(.configInvalid, error.description, hint: "check [[mcp.servers]] in the configuration")
        }
    }

    /// Starts stdio servers inside bubblewrap (or directly with the `none` backend, which the
    /// user chose to be unsandboxed); the Docker backend cannot host them.
    static func launcher(home: String, sandbox: any Sandbox) -> MCPLauncher {
        { config in
            guard case .stdio(let command, let args, let env) = config.transport else {
                throw MCPRegistryError.invalidConfig("MCP server '\(config.name)' is not a stdio server; it has nothing to launch")
            }
            if sandbox is HostSandbox { return try MCPRegistry.directLauncher(config) }
            guard let bubblewrap = sandbox as? BubblewrapSandbox else {
                throw MCPRegistryError.startFailed(server: config.name,
                                                   reason: "stdio MCP servers run inside bubblewrap; the \(sandbox.kind) backend cannot host them")
            }
            let directory = (home as NSString).appendingPathComponent("mcp/\(config.name)")
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw MCPRegistryError.startFailed(server: config.name, reason: "cannot create \(directory)")
            }
            let resolved = try MCPRegistry.directLauncher(MCPServerConfig(name: config.name, transport: .stdio(command: command, args: args, env: [:])))
            // The files the command line names: the program, scripts and data given as arguments.
            let named = ([resolved.executable] + args).filter { $0.hasPrefix("/") && FileManager.default.fileExists(atPath: $0) }
            var limits = SandboxLimits()
            limits.cpuSecs = 86_400
            limits.timeoutSecs = 86_400
            let policy = SandboxPolicy(writablePaths: [directory], readOnlyPaths: named + config.roPaths, limits: limits)
            // Values (possibly secrets) go through a private file the server's shell reads and
            // deletes, never through bwrap's command line, which any local user could read.
            var arguments = [resolved.executable] + args
            if !env.isEmpty {
                let file = (directory as NSString).appendingPathComponent(".sparks-env")
                let text = env.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value.replacingOccurrences(of: "'", with: "'\\''"))'" }
                    .joined(separator: "\n") + "\n"
                guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw MCPRegistryError.startFailed(server: config.name, reason: "cannot write the server's environment file")
                }
                arguments = ["/bin/sh", "-c", #". "$0"; rm -f "$0"; exec "$@""#, file] + arguments
            }
            let launch: BubblewrapSandbox.LongLivedLaunch
            do {
                launch = try bubblewrap.longLivedLaunch(SandboxCommand(arguments: arguments, workingDirectory: directory), policy: policy,
                                                        shareNetwork: config.allowNetwork)
            } catch {
                throw MCPRegistryError.startFailed(server: config.name, reason: (error as? SparksError)?.message ?? "\(error)")
            }
            return MCPLaunch(executable: launch.executable, arguments: launch.arguments, environment: launch.environment)
        }
    }
}
