import Foundation
import Logging
import SparksAgent
import SparksConfig
import SparksCore
import SparksLLM
import SparksSandbox
import SparksStore
import SparksTools
import Synchronization

/// The facade every front-end uses: it checks a request, records the task, runs the spark and
/// records how it ended. Nothing here knows which front-end asked.
public struct Orchestrator: Sendable {
    public let config: SparksConfig
    public let store: SparksStore
    public let model: any ChatModel
    public let registry: ToolRegistry
    let logger: Logger

    public init(config: SparksConfig, store: SparksStore, model: any ChatModel, registry: ToolRegistry = .builtIn(),
                logger: Logger = Logger(label: "sparks")) {
        self.config = config
        self.store = store
        self.model = model
        self.registry = registry
        self.logger = logger
    }

    /// A dispatch request as a front-end gives it.
    public struct DispatchRequest: Sendable {
        public var goal: String
        public var spark: String
        public var repository: String
        public var context: String?
        public var waitSecs: Int?

        public init(goal: String, spark: String = "coder", repository: String, context: String? = nil, waitSecs: Int? = nil) {
            self.goal = goal
            self.spark = spark
            self.repository = repository
            self.context = context
            self.waitSecs = waitSecs
        }
    }

    /// Checks a request and turns it into a task: the goal is not empty, the spark exists, the
    /// repository is a directory.
    public func prepare(_ request: DispatchRequest) throws(SparksError) -> (TaskSpec, SparkDefinition, PathGuard) {
        let goal = request.goal.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !goal.isEmpty else {
            throw SparksError(.invalidInput, "the goal is empty", hint: "say what the spark should do, e.g. --goal \"add a README\"")
        }
        guard let spark = config.spark(named: request.spark) else {
            throw SparksError(.sparkNotFound, "there is no spark named \"\(request.spark)\"",
                              hint: "known sparks: " + config.sparks.map(\.name).joined(separator: ", "))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.repository, isDirectory: &isDirectory) else {
            throw SparksError(.repoNotFound, "repository \(request.repository) does not exist", hint: "pass an existing directory with --repo")
        }
        guard isDirectory.boolValue else {
            throw SparksError(.repoNotFound, "repository \(request.repository) is not a directory", hint: "pass a directory with --repo")
        }
        let pathGuard = try PathGuard(root: request.repository)
        let task = TaskSpec(goal: goal, context: request.context, spark: spark.name, repository: pathGuard.root)
        return (task, spark, pathGuard)
    }

    /// Runs a task to its end and records it. Failures of the task (including the model being
    /// unreachable mid-task) come back as an outcome; only bad requests throw.
    public func dispatch(_ request: DispatchRequest, events: @escaping TaskEventSink = { _ in }) async throws(SparksError) -> TaskOutcome {
        let (task, spark, pathGuard) = try prepare(request)
        return try await run(task, spark: spark, pathGuard: pathGuard, waitSecs: request.waitSecs ?? config.agent.dispatchWaitSecs,
                             events: events)
    }

    func run(_ task: TaskSpec, spark: SparkDefinition, pathGuard: PathGuard, waitSecs: Int,
             events: @escaping TaskEventSink) async throws(SparksError) -> TaskOutcome {
        let tools = try registry.tools(for: spark)
        try store.insertTask(task)
        let conversation = try store.createConversation(sessionKey: "task:\(task.id.uuidString.lowercased())", taskID: task.id,
                                                        title: String(task.goal.prefix(120)))
        events(.started(taskID: task.id, spark: spark.name, repository: task.repository))
        var taskLogger = logger
        taskLogger[metadataKey: "task_id"] = "\(task.id.uuidString.lowercased())"
        taskLogger[metadataKey: "spark"] = "\(spark.name)"
        let hooks = Self.hooks(store: store, taskID: task.id, conversation: conversation, events: events, logger: taskLogger)
        let agentRun = AgentRun(
            task: task, spark: spark, model: model, tools: tools,
            toolContext: ToolContext(pathGuard: pathGuard, maxOutputChars: config.tools.maxOutputChars),
            maxSteps: spark.maxSteps ?? config.agent.maxSteps, contextWindow: config.llm.contextWindow,
            loopGuard: LoopGuard.Settings(enabled: config.agent.loopGuard.enabled, windowSize: config.agent.loopGuard.windowSize,
                                          repeatThreshold: config.agent.loopGuard.repeatThreshold),
            hooks: hooks)

        let started = ContinuousClock.now
        let progress = ProgressTracker()
        let result = await Self.runWithDeadline(seconds: waitSecs, agentRun: agentRun, progress: progress)
        let elapsed = started.duration(to: .now)
        let durationMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let outcome: TaskOutcome
        switch result {
        case .finished(let agent):
            outcome = TaskOutcome(taskID: task.id, status: agent.succeeded ? .succeeded : .failed, reason: agent.reason,
                                  summary: agent.summary, steps: agent.steps, usage: agent.usage, durationMs: durationMs)
        case .failed(let error):
            let (steps, usage) = progress.snapshot()
            let reason: ReasonCode = error.code == .cancelled ? .cancelled : error.code.rawValue.hasPrefix("llm_") ? .llmError : .internalError
            outcome = TaskOutcome(taskID: task.id, status: .failed, reason: reason, summary: "The task failed: \(error.message)",
                                  error: error.description, steps: steps, usage: usage, durationMs: durationMs)
        case .timedOut:
            let (steps, usage) = progress.snapshot()
            outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .dispatchTimeout,
                                  summary: "The task did not finish within \(waitSecs) s and was stopped.",
                                  error: "dispatch_timeout after \(waitSecs) s", steps: steps, usage: usage, durationMs: durationMs)
        }
        try store.finishTask(outcome)
        events(.finished(outcome))
        return outcome
    }

    enum RunResult: Sendable {
        case finished(AgentResult)
        case failed(SparksError)
        case timedOut
    }

    /// Runs the spark, stopping it when the deadline passes.
    static func runWithDeadline(seconds: Int, agentRun: AgentRun, progress: ProgressTracker) async -> RunResult {
        var run = agentRun
        let hooks = run.hooks
        run.hooks.progress = { steps, usage in
            progress.update(steps: steps, usage: usage)
            hooks.progress(steps, usage)
        }
        let finalRun = run
        return await withTaskGroup(of: RunResult.self) { group in
            group.addTask {
                do { return .finished(try await ReActStrategy().run(finalRun)) } catch { return .failed(SparksError.wrap(error)) }
            }
            group.addTask {
                do { try await Task.sleep(for: .seconds(seconds)) } catch { return .failed(SparksError(.cancelled, "cancelled")) }
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }

    static func hooks(store: SparksStore, taskID: UUID, conversation: UUID, events: @escaping TaskEventSink,
                      logger: Logger) -> AgentHooks {
        AgentHooks(
            event: events,
            message: { message in
                do { try store.appendMessage(message, to: conversation) } catch {
                    logger.warning("could not save a transcript message", metadata: ["error": "\(error)"])
                }
            },
            toolUsed: { tool, ok, durationMs, error in
                do { try store.recordToolUsage(tool: tool, succeeded: ok, durationMs: durationMs, error: error) } catch {
                    logger.warning("could not save tool usage", metadata: ["tool": "\(tool)", "error": "\(error)"])
                }
            },
            progress: { steps, usage in
                do { try store.recordProgress(taskID: taskID, steps: steps, usage: usage) } catch {
                    logger.warning("could not save task progress", metadata: ["error": "\(error)"])
                }
            })
    }
}

/// The latest step count and token totals of a running task, readable when it is stopped.
final class ProgressTracker: Sendable {
    private let state = Mutex((steps: 0, usage: TokenUsage()))

    func update(steps: Int, usage: TokenUsage) {
        state.withLock { $0 = (steps, usage) }
    }

    func snapshot() -> (Int, TokenUsage) {
        state.withLock { ($0.steps, $0.usage) }
    }
}
