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
    /// Runs every process a spark starts (shell, git, verify).
    public let sandbox: any Sandbox
    public let workspaces: WorkspaceManager
    /// Asks a person to approve a risky command; nil when no one can.
    public let confirmer: (@Sendable (String, String) async -> Bool)?
    /// Long-term memory: recalled into the prompt, searchable by the memory tools, and given a
    /// lesson after each task. Nil when memory is off.
    public let memory: (any MemoryAccess)?
    let logger: Logger

    public init(config: SparksConfig, store: SparksStore, model: any ChatModel, sandbox: any Sandbox,
                registry: ToolRegistry = .builtIn(), confirmer: (@Sendable (String, String) async -> Bool)? = nil,
                memory: (any MemoryAccess)? = nil, logger: Logger = Logger(label: "sparks")) {
        self.memory = memory
        self.config = config
        self.store = store
        self.model = model
        self.sandbox = sandbox
        self.registry = registry
        self.workspaces = WorkspaceManager(root: (config.home as NSString).appendingPathComponent("workspaces"))
        self.confirmer = confirmer
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
    public func prepare(_ request: DispatchRequest) throws(SparksError) -> (TaskSpec, SparkDefinition) {
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
        return (task, spark)
    }

    /// Runs a task to its end and records it. Failures of the task (including the model being
    /// unreachable mid-task) come back as an outcome; only bad requests throw.
    public func dispatch(_ request: DispatchRequest, events: @escaping TaskEventSink = { _ in }) async throws(SparksError) -> TaskOutcome {
        let (task, spark) = try prepare(request)
        return try await run(task, spark: spark, waitSecs: request.waitSecs ?? config.agent.dispatchWaitSecs,
                             events: events)
    }

    func run(_ task: TaskSpec, spark: SparkDefinition, waitSecs: Int,
             events: @escaping TaskEventSink) async throws(SparksError) -> TaskOutcome {
        var tools = try registry.tools(for: spark)
        if memory == nil { tools.removeAll { SparkDefinition.memoryTools.contains($0.name) } }
        // A spark may ask for another backend (or image) than the default.
        let sandbox = spark.sandbox != nil || spark.image != nil ? try SandboxFactory.make(config.sandbox, spark: spark) : self.sandbox
        try store.insertTask(task)
        let workspace: Workspace
        do {
            workspace = try workspaces.create(taskID: task.id, repository: task.repository,
                                              copyNonGit: config.copyNonGitDirectories)
            try (sandbox as? BubblewrapSandbox)?.prepareWorkspace(workspace.path)
            try (sandbox as? DockerSandbox)?.prepareWorkspace(workspace.path)
            try store.recordWorkspace(taskID: task.id, path: workspace.path, branch: workspace.branch,
                                      baseCommit: workspace.baseCommit, source: workspace.source)
        } catch {
            let outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .internalError, summary: "The task could not start: \(error.message)",
                                      error: error.description, steps: 0, usage: TokenUsage(), durationMs: 0)
            try store.finishTask(outcome)
            throw error
        }
        let workspaceGuard = try PathGuard(root: workspace.path)
        var policy = SandboxPolicy.workspace(workspaceGuard.root, limits: spark.limits.applied(to: config.sandbox.limits),
                                             readOnlyPaths: workspace.readOnlyPaths + config.sandbox.readOnlyPaths)
        let hosts = spark.allowedHosts ?? config.sandbox.allowedHosts
        if !hosts.isEmpty {
            guard sandbox is BubblewrapSandbox else {
                throw SparksError(.configInvalid, "spark `\(spark.name)` has allowed_hosts, but network by allowlist works with the bubblewrap backend only")
            }
            policy.network = .allowlist(hosts)
        }
        // One long-lived sandbox per task keeps each further command cheap; without the supervisor
        // binary every command gets a sandbox of its own, with the same isolation.
        var session: SandboxSession?
        var container: DockerSession?
        if let bubblewrap = sandbox as? BubblewrapSandbox, let supervisor = SandboxSession.locateSupervisor() {
            session = SandboxSession(base: bubblewrap, policy: policy, supervisorPath: supervisor)
        } else if let docker = sandbox as? DockerSandbox {
            container = DockerSession(base: docker, policy: policy)
        }
        let taskSandbox: any Sandbox = session ?? container ?? sandbox
        defer {
            if let session { Task { await session.close() } }
            if let container { Task { await container.close() } }
        }
        let execution = Execution(sandbox: taskSandbox, policy: policy, confirmPatterns: config.sandbox.confirmPatterns,
                                  confirmer: confirmer)
        let conversation = try store.createConversation(sessionKey: "task:\(task.id.uuidString.lowercased())", taskID: task.id,
                                                        title: String(task.goal.prefix(120)))
        events(.started(taskID: task.id, spark: spark.name, repository: task.repository))
        events(.workspaceReady(path: workspace.path, branch: workspace.branch, sandbox: sandbox.kind))
        var taskLogger = logger
        taskLogger[metadataKey: "task_id"] = "\(task.id.uuidString.lowercased())"
        taskLogger[metadataKey: "spark"] = "\(spark.name)"
        let hooks = Self.hooks(store: store, taskID: task.id, conversation: conversation, events: events, logger: taskLogger)
        let recalled = await recallMemories(for: task, logger: taskLogger)
        let agentRun = AgentRun(
            task: TaskSpec(id: task.id, goal: task.goal, context: task.context, spark: task.spark, repository: workspace.path,
                           lane: task.lane, risk: task.risk),
            spark: spark, model: model, tools: tools,
            toolContext: ToolContext(pathGuard: workspaceGuard, maxOutputChars: config.tools.maxOutputChars, execution: execution,
                                     memory: memory, memorySource: "task:\(task.id.uuidString.lowercased())"),
            maxSteps: spark.maxSteps ?? config.agent.maxSteps, contextWindow: config.llm.contextWindow,
            loopGuard: config.agent.loopGuard,
            hooks: hooks, memories: recalled, memoryTokenBudget: config.memory.promptTokenBudget)

        let started = ContinuousClock.now
        let progress = ProgressTracker()
        let result = await Self.runWithDeadline(seconds: waitSecs, agentRun: agentRun, progress: progress)
        var verification: Verification?
        if case .finished(let agent) = result, agent.succeeded, let verify = spark.verify {
            events(.verifyStarted(command: verify))
            verification = await self.verify(verify, in: workspace, sandbox: taskSandbox, policy: policy)
            events(.verifyFinished(passed: verification?.passed ?? false, detail: verification?.detail ?? ""))
        }
        // Done with the task's sandbox: end it now, so nothing (processes, proxy socket) outlives the task.
        await session?.close()
        await container?.close()
        do {
            try workspaces.commitAll(workspace, message: "sparks: \(task.goal.prefix(72))\n\nTask \(task.id.uuidString.lowercased()), spark \(spark.name).")
        } catch {
            logger.warning("could not commit the task's changes", metadata: ["error": "\(error.message)"])
        }
        let elapsed = started.duration(to: .now)
        let durationMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let outcome: TaskOutcome
        switch result {
        case .finished(let agent):
            if let verification, !verification.passed {
                outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .verifyFailed,
                                      summary: agent.summary + "\n\nVerification failed: \(verification.detail)",
                                      error: "verify command failed: \(verification.detail.prefix(300))",
                                      steps: agent.steps, usage: agent.usage, durationMs: durationMs)
            } else {
                outcome = TaskOutcome(taskID: task.id, status: agent.succeeded ? .succeeded : .failed, reason: agent.reason,
                                      summary: agent.summary, steps: agent.steps, usage: agent.usage, durationMs: durationMs)
            }
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
        await storeLesson(task: task, outcome: outcome, logger: taskLogger)
        events(.finished(outcome))
        return outcome
    }

    /// The memories most relevant to the task's goal; none (with a warning) if recall fails.
    func recallMemories(for task: TaskSpec, logger: Logger) async -> [RecalledMemory] {
        guard let memory, config.memory.promptMemories > 0 else { return [] }
        do {
            return try await memory.recall(task.goal, limit: config.memory.promptMemories)
        } catch {
            logger.warning("could not recall memories", metadata: ["error": "\(error.message)"])
            return []
        }
    }

    /// "goal → outcome: summary" (at most 500 characters, secrets redacted) as a `lesson` memory.
    func storeLesson(task: TaskSpec, outcome: TaskOutcome, logger: Logger) async {
        guard let memory else { return }
        let goal = task.goal.replacingOccurrences(of: "\n", with: " ")
        let summary = outcome.summary.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        var lesson = "\(goal.prefix(200)) → \(outcome.status.rawValue)"
        if let reason = outcome.reason, outcome.status != .succeeded { lesson += " (\(reason.rawValue))" }
        if !summary.isEmpty { lesson += ": " + summary }
        if lesson.count > 500 { lesson = String(lesson.prefix(499)) + "…" }
        let redactor = Redactor(secrets: config.llm.apiKey.map { [$0.reveal()] } ?? [])
        do {
            _ = try await memory.remember(category: "lesson", content: redactor.redact(lesson),
                                          source: "task:\(task.id.uuidString.lowercased())")
            try await memory.flush()
        } catch {
            logger.warning("could not store the task's lesson", metadata: ["error": "\(error.message)"])
        }
    }

    struct Verification: Sendable {
        var passed: Bool
        var detail: String
    }

    /// Runs the spark's verify command in the sandbox; its exit code decides.
    func verify(_ command: String, in workspace: Workspace, sandbox: any Sandbox, policy: SandboxPolicy) async -> Verification {
        do {
            let result = try await sandbox.run(.shell(command, in: workspace.path), policy: policy)
            let tail = String(result.combinedOutput.suffix(1500))
            return Verification(passed: result.termination.succeeded,
                                detail: "`\(command)` → \(result.termination)" + (tail.isEmpty ? "" : "\n\(tail)"))
        } catch {
            return Verification(passed: false, detail: "`\(command)` could not run: \(error.message)")
        }
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
