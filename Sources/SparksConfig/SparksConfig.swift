import SparksCore

/// How Sparks reaches its language model.
public struct LLMSettings: Sendable {
    public var provider: ProviderKind
    public var baseURL: String
    public var model: String
    /// The variable the key is read from when `SPARKS_LLM_API_KEY` is not set.
    public var apiKeyEnv: String?
    /// The resolved key, if any; never printed.
    public var apiKey: Secret?
    public var timeoutSecs: Int
    public var maxRetries: Int
    public var contextWindow: Int
    public var maxTokens: Int
    public var temperature: Double
    public var toolMode: ToolCallStyle
}

public struct AgentSettings: Sendable {
    public var maxSteps: Int
    public var dispatchWaitSecs: Int
    public var loopGuard: LoopGuardSettings
}

public struct ToolSettings: Sendable {
    public var maxOutputChars: Int
}

/// How spark processes are isolated and bounded.
public struct SandboxSettings: Sendable {
    public var backend: SandboxBackend
    public var limits: SandboxLimits
    /// Extra host directories visible read-only inside the sandbox.
    public var readOnlyPaths: [String]
    /// The image for the Docker backend.
    public var dockerImage: String?
    /// Hosts sparks may reach through the allowlist proxy; empty means no network at all.
    public var allowedHosts: [String] = []
    /// Shell commands matching one of these regular expressions need a person's approval.
    public var confirmPatterns: [String]

    /// The original's list, less `rm`, `kill` and `unlink`: a spark works on its own clone, so
    /// deleting files there is undoable, and the sandbox keeps everything else out of reach.
    public static let defaultConfirmPatterns = [
        "sudo", "curl.*\\|.*sh", "chmod.*777", "shred\\s", "find\\s.*-delete", "dd\\s.*of=", "curl\\s", "wget\\s",
        "nc\\s", "apt\\s", "apt-get\\s", "pip\\s", "config\\.toml", "\\.env", "/etc/", "~/\\.ssh", "git\\s+push",
    ]
}

/// The merged, validated configuration.
public struct SparksConfig: Sendable {
    /// `$SPARKS_HOME`: the database, history and `config.toml` live here.
    public var home: String
    public var databasePath: String
    public var llm: LLMSettings
    public var agent: AgentSettings
    public var tools: ToolSettings
    public var sandbox: SandboxSettings
    /// A directory that is not a git repository is copied for a task (true) or refused (false).
    public var copyNonGitDirectories: Bool
    public var memory: MemorySettings
    /// Built-in sparks merged with configured ones (a configured spark replaces a built-in of the same name).
    public var sparks: [SparkDefinition]

    public func spark(named name: String) -> SparkDefinition? {
        sparks.first { $0.name == name }
    }
}

/// One line of `sparks config show`: a key, its value as text, and where it came from.
public struct ConfigEntry: Sendable {
    public var key: String
    public var value: String
    public var source: ConfigSource
}

/// The result of loading: the configuration, where each value came from, and warnings to show.
public struct LoadedConfig: Sendable {
    public var config: SparksConfig
    public var entries: [ConfigEntry]
    public var warnings: [String]
    /// Files that were read, in order of precedence (lowest first).
    public var files: [String]
}
