import SparksCore
import SparksLLM
import SparksTools

/// Callbacks through which a running spark reports what it does; the orchestrator persists them.
public struct AgentHooks: Sendable {
    public var event: TaskEventSink
    /// A message was added to the conversation (the task's transcript).
    public var message: @Sendable (ChatMessage) -> Void
    /// A tool call finished.
    public var toolUsed: @Sendable (_ tool: String, _ ok: Bool, _ durationMs: Int, _ error: String?) -> Void
    /// A step finished; totals so far.
    public var progress: @Sendable (_ steps: Int, _ usage: TokenUsage) -> Void

    public init(event: @escaping TaskEventSink = { _ in },
                message: @escaping @Sendable (ChatMessage) -> Void = { _ in },
                toolUsed: @escaping @Sendable (String, Bool, Int, String?) -> Void = { _, _, _, _ in },
                progress: @escaping @Sendable (Int, TokenUsage) -> Void = { _, _ in }) {
        self.event = event
        self.message = message
        self.toolUsed = toolUsed
        self.progress = progress
    }
}

/// Everything one run of a spark needs.
public struct AgentRun: Sendable {
    public var task: TaskSpec
    public var spark: SparkDefinition
    public var model: any ChatModel
    public var tools: [any Tool]
    public var toolContext: ToolContext
    public var maxSteps: Int
    public var contextWindow: Int
    public var loopGuard: LoopGuard.Settings
    public var hooks: AgentHooks
    /// Memories recalled for the task, placed in its first message within `memoryTokenBudget`.
    public var memories: [RecalledMemory]
    public var memoryTokenBudget: Int
    /// Steering for small models: a call that repeats an earlier one is asked again with that tool
    /// taken away and a tool call forced, and (with a verify command) a change after which the verify
    /// command passes ends the run.
    public var steering = false

    public init(task: TaskSpec, spark: SparkDefinition, model: any ChatModel, tools: [any Tool], toolContext: ToolContext,
                maxSteps: Int, contextWindow: Int, loopGuard: LoopGuard.Settings = .init(), hooks: AgentHooks = AgentHooks(),
                memories: [RecalledMemory] = [], memoryTokenBudget: Int = 600) {
        self.memories = memories
        self.memoryTokenBudget = memoryTokenBudget
        self.task = task
        self.spark = spark
        self.model = model
        self.tools = tools
        self.toolContext = toolContext
        self.maxSteps = maxSteps
        self.contextWindow = contextWindow
        self.loopGuard = loopGuard
        self.hooks = hooks
    }
}

/// How a run ended.
public struct AgentResult: Sendable {
    public var succeeded: Bool
    public var reason: ReasonCode?
    public var summary: String
    public var steps: Int
    public var usage: TokenUsage
    public var changedFiles: [String]
    /// The verification the strategy ran itself (the code strategy verifies between phases);
    /// nil when the orchestrator should run the verify command after the run.
    public var verification: VerificationReport?

    public init(succeeded: Bool, reason: ReasonCode?, summary: String, steps: Int, usage: TokenUsage, changedFiles: [String],
                verification: VerificationReport? = nil) {
        self.succeeded = succeeded
        self.reason = reason
        self.summary = summary
        self.steps = steps
        self.usage = usage
        self.changedFiles = changedFiles
        self.verification = verification
    }
}

/// What a verify command said: its exit code decides.
public struct VerificationReport: Sendable, Hashable {
    public var passed: Bool
    /// nil when the command could not run or was killed.
    public var exitCode: Int?
    /// The command, how it ended and the tail of its output.
    public var detail: String
    /// Heal attempts made before this result (code strategy).
    public var healAttempts: Int

    public init(passed: Bool, exitCode: Int?, detail: String, healAttempts: Int = 0) {
        self.passed = passed
        self.exitCode = exitCode
        self.detail = detail
        self.healAttempts = healAttempts
    }
}
