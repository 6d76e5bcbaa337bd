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
    /// How the server takes a JSON schema for replies (derived from the provider unless set).
    public var structuredOutput: StructuredOutputMode = .none
}

/// How a provider takes a reply schema (`llm.structured_output`).
public enum StructuredOutputMode: String, Sendable, CaseIterable {
    case none
    case jsonSchema = "json_schema"
    case jsonObjectSchema = "json_object_schema"
}

/// The llama.cpp-compatible server behind `provider = "local"` (`[local_model]`).
public struct LocalModelSettings: Sendable {
    /// The GGUF file; default: SmolLM2-135M-Instruct under `$SPARKS_HOME/models/`.
    public var modelPath: String
    /// The Python with `llama-cpp-python[server]` installed; default: `$SPARKS_HOME/venv/bin/python3`.
    public var python: String
    /// Start, watch and stop the server (true), or only connect to one already running (false).
    public var manage = true
    public var contextSize = 8192
    public var threads: Int
    /// `--chat_format` for a GGUF without a chat template.
    public var chatFormat: String?
    public var startupTimeoutSecs = 180

    public static let defaultModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf"

    public init(home: String, threads: Int) {
        modelPath = home + "/models/" + Self.defaultModelFile
        python = home + "/venv/bin/python3"
        self.threads = threads
    }
}

public struct AgentSettings: Sendable {
    public var maxSteps: Int
    public var dispatchWaitSecs: Int
    public var loopGuard: LoopGuardSettings
    /// Small-model steering (`agent.steering`): on by default for the local provider.
    public var steering = false
}

public struct ToolSettings: Sendable {
    public var maxOutputChars: Int
}

/// Delegation to coding CLIs (`[coding_cli]`): the `coding_cli` tool runs Claude Code, Codex or
/// opencode inside the task's sandbox, in its workspace.
public struct CodingCLISettings: Sendable {
    public static let known = ["claude_code", "codex", "opencode"]
    /// The order to try when neither the task nor the spark names a CLI and no CLI has a record in
    /// the repository and lane yet.
    public var order = CodingCLISettings.known
    /// A directory with the CLIs' executables, shown read-only in the sandbox and put first on PATH
    /// (else they must be under /usr or /opt).
    public var binDirectory: String?
    /// Variables the CLIs get (API keys): `NAME` from Sparks' environment or `NAME=secret:REF`.
    public var environment: [String: Secret] = [:]
    public var timeoutSecs = 900

    public init() {}
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

/// How work is queued, screened and allowed to act.
public struct OrchestrationSettings: Sendable {
    /// The autonomy ladder: 0 observe, 1 remember, 2 suggest, 3 act in a worktree, 4 act and merge
    /// when verified. Each action point checks it.
    public var autonomy: Int = 3
    /// Chat messages go through the router (answer, or hand to a spark); off means plain chat.
    public var routeChat = true
    /// Tasks running at once, in all, and per repository.
    public var maxConcurrent = 2
    public var perRepository = 2
    /// Starts per task, counting retries after transient model failures and interruptions.
    public var maxAttempts = 3
    /// The first retry waits this long; each further one twice as long.
    public var retryBackoffSecs = 30
    /// After a crash: put interrupted tasks back in the queue (`requeue`) or end them (`fail`).
    public var requeueInterrupted = true
    /// A running task whose worker has not reported for this long is failed (`stale_started`).
    public var staleAfterSecs = 1800
    public var scanner = ScannerSettings()
    public var schedulerEnabled = true
    /// IANA time zone for cron jobs without one.
    public var schedulerTimeZone = "UTC"
    /// `skip` or `run_once` for runs missed while Sparks was not running.
    public var missedRuns = "skip"
    /// A/B test: this spark (the challenger) gets `abTestFraction` of the tasks selection would
    /// route elsewhere (`[selection] ab_test_spark`, `ab_test_fraction`).
    public var abTestSpark: String?
    public var abTestFraction = 0.0

    public init() {}
}

/// Where task traces go (`[langfuse]`); the keys come from the environment, never the file.
public struct LangfuseConfig: Sendable {
    public var baseURL: String
    public var publicKey: Secret
    public var secretKey: Secret
}

/// OpenTelemetry export (`[otel]`): on when an endpoint is configured or in
/// `OTEL_EXPORTER_OTLP_ENDPOINT`; headers (credentials) only from `OTEL_EXPORTER_OTLP_HEADERS`.
public struct OTelConfig: Sendable {
    /// The full OTLP/HTTP traces URL (`…/v1/traces`).
    public var tracesURL: String
    public var headers: [(String, Secret)]
    public var serviceName: String
}

/// The HTTP server of `sparks serve` (`[api]`): the dashboard, `/metrics`, `/health`.
public struct APISettings: Sendable {
    /// `host:port`; loopback by default. Anything else needs keys.
    public var bind = "127.0.0.1:8787"
    /// Off: `sparks serve` starts no HTTP server.
    public var enabled = true
    /// Bearer keys (from `SPARKS_API_KEYS`, comma-separated).
    public var keys: [Secret] = []
    /// Where sparks work for API requests that name no `metadata.repository`; nil = the
    /// directory `sparks serve` started in.
    public var repository: String?
    public var requestsPerMinute = 120
    public var burst = 30
    public var maxBodyBytes = 1 << 20

    public init() {}

    /// The host and port of `bind`, or nil when it does not parse.
    public static func parseBind(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// One `[[webhooks]]` rule: which GitHub deliveries become tasks, and how.
public struct WebhookRule: Sendable, Hashable {
    /// `issues.labeled`, `issues.opened`, `pull_request.labeled`, `issue_comment.created`,
    /// `pull_request_review_comment.created`.
    public var event: String
    /// For `*.labeled`: the label that was added (any label when nil).
    public var label: String?
    /// For comments: the prefix that makes a comment a command (e.g. `/sparks`); the rest is the goal.
    public var command: String?
    /// Only deliveries from this GitHub repository (`owner/name`).
    public var repo: String?
    public var spark: String?
    public var lane = "ticket_intake"
    public var risk = "medium"
    /// Where the task works; nil = `[webhook] repository`.
    public var repository: String?
    public var verify: String?
    /// `file:line` of the rule, for messages.
    public var source: String

    public init(event: String, source: String) {
        self.event = event
        self.source = source
    }
}

/// One MCP server (`[[mcp.servers]]`): a command started inside the sandbox (stdio) or a
/// streamable-HTTP URL.
public struct MCPServerSettings: Sendable {
    public var name: String
    public var command: String?
    public var args: [String] = []
    /// Variables passed to a stdio server: `NAME` (taken from Sparks' environment) or
    /// `NAME=value` (the value may be `secret:REF`).
    public var env: [String: Secret] = [:]
    public var url: String?
    /// HTTP headers; values may be `secret:REF`.
    public var headers: [String: Secret] = [:]
    public var timeoutSecs = 30
    public var maxResultBytes = 64 * 1024
    public var requiresConfirmation: [String] = []
    /// Give a stdio server the host's network (off: it has none).
    public var network = false
    /// Files and directories a stdio server may read besides the system's (a virtualenv, node_modules).
    public var roPaths: [String] = []
    /// `file:line`, for messages.
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

/// The Telegram front-end (`[telegram]`).
public struct TelegramSettings: Sendable {
    /// The bot token (`secret:NAME`, or `TELEGRAM_BOT_TOKEN`); nil = not configured.
    public var token: Secret?
    public var allowedUsers: [Int64] = []
    public var repository: String?
    public var apiBaseURL = "https://api.telegram.org"
    public var pollTimeoutSecs = 30
    /// A Whisper-compatible speech-to-text API (`…/v1`); voice notes are refused without one.
    public var sttURL: String?
    public var sttKey: Secret?
    public var sttModel = "whisper-large-v3"

    public init() {}
}

/// Signed webhooks (`[webhook]`, `[[webhooks]]`).
public struct WebhookSettings: Sendable {
    /// The GitHub webhook secret (HMAC-SHA256 key); `/hooks/github` answers 404 without one.
    public var githubSecret: Secret?
    public var repository: String?
    public var maxBodyBytes = 1 << 20
    public var rules: [WebhookRule] = []

    public init() {}
}

/// One tracker Sparks takes tickets from (`[[tickets.sources]]`).
public struct TicketSourceSettings: Sendable {
    /// `github`, `gitlab`, `jira` or `linear`.
    public var provider: String
    /// GitHub `owner/name`, GitLab project path or id, Jira project key, Linear team key.
    public var repo: String
    /// Only tickets with this label become tasks.
    public var label = "sparks"
    /// The API token (`secret:NAME`, or the provider's usual variable: GH_TOKEN, GITLAB_TOKEN,
    /// JIRA_API_TOKEN, LINEAR_API_KEY); nil = polling skips this source with an event.
    public var token: Secret?
    /// Jira's account email (or JIRA_EMAIL).
    public var email: String?
    /// The API base; nil = the provider's public one (Jira has none: required there).
    public var apiBase: String?
    /// The checkout the tasks work in.
    public var repository: String
    /// The spark when the ticket names none with a `sparks:<name>` label; nil = selection decides.
    public var spark: String?
    public var verify: String?
    /// The secret that signs this tracker's webhook deliveries; nil = its webhook is refused.
    public var webhookSecret: Secret?
    /// Close the ticket when its task succeeds (a comment is always left).
    public var closeOnSuccess = true
    /// Poll this source (false: webhook deliveries only).
    public var poll = true
    /// `file:line`, for messages.
    public var source: String

    public init(provider: String, repo: String, repository: String, source: String) {
        self.provider = provider
        self.repo = repo
        self.repository = repository
        self.source = source
    }

    /// `github:owner/name`: how events and the intake log name the source.
    public var name: String { "\(provider):\(repo)" }
}

/// Ticket intake (`[tickets]`, `[[tickets.sources]]`).
public struct TicketSettings: Sendable {
    /// Poll the sources from `sparks serve` (webhooks work whenever a source has a secret).
    public var enabled = false
    public var pollIntervalSecs = 300
    /// How often finished ticket tasks are reported back (comment, close).
    public var writebackIntervalSecs = 30
    public var sources: [TicketSourceSettings] = []

    public init() {}
}

/// The prompt scanner's settings as configured (`[scanner]`).
public struct ScannerSettings: Sendable {
    public var enabled = true
    /// `block` (score ≥ block threshold stops the request) or `flag_only`.
    public var mode = "block"
    public var flagThreshold = 4
    public var blockThreshold = 8
    public var allowRepos: [String] = []
    public var allowAuthors: [String] = []
    public var allowPatterns: [String] = []
    /// Also ask the learned classifier (needs the embedding model); off by default.
    public var classifier = false

    public init() {}
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
    public var localModel: LocalModelSettings
    public var orchestration = OrchestrationSettings()
    /// Dollars per million input and output tokens for KPI cost estimates; nil = the provider's default.
    /// Langfuse tracing: set when enabled and both keys are in the environment.
    public var langfuse: LangfuseConfig?
    /// OpenTelemetry tracing: set when an OTLP endpoint is configured.
    public var otel: OTelConfig?
    /// Every secret value Sparks knows (stored secrets, keys): redacted from logs, events,
    /// transcripts, traces and the tool output a model sees.
    public var knownSecrets: [Secret] = []
    public var api = APISettings()
    public var webhook = WebhookSettings()
    public var mcpServers: [MCPServerSettings] = []
    public var telegram = TelegramSettings()
    public var tickets = TicketSettings()
    public var codingCLI = CodingCLISettings()
    /// How long a server's tool list is trusted before it is fetched again.
    public var mcpToolsTTLSecs = 300
    public var priceInputPerMTok: Double?
    public var priceOutputPerMTok: Double?
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
