/// One MCP server that sparks may call tools on.
public struct MCPServerConfig: Sendable, Hashable {
    public enum Transport: Sendable, Hashable {
        /// A local command speaking MCP on its stdin/stdout. `env` adds to the small base
        /// environment the launcher passes (values are never logged: they may be secrets).
        case stdio(command: String, args: [String], env: [String: String])
        /// A streamable-HTTP endpoint. Header values are never logged either.
        case http(url: String, headers: [String: String])
    }

    /// Lower-case letters, digits, `_` and `-`; part of every qualified tool name.
    public var name: String
    public var transport: Transport
    /// How long one tool call may take before it fails with a timeout (the server is kept).
    public var callTimeout: Duration
    /// How long starting the server (spawn + MCP initialize) may take.
    public var startTimeout: Duration
    /// Results longer than this (UTF-8 bytes) are cut, with a note `[truncated N bytes]`.
    public var maxResultBytes: Int
    /// How long a fetched tool list is trusted; `notifications/tools/list_changed` clears it sooner.
    public var toolsTTL: Duration
    /// Tool names that need approval before a call (the integrator enforces this).
    public var requiresConfirmation: Set<String>
    /// Whether the integrator's sandbox gives the server network access.
    public var allowNetwork: Bool
    /// Paths the integrator's sandbox exposes read-only to the server.
    public var roPaths: [String]

    public init(
        name: String, transport: Transport, callTimeout: Duration = .seconds(30), startTimeout: Duration = .seconds(30),
        maxResultBytes: Int = 64 * 1024, toolsTTL: Duration = .seconds(300), requiresConfirmation: Set<String> = [],
        allowNetwork: Bool = false, roPaths: [String] = []
    ) {
        self.name = name
        self.transport = transport
        self.callTimeout = callTimeout
        self.startTimeout = startTimeout
        self.maxResultBytes = maxResultBytes
        self.toolsTTL = toolsTTL
        self.requiresConfirmation = requiresConfirmation
        self.allowNetwork = allowNetwork
        self.roPaths = roPaths
    }

    /// Whether `name` is a valid server name.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}

/// The exact process to start for a stdio server: what a launcher returns.
public struct MCPLaunch: Sendable, Hashable {
    /// An absolute path (the launcher resolves names on PATH).
    public var executable: String
    public var arguments: [String]
    /// The complete environment of the process.
    public var environment: [String: String]
    /// nil: sparks' own working directory.
    public var workingDirectory: String?

    public init(executable: String, arguments: [String], environment: [String: String], workingDirectory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// Turns a stdio server's configuration into the process to start. The default runs the command
/// directly; the integrator wraps it in a sandbox (bubblewrap) instead.
public typealias MCPLauncher = @Sendable (MCPServerConfig) throws -> MCPLaunch
