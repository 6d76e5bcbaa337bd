import Foundation

extension MCPRegistry {
    /// Variables passed from sparks' own environment to a directly launched server; everything
    /// else (API keys, tokens) stays out unless the server's `env` names it.
    public static let inheritedEnvironment: Set<String> = [
        "HOME", "LOGNAME", "USER", "PATH", "SHELL", "TERM", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ",
    ]

    /// Runs a stdio server's command directly: resolves it on PATH (the server's `env["PATH"]`
    /// first, then sparks'), with the inherited base environment plus the server's `env`.
    public static let directLauncher: MCPLauncher = { config in
        guard case .stdio(let command, let args, let env) = config.transport else {
            throw MCPRegistryError.invalidConfig("MCP server '\(config.name)' is not a stdio server; it has nothing to launch")
        }
        let own = ProcessInfo.processInfo.environment
        var environment = own.filter { inheritedEnvironment.contains($0.key) }
        environment.merge(env) { _, configured in configured }
        let executable: String
        if command.contains("/") {
            guard Posix.isExecutableFile(command) else {
                throw MCPRegistryError.startFailed(
                    server: config.name, reason: "the command '\(command)' does not exist or is not executable")
            }
            executable = command
        } else {
            let path = environment["PATH"] ?? own["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            guard let found = Posix.which(command, path: path) else {
                throw MCPRegistryError.startFailed(
                    server: config.name, reason: "the command '\(command)' was not found on PATH")
            }
            executable = found
        }
        return MCPLaunch(executable: executable, arguments: args, environment: environment)
    }
}
