import Foundation
import SparksCore
import SparksSandbox

/// `shell(command, timeout?)`: a shell command in the task's workspace, inside the sandbox.
public struct ShellTool: Tool {
    public init() {}
    public let name = "shell"
    public let description = "Run a shell command (/bin/sh -c) in the repository, inside a sandbox: no network, only the "
        + "repository is writable, time and memory are limited. Use it to build, run tests and inspect. Returns exit code and output."
    public let risk = ToolRisk.execute
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["command": ["type": "string", "description": "The command line to run"],
                        "timeout": ["type": "integer", "description": "Seconds before it is stopped (default: the spark's limit)"]],
         "required": ["command"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let command = try arguments.requiredString("command", "cmd", "script")
        guard let execution = context.execution else {
            throw SparksError(.toolFailed, "shell: no sandbox is configured for this task")
        }
        try await execution.approve(tool: name, detail: command)
        var policy = execution.policy
        if let timeout = try arguments.optionalInt("timeout"), timeout > 0 {
            policy.limits.timeoutSecs = min(Double(timeout), policy.limits.timeoutSecs)
        }
        let result = try await execution.sandbox.run(.shell(command, in: context.pathGuard.root), policy: policy)
        return try Self.report(result, tool: name, limit: context.maxOutputChars)
    }

    /// Output for the model; a command that did not exit 0 is a tool error carrying its output.
    static func report(_ result: SandboxResult, tool: String, limit: Int) throws(SparksError) -> ToolOutput {
        let text = OutputLimit.truncate(result.combinedOutput.isEmpty ? "(no output)" : result.combinedOutput, limit: limit)
        guard result.termination.succeeded else {
            throw SparksError(.toolFailed, "\(tool): \(result.termination)\n\(text)")
        }
        // Any command may have changed files; the loop guard must not treat a re-run as a repeat.
        return ToolOutput(text, changedFiles: ["*"])
    }
}

/// `git(args)`: a git command in the task's clone, inside the sandbox.
public struct GitTool: Tool {
    public init() {}
    public let name = "git"
    public let description = "Run git in the repository (your own clone on branch sparks/<task>). Allowed: status, diff, "
        + "log, add, commit, branch, show, restore, rm, mv. Pushing and changing remotes are not allowed."
    public let risk = ToolRisk.write
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["args": ["type": "array", "items": ["type": "string"],
                                 "description": "Arguments after `git`, e.g. [\"diff\", \"--stat\"]"]],
         "required": ["args"]]
    }

    static let allowed: Set<String> = ["status", "diff", "log", "add", "commit", "branch", "show", "restore", "rm", "mv",
                                       "rev-parse", "ls-files", "blame", "grep"]
    static let readOnly: Set<String> = ["status", "diff", "log", "show", "rev-parse", "ls-files", "blame", "grep"]

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let args: [String]
        switch arguments.values["args"] {
        case .array(let items)?:
            args = items.compactMap(\.stringValue)
            guard args.count == items.count else { throw SparksError(.toolArguments, "git: every item of `args` must be a string") }
        case .string(let line)?:
            args = line.split(separator: " ").map(String.init).drop { $0 == "git" }.map { $0 }
        default:
            throw SparksError(.toolArguments, "git: missing required argument `args` (an array such as [\"status\"])")
        }
        guard let subcommand = args.first(where: { !$0.hasPrefix("-") }) else {
            throw SparksError(.toolArguments, "git: say which command to run, e.g. [\"status\"]")
        }
        guard Self.allowed.contains(subcommand), args.first == subcommand else {
            throw SparksError(.toolFailed, "git: `\(subcommand)` is not allowed here; allowed: " + Self.allowed.sorted().joined(separator: ", "))
        }
        if args.contains(where: { $0.hasPrefix("--exec") || $0 == "-c" || $0.hasPrefix("--upload-pack") }) {
            throw SparksError(.toolFailed, "git: options that run other programs are not allowed")
        }
        guard let execution = context.execution else {
            throw SparksError(.toolFailed, "git: no sandbox is configured for this task")
        }
        var policy = execution.policy
        policy.environment.merge(["GIT_AUTHOR_NAME": "Sparks", "GIT_AUTHOR_EMAIL": "sparks@localhost",
                                  "GIT_COMMITTER_NAME": "Sparks", "GIT_COMMITTER_EMAIL": "sparks@localhost"]) { _, new in new }
        let command = SandboxCommand(arguments: ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.pager=cat"] + args,
                                     workingDirectory: context.pathGuard.root)
        let result = try await execution.sandbox.run(command, policy: policy)
        var output = try ShellTool.report(result, tool: name, limit: context.maxOutputChars)
        if Self.readOnly.contains(subcommand) { output.changedFiles = [] }
        return output
    }
}
