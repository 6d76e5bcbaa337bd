import Foundation
import SparksCore
import SparksSandbox

/// What running a tool can do, for allowlists and approvals.
public enum ToolRisk: String, Sendable {
    case read, write, execute, network
}

/// What a tool may use while it runs.
public struct ToolContext: Sendable {
    public var pathGuard: PathGuard
    public var maxOutputChars: Int
    /// Where processes run; nil when the task has no sandbox (then process tools refuse).
    public var execution: Execution?
    /// Long-term memory for memory_search / memory_store; nil when memory is off.
    public var memory: (any MemoryAccess)?
    /// Recorded as the source of what memory_store stores (e.g. `task:<id>`).
    public var memorySource: String?
    /// Known secrets, replaced by `[REDACTED]` in what a tool returns to the model.
    public var secrets = Redactor()
    /// How `coding_cli` runs the coding CLIs; nil when the spark may not delegate.
    public var codingCLI: CodingCLIContext?

    public init(pathGuard: PathGuard, maxOutputChars: Int = 16_000, execution: Execution? = nil,
                memory: (any MemoryAccess)? = nil, memorySource: String? = nil) {
        self.pathGuard = pathGuard
        self.maxOutputChars = maxOutputChars
        self.execution = execution
        self.memory = memory
        self.memorySource = memorySource
    }
}

/// The sandbox and policy for a task's processes, and who approves risky commands.
public struct Execution: Sendable {
    public var sandbox: any Sandbox
    public var policy: SandboxPolicy
    /// Regular expressions: a shell command matching one needs approval.
    public var confirmPatterns: [String]
    /// Asks a person; nil when no one can answer (autonomous work), and then risky commands are refused.
    public var confirmer: (@Sendable (_ tool: String, _ detail: String) async -> Bool)?
    /// Regular expressions: a sensitive command matching one is approved without asking (the
    /// `auto_approve.<spark>` knob). It still runs in the sandbox.
    public var autoApprovePatterns: [String] = []

    public init(sandbox: any Sandbox, policy: SandboxPolicy, confirmPatterns: [String] = [],
                confirmer: (@Sendable (String, String) async -> Bool)? = nil) {
        self.sandbox = sandbox
        self.policy = policy
        self.confirmPatterns = confirmPatterns
        self.confirmer = confirmer
    }

    /// The first pattern `command` matches, if any. Invalid patterns are skipped.
    public func sensitivePattern(in command: String) -> String? {
        confirmPatterns.first { pattern in
            (try? NSRegularExpression(pattern: pattern))?.firstMatch(in: command, range: NSRange(command.startIndex..., in: command)) != nil
        }
    }

    /// Throws unless the command needs no approval or a person approved it.
    func approve(tool: String, detail: String) async throws(SparksError) {
        guard let pattern = sensitivePattern(in: detail) else { return }
        if autoApprovePatterns.contains(where: { auto in
            (try? NSRegularExpression(pattern: auto))?.firstMatch(in: detail, range: NSRange(detail.startIndex..., in: detail)) != nil
        }) { return }
        guard let confirmer else {
            throw SparksError(.confirmationRequired, "\(ReasonCode.confirmationRequired.marker) `\(detail.prefix(200))` matches the "
                + "sensitive pattern `\(pattern)` and needs a person's approval, but no one can approve in this run. "
                + "Find another way that does not need it.")
        }
        guard await confirmer(tool, detail) else {
            throw SparksError(.confirmationRequired, "The user denied this action. Try a different approach.")
        }
    }
}

/// A tool's result: text for the model, and the files it changed (relative paths).
public struct ToolOutput: Sendable {
    public var text: String
    public var changedFiles: [String]

    public init(_ text: String, changedFiles: [String] = []) {
        self.text = text
        self.changedFiles = changedFiles
    }
}

/// A capability offered to a spark's model. Errors a tool throws go back to the model as an
/// observation, so their messages are written for the model to act on.
public protocol Tool: Sendable {
    var name: String { get }
    var description: String { get }
    /// JSON Schema of the arguments.
    var parameters: JSONValue { get }
    var risk: ToolRisk { get }
    func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput
}

extension Tool {
    public var spec: ToolSpec { ToolSpec(name: name, description: description, parameters: parameters) }
}

/// A tool call's arguments, with accessors that explain to the model what is missing or wrong.
public struct ToolArguments: Sendable {
    public let tool: String
    public let values: [String: JSONValue]

    public init(tool: String, values: [String: JSONValue]) {
        self.tool = tool
        self.values = values
    }

    /// Parses the JSON text a model sent.
    public init(tool: String, json: String) throws(SparksError) {
        let text = json.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = text.isEmpty ? .object([:]) : JSONValue.parse(text) else {
            throw SparksError(.toolArguments, "\(tool): the arguments are not valid JSON; send a JSON object such as {\"path\": \"README.md\"}")
        }
        guard let object = value.objectValue else {
            throw SparksError(.toolArguments, "\(tool): the arguments must be a JSON object, got \(value.canonicalText.prefix(80))")
        }
        self.init(tool: tool, values: object)
    }

    /// The first of `names` that is present (models use several spellings for the same argument).
    public func string(_ names: String..., required: Bool = true) throws(SparksError) -> String? {
        for name in names {
            switch values[name] {
            case .string(let text)?: return text
            case .number(let number)?: return String(number)
            case nil, .null?: continue
            default:
                throw SparksError(.toolArguments, "\(tool): `\(name)` must be a string")
            }
        }
        if required {
            throw SparksError(.toolArguments, "\(tool): missing required argument `\(names[0])`")
        }
        return nil
    }

    public func requiredString(_ names: String...) throws(SparksError) -> String {
        for name in names {
            if case .string(let text)? = values[name] { return text }
            if let value = values[name], value != .null {
                throw SparksError(.toolArguments, "\(tool): `\(name)` must be a string")
            }
        }
        throw SparksError(.toolArguments, "\(tool): missing required argument `\(names[0])`")
    }

    public func optionalString(_ names: String...) throws(SparksError) -> String? {
        for name in names {
            if case .string(let text)? = values[name] { return text.isEmpty ? nil : text }
            if let value = values[name], value != .null {
                throw SparksError(.toolArguments, "\(tool): `\(name)` must be a string")
            }
        }
        return nil
    }

    public func optionalInt(_ name: String) throws(SparksError) -> Int? {
        guard let value = values[name], value != .null else { return nil }
        guard let number = value.intValue else {
            throw SparksError(.toolArguments, "\(tool): `\(name)` must be an integer")
        }
        return number
    }
}

/// Cuts long output and says so, so the model knows it did not see everything.
public enum OutputLimit {
    public static func truncate(_ text: String, limit: Int, hint: String? = nil) -> String {
        guard text.count > limit else { return text }
        let head = text.prefix(limit * 3 / 4)
        let tail = text.suffix(limit / 4)
        let omitted = text.count - head.count - tail.count
        var marker = "\n[… truncated \(omitted) characters …"
        if let hint { marker += " \(hint)" }
        marker += "]\n"
        return head + marker + tail
    }
}
