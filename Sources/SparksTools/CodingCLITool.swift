import Foundation
import SparksCore
import SparksSandbox

/// A coding CLI a spark can hand a step to.
public enum CodingCLI: String, Sendable, CaseIterable {
    case claudeCode = "claude_code"
    case codex
    case opencode

    /// The executable's name.
    public var executable: String {
        switch self {
        case .claudeCode: "claude"
        case .codex: "codex"
        case .opencode: "opencode"
        }
    }

    /// Non-interactive, one instruction, edits allowed: the sandbox, not the CLI's own prompts,
    /// is what bounds it (no network beyond the spark's allowlist, only the workspace writable).
    public func arguments(prompt: String) -> [String] {
        switch self {
        case .claudeCode: [executable, "-p", prompt, "--output-format", "json", "--dangerously-skip-permissions"]
        case .codex: [executable, "exec", "--full-auto", "--skip-git-repo-check", prompt]
        case .opencode: [executable, "run", prompt]
        }
    }

    /// The CLI's answer, and whether it reported a failure itself (Claude Code's JSON `is_error`).
    public func answer(from output: String) -> (text: String, failed: Bool) {
        guard self == .claudeCode else { return (output.trimmingCharacters(in: .whitespacesAndNewlines), false) }
        // `--output-format json` prints one object; anything before it (warnings) is skipped.
        let start = output.firstIndex(of: "{").map { String(output[$0...]) } ?? output
        guard let json = JSONValue.parse(start.trimmingCharacters(in: .whitespacesAndNewlines)), json.objectValue != nil else {
            return (output.trimmingCharacters(in: .whitespacesAndNewlines), false)
        }
        let failed = json["is_error"]?.boolValue == true || json["subtype"]?.stringValue?.hasPrefix("error") == true
        return (json["result"]?.stringValue ?? output, failed)
    }
}

/// What the orchestrator gives `coding_cli` for one task.
public struct CodingCLIContext: Sendable {
    /// The CLIs in the order to prefer: the task's or spark's choice, then the best success rate
    /// in this repository and lane, then the configured order.
    public var order: [CodingCLI]
    /// Shown read-only in the sandbox and put first on PATH.
    public var binDirectory: String?
    /// Variables the CLIs get (their API keys), already resolved.
    public var environment: [String: String]
    public var timeoutSecs: Double
    /// Called after each run with the CLI, whether it succeeded and how long it took.
    public var record: @Sendable (CodingCLI, Bool, Int) -> Void

    public init(order: [CodingCLI], binDirectory: String? = nil, environment: [String: String] = [:], timeoutSecs: Double = 900,
                record: @escaping @Sendable (CodingCLI, Bool, Int) -> Void = { _, _, _ in }) {
        self.order = order
        self.binDirectory = binDirectory
        self.environment = environment
        self.timeoutSecs = timeoutSecs
        self.record = record
    }

    /// The order for a scope: `preferred` first; then CLIs with at least `minimumRuns` runs there,
    /// best success rate first (at most three); then the rest in `configured` order.
    public static func rank(preferred: CodingCLI?, configured: [CodingCLI], stats: [(cli: CodingCLI, runs: Int, successes: Int)],
                            minimumRuns: Int = 3) -> [CodingCLI] {
        let proven = stats.filter { $0.runs >= minimumRuns }
            .sorted { lhs, rhs in
                let (a, b) = (Double(lhs.successes) / Double(lhs.runs), Double(rhs.successes) / Double(rhs.runs))
                return a != b ? a > b : lhs.runs > rhs.runs
            }
            .prefix(3).map(\.cli)
        var order: [CodingCLI] = []
        for cli in [preferred].compactMap({ $0 }) + proven + configured where !order.contains(cli) { order.append(cli) }
        return order
    }
}

/// `coding_cli(task, cli?)`: hands one step to Claude Code, Codex or opencode, run inside the
/// task's sandbox in its workspace. Their changes are the task's changes, verified like any other.
public struct CodingCLITool: Tool {
    public init() {}
    public let name = "coding_cli"
    public let description = "Hand a self-contained coding step to a coding CLI (Claude Code, Codex or opencode). It runs in the "
        + "repository inside the sandbox and may edit files; describe the step fully (what to change, where, how to check it). "
        + "Returns the CLI's answer; review its changes with git diff afterwards."
    public let risk = ToolRisk.execute
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["task": ["type": "string", "description": "The instruction for the CLI"],
                        "cli": ["type": "string", "enum": .array(CodingCLI.allCases.map { .string($0.rawValue) }),
                                "description": "Which CLI (default: the best one for this repository)"]],
         "required": ["task"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let prompt = try arguments.requiredString("task", "prompt", "instruction")
        guard let settings = context.codingCLI, let execution = context.execution else {
            throw SparksError(.toolFailed, "coding_cli: this task cannot delegate (no sandbox, or the spark does not list coding_cli)")
        }
        let cli: CodingCLI
        if let name = try arguments.optionalString("cli") {
            guard let chosen = CodingCLI(rawValue: name) else {
                throw SparksError(.toolArguments, "coding_cli: unknown cli \"\(name)\"; use one of: "
                    + CodingCLI.allCases.map(\.rawValue).joined(separator: ", "))
            }
            cli = chosen
        } else {
            guard let first = settings.order.first else { throw SparksError(.toolFailed, "coding_cli: no coding CLI is configured") }
            cli = first
        }
        var policy = execution.policy
        policy.environment.merge(settings.environment) { _, new in new }
        let basePath = policy.environment["PATH"] ?? BubblewrapSandbox.safeEnvironment["PATH"] ?? "/usr/bin:/bin"
        if let directory = settings.binDirectory {
            policy.readOnlyPaths.append(directory)
            policy.environment["PATH"] = directory + ":" + basePath
        }
        policy.limits.timeoutSecs = min(settings.timeoutSecs, policy.limits.timeoutSecs)
        let started = ContinuousClock.now
        let result = try await execution.sandbox.run(
            SandboxCommand(arguments: cli.arguments(prompt: prompt), workingDirectory: context.pathGuard.root), policy: policy)
        let elapsed = started.duration(to: .now)
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        if case .exited(127) = result.termination {
            throw SparksError(.toolFailed, "coding_cli: `\(cli.executable)` is not installed where the sandbox can run it "
                + "(install it under /usr or /opt, or set [coding_cli] bin_dir)")
        }
        let (answer, reportedFailure) = cli.answer(from: result.stdout)
        let ok = result.termination.succeeded && !reportedFailure
        settings.record(cli, ok, milliseconds)
        let text = OutputLimit.truncate(context.secrets.redact(answer.isEmpty ? result.combinedOutput : answer), limit: context.maxOutputChars)
        guard ok else {
            throw SparksError(.toolFailed, "coding_cli: \(cli.rawValue) failed (\(result.termination))\n"
                + OutputLimit.truncate(context.secrets.redact(result.combinedOutput), limit: context.maxOutputChars))
        }
        return ToolOutput("[\(cli.rawValue)] \(text)", changedFiles: ["*"])
    }
}
