/// What part a spark plays when several work together.
public enum SparkRole: String, Sendable, Codable, CaseIterable {
    case coordinator, coder, critic, worker
}

/// How a spark works through a task.
public enum StrategyKind: String, Sendable, Codable, CaseIterable {
    /// A ReAct loop: the model thinks, calls tools, sees their results, and answers when done.
    case react
    /// Four phases: explore (read-only tools) → execute (all the spark's tools) → verify (the
    /// verify command in the sandbox; its exit code decides) → heal (the failure goes back to the
    /// model; bounded attempts).
    case code
}

/// A named agent: its purpose, its tools, and how it works.
public struct SparkDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    public var role: SparkRole
    public var strategy: StrategyKind
    /// The tool allowlist: only these tools are offered to the spark's model.
    public var tools: [String]
    /// A model to use instead of `[llm].model`.
    public var model: String?
    /// Overrides `[agent].max_steps` for this spark.
    public var maxSteps: Int?
    /// A command whose exit code decides whether the spark's work is accepted.
    public var verify: String?
    /// Sandbox limits that replace the `[sandbox]` defaults for this spark.
    public var limits = LimitOverrides()
    /// A sandbox backend other than `[sandbox].backend` for this spark.
    public var sandbox: SandboxBackend?
    /// The Docker image for this spark (Docker backend).
    public var image: String?
    /// Hosts this spark's commands may reach through the allowlist proxy (replaces `[sandbox] allowed_hosts`).
    public var allowedHosts: [String]?
    /// The coding CLI this spark's `coding_cli` tool prefers (`claude_code`, `codex`, `opencode`).
    public var cliTool: String?

    public struct LimitOverrides: Sendable, Hashable, Codable {
        public var timeoutSecs: Double?
        public var memoryMB: Int?
        public var maxProcesses: Int?

        public init() {}

        public func applied(to base: SandboxLimits) -> SandboxLimits {
            var limits = base
            if let timeoutSecs { limits.timeoutSecs = timeoutSecs }
            if let memoryMB { limits.memoryBytes = memoryMB << 20 }
            if let maxProcesses { limits.maxProcesses = maxProcesses }
            return limits
        }
    }

    public init(name: String, description: String, role: SparkRole = .worker, strategy: StrategyKind = .react,
                tools: [String], model: String? = nil, maxSteps: Int? = nil, verify: String? = nil) {
        self.name = name
        self.description = description
        self.role = role
        self.strategy = strategy
        self.tools = tools
        self.model = model
        self.maxSteps = maxSteps
        self.verify = verify
    }

    /// Names of the tools that only read the repository.
    public static let readOnlyTools = ["file_read", "grep", "glob", "list_dir"]
    /// Names of the tools that change the repository.
    public static let writeTools = ["file_write", "file_edit"]

    /// The built-in sparks, available unless a configured spark of the same name replaces them.
    public static let builtIns: [SparkDefinition] = [
        SparkDefinition(
            name: "coder",
            description: "Writes and edits code in the task's repository: multi-file changes, fixes, new files.",
            role: .coder,
            tools: readOnlyTools + writeTools + processTools + memoryTools),
        SparkDefinition(
            name: "editor",
            description: "Makes one small, exact change in a named file: a typo, a constant, a line. Fast on small models.",
            role: .coder,
            tools: ["file_read", "file_edit"], maxSteps: 8),
        SparkDefinition(
            name: "scout",
            description: "Explores and explains a repository without changing it: finds code, answers questions.",
            role: .worker,
            tools: readOnlyTools + memoryTools),
        SparkDefinition(
            name: "coordinator",
            description: "Plans larger work and delegates each step to another spark by name; a critic reviews the result.",
            role: .coordinator,
            tools: readOnlyTools + ["memory_search"]),
        SparkDefinition(
            name: "critic",
            description: "Reviews another spark's change against the goal and approves it or says what to fix.",
            role: .critic,
            tools: readOnlyTools),
    ]
}

extension SparkDefinition {
    /// Every tool name a spark may list in `tools`. The tool registry provides exactly these.
    public static let knownToolNames: [String] = readOnlyTools + writeTools + processTools + networkTools + memoryTools + delegationTools

    /// Tools that hand a step to a coding CLI (Claude Code, Codex, opencode) inside the sandbox. Not in any built-in spark.
    public static let delegationTools = ["coding_cli"]

    /// Tools that search and add to Sparks' long-term memory (left out of a task when memory is off).
    public static let memoryTools = ["memory_search", "memory_store"]

    /// Tools that reach the network (from Sparks, through the SSRF guard). Not in any built-in spark.
    public static let networkTools = ["http_fetch"]

    /// Names of the tools that start processes (inside the sandbox).
    public static let processTools = ["shell", "git"]
}
