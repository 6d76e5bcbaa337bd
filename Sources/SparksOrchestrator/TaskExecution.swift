import Foundation
import Logging
import SparksAgent
import SparksConfig
import SparksCore
import SparksLLM
import SparksMCP
import SparksObserve
import SparksProactive
import SparksSandbox
import SparksStore
import SparksTools
import Synchronization

extension Orchestrator {
    /// Runs a claimed task (status `running`, owned by this process) to its end and records it.
    /// A transient model failure with attempts left, or a shutdown, puts it back in the queue: the
    /// returned outcome then has status `queued`.
    public func execute(_ claimed: TaskRecord, stop: StopSignal = StopSignal(),
                        events: @escaping TaskEventSink = { _ in }) async -> TaskOutcome {
        let task = claimed.spec
        let started = ContinuousClock.now
        func elapsedMs() -> Int {
            let elapsed = started.duration(to: .now)
            return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        }
        // Keep the heartbeat fresh and notice cancel requests (also from other processes).
        let watcher = Task { [store] in
            var beats = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                if Task.isCancelled { break }
                if (try? store.cancelRequests(among: [task.id]))?.isEmpty == false { stop.stop(.user) }
                beats += 1
                if beats % 20 == 0 { try? store.heartbeat(taskIDs: [task.id]) }
            }
        }
        defer { watcher.cancel() }

        let sinks: [any TraceSink] = [langfuse as (any TraceSink)?, otlp as (any TraceSink)?].compactMap { $0 }
        let trace = sinks.isEmpty ? nil : TaskTrace(sinks: sinks, taskID: task.id, redactor: Redactor(secrets:
            config.knownSecrets.map { $0.reveal() } + [langfuse?.settings.secretKey].compactMap { $0 } + (otlp?.settings.headers.map(\.1) ?? [])))
        trace?.start(task: task)
        let outcome: TaskOutcome
        do {
            outcome = try await runClaimed(task, stop: stop, trace: trace, events: events, elapsedMs: elapsedMs)
        } catch {
            outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .internalError, summary: "The task could not start: \(error.message)",
                                  error: error.description, steps: 0, usage: TokenUsage(), durationMs: elapsedMs())
        }
        trace?.finish(outcome, spark: task.spark)
        metrics?.recordTaskFinished(status: outcome.status.rawValue, durationMs: outcome.durationMs)
        return settle(outcome, task: claimed, stop: stop, events: events)
    }

    /// Records how a run ended: finished, cancelled, or back in the queue (retry, shutdown).
    func settle(_ raw: TaskOutcome, task: TaskRecord, stop: StopSignal, events: TaskEventSink) -> TaskOutcome {
        var outcome = raw
        // The answer and the error are shown, stored and traced: no known secret in them.
        outcome.summary = secrets.redactKnown(outcome.summary)
        outcome.error = outcome.error.map { secrets.redactKnown($0) }
        let attempt = task.attempts
        do {
            if raw.reason == .cancelled || stop.reason != nil {
                switch stop.reason {
                case .shutdown where config.orchestration.requeueInterrupted && attempt < task.maxAttempts:
                    try store.requeueTask(task.id, reason: .shutdown, detail: "Sparks shut down while the task ran")
                    outcome.status = .queued
                    outcome.reason = .shutdown
                    emit(.taskRequeued, "shutdown: back in the queue (attempt \(attempt) of \(task.maxAttempts))", task: task.spec)
                    return outcome
                case .shutdown:
                    outcome.status = .interrupted
                    outcome.reason = .shutdown
                    outcome.summary = "Sparks shut down while the task ran."
                default:
                    outcome.status = .cancelled
                    outcome.reason = .cancelled
                    outcome.summary = "Cancelled while running." + (raw.summary.isEmpty ? "" : " " + raw.summary)
                }
            } else if raw.retryable && attempt < task.maxAttempts {
                let delay = Double(config.orchestration.retryBackoffSecs) * pow(2, Double(attempt - 1))
                let notBefore = Date().addingTimeInterval(delay)
                try store.requeueTask(task.id, reason: .llmError, detail: String((raw.error ?? raw.summary).prefix(300)),
                                      notBefore: notBefore)
                events(.retrying(attempt: attempt, notBefore: notBefore, reason: raw.error ?? raw.summary))
                emit(.taskRequeued, "model failure on attempt \(attempt); retry in \(Int(delay)) s", task: task.spec)
                outcome.status = .queued
                return outcome
            }
            try store.finishTask(outcome)
        } catch {
            logger.error("could not record the task's outcome", metadata: ["task_id": "\(task.id)", "error": "\(error.message)"])
        }
        emit(.taskFinished, "\(outcome.status.rawValue)\(outcome.reason.map { " (\($0.rawValue))" } ?? "") in \(outcome.durationMs) ms, "
                   + "\(outcome.usage.totalTokens) tokens", task: task.spec, details: .object([
                       "status": .string(outcome.status.rawValue), "reason": outcome.reason.map { .string($0.rawValue) } ?? .null,
                       "duration_ms": .number(Double(outcome.durationMs)), "steps": .number(Double(outcome.steps)),
                       "prompt_tokens": .number(Double(outcome.usage.promptTokens)),
                       "completion_tokens": .number(Double(outcome.usage.completionTokens)),
                       "verify_exit_code": outcome.verifyExitCode.map { .number(Double($0)) } ?? .null,
                   ]))
        events(.finished(outcome))
        return outcome
    }

    /// The task's worktree, sandbox, agent loop and verification.
    func runClaimed(_ task: TaskSpec, stop: StopSignal, trace: TaskTrace?, events parentEvents: @escaping TaskEventSink,
                    elapsedMs: () -> Int) async throws(SparksError) -> TaskOutcome {
        // Tool calls become spans of the task's trace.
        let toolStarts = Mutex<[Int: (Date, String)]>([:])
        let metrics = self.metrics
        let events: TaskEventSink = { event in
            parentEvents(event)
            if case .toolFinished(_, let name, let ok, let durationMs, _) = event {
                metrics?.recordToolCall(tool: name, ok: ok, durationMs: durationMs)
            }
            guard let trace else { return }
            switch event {
            case .toolStarted(let step, _, let arguments):
                toolStarts.withLock { $0[step] = (Date(), arguments) }
            case .toolFinished(let step, let name, let ok, let durationMs, let preview):
                let (start, arguments) = toolStarts.withLock { $0.removeValue(forKey: step) }
                    ?? (Date().addingTimeInterval(-Double(durationMs) / 1000), "")
                trace.span(name: "tool:\(name)", input: arguments, output: preview, ok: ok, start: start, end: Date())
            default:
                break
            }
        }
        let knobs = self.knobs
        guard var spark = config.spark(named: task.spark) else {
            throw SparksError(.sparkNotFound, "there is no spark named \"\(task.spark)\"")
        }
        // The `model` knob replaces the default model for sparks that name none.
        if spark.model == nil, let model = knobs.model { spark.model = model }
        var tools = try registry.tools(for: spark)
        if memory == nil { tools.removeAll { SparkDefinition.memoryTools.contains($0.name) } }
        tools += try await mcpTools(for: spark, task: task)
        // A spark may ask for another backend (or image) than the default.
        let sandbox = spark.sandbox != nil || spark.image != nil ? try SandboxFactory.make(config.sandbox, spark: spark) : self.sandbox
        let workspace = try workspaces.create(taskID: task.id, repository: task.repository, copyNonGit: config.copyNonGitDirectories,
                                              baseRef: task.baseRef)
        try (sandbox as? BubblewrapSandbox)?.prepareWorkspace(workspace.path)
        try (sandbox as? DockerSandbox)?.prepareWorkspace(workspace.path)
        try store.recordWorkspace(taskID: task.id, path: workspace.path, branch: workspace.branch,
                                  baseCommit: workspace.baseCommit, source: workspace.source)
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
        let taskSandbox: any Sandbox = metrics.map { MeteredSandbox(base: session ?? container ?? sandbox, metrics: $0) }
            ?? session ?? container ?? sandbox
        // Stopping ends the sandbox at once, so a long command does not hold the task.
        stop.onStop { [session, container] in
            Task {
                await session?.close()
                await container?.close()
            }
        }
        defer {
            if let session { Task { await session.close() } }
            if let container { Task { await container.close() } }
        }
        // Approvals are events: requested and granted here; a denial (or no one to ask) comes back
        // as the tool's refusal and is recorded with it.
        var observedConfirmer: (@Sendable (String, String) async -> Bool)?
        if let ask = confirmer {
            let store = self.store
            let taskID = task.id
            let sparkName = spark.name
            observedConfirmer = { @Sendable (tool: String, detail: String) async -> Bool in
                let what = "\(tool): \(detail.prefix(200))"
                store.emit(.approvalRequested, what, taskID: taskID, spark: sparkName)
                let granted = await ask(tool, detail)
                if granted { store.emit(.approvalGranted, what, taskID: taskID, spark: sparkName) }
                return granted
            }
        }
        var execution = Execution(sandbox: taskSandbox, policy: policy,
                                  confirmPatterns: config.sandbox.confirmPatterns + knobs.sensitivePatterns, confirmer: observedConfirmer)
        execution.autoApprovePatterns = knobs.autoApprove[spark.name] ?? []
        let conversation = try store.createConversation(sessionKey: "task:\(task.id.uuidString.lowercased())", taskID: task.id,
                                                        title: String(task.goal.prefix(120)))
        events(.started(taskID: task.id, spark: spark.name, repository: task.repository))
        events(.workspaceReady(path: workspace.path, branch: workspace.branch, sandbox: sandbox.kind))
        emit(.taskStarted, "\(spark.name) started in \(workspace.path) (branch \(workspace.branch))", task: task)
        var taskLogger = logger
        taskLogger[metadataKey: "task_id"] = "\(task.id.uuidString.lowercased())"
        taskLogger[metadataKey: "spark"] = "\(spark.name)"
        let hooks = Self.hooks(store: store, taskID: task.id, spark: spark.name, conversation: conversation, events: events,
                               logger: taskLogger)
        let recalled = await recallMemories(for: task, logger: taskLogger)
        var workTask = task
        workTask.repository = workspace.path
        let taskModel: any ChatModel = trace.map { TracedChatModel(base: model, trace: $0) } ?? model
        var toolContext = ToolContext(pathGuard: workspaceGuard, maxOutputChars: config.tools.maxOutputChars, execution: execution,
                                      memory: memory, memorySource: "task:\(task.id.uuidString.lowercased())")
        toolContext.secrets = secrets
        if spark.tools.contains("coding_cli") {
            toolContext.codingCLI = codingCLIContext(task: task, spark: spark)
        }
        var agentRun = AgentRun(
            task: workTask, spark: spark, model: taskModel, tools: tools, toolContext: toolContext,
            maxSteps: spark.maxSteps ?? config.agent.maxSteps, contextWindow: config.llm.contextWindow,
            loopGuard: LoopGuardSettings(enabled: config.agent.loopGuard.enabled, windowSize: knobs.loopGuardWindow,
                                         repeatThreshold: knobs.loopGuardRepeat),
            hooks: hooks, memories: recalled, memoryTokenBudget: config.memory.promptTokenBudget)
        agentRun.steering = config.agent.steering

        let waitSecs = task.waitSecs ?? config.agent.dispatchWaitSecs
        let progress = ProgressTracker()
        let verifyCommand = task.verify ?? spark.verify
        var verifier: CodeStrategy.Verifier?
        if let command = verifyCommand {
            let orchestrator = self
            let sandboxForVerify = taskSandbox
            let verifyPolicy = policy
            verifier = { @Sendable () async -> VerificationReport in
                events(.verifyStarted(command: command))
                let started = Date()
                let report = await orchestrator.verify(command, in: workspace, sandbox: sandboxForVerify, policy: verifyPolicy)
                trace?.span(name: "verify", input: command, output: report.detail, ok: report.passed, start: started, end: Date(),
                            parent: trace?.runSpanID)
                events(.verifyFinished(passed: report.passed, detail: report.detail))
                let code = report.exitCode.map { String($0) } ?? "none"
                orchestrator.emit(.taskVerified, "`\(command)` exit \(code)", task: task, details: .object([
                    "command": .string(command), "exit_code": report.exitCode.map { .number(Double($0)) } ?? .null,
                    "passed": .bool(report.passed), "output": .string(String(report.detail.suffix(1500))),
                ]))
                return report
            }
        }
        let strategy = spark.strategy
        let finalVerifier = verifier
        let pipeline = spark.role == .coordinator
            ? rolePipeline(workspace: workspace, sandbox: taskSandbox, policy: policy) : nil
        let work: @Sendable (AgentRun) async throws(SparksError) -> AgentResult = { run throws(SparksError) in
            if let pipeline { return try await pipeline(run) }
            if strategy == .code { return try await CodeStrategy().run(run, verify: finalVerifier) }
            return try await ReActStrategy().run(run, verify: finalVerifier)
        }
        let result = await Self.runWithDeadline(seconds: waitSecs, agentRun: agentRun, progress: progress, stop: stop, strategy: work)
        var verification: VerificationReport?
        if case .finished(let agent) = result, agent.succeeded || agent.verification != nil, stop.reason == nil {
            if let report = agent.verification {
                verification = report
            } else if let finalVerifier {
                verification = await finalVerifier()
            }
        }
        // Done with the task's sandbox: end it now, so nothing (processes, proxy socket) outlives the task.
        await session?.close()
        await container?.close()
        do {
            try workspaces.commitAll(workspace, message: "sparks: \(task.goal.prefix(72))\n\nTask \(task.id.uuidString.lowercased()), spark \(spark.name).")
        } catch {
            logger.warning("could not commit the task's changes", metadata: ["error": "\(error.message)"])
            if error.code == .workspaceTampered {
                emit(.sandboxViolation, "the spark tampered with its clone's .git: \(error.message)", task: task)
            }
        }
        let durationMs = elapsedMs()
        let outcome: TaskOutcome
        switch result {
        case .finished(let agent):
            if let verification, !verification.passed {
                outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .verifyFailed,
                                      summary: agent.summary + "\n\nVerification failed"
                                          + (verification.healAttempts > 0 ? " after \(verification.healAttempts) heal attempt(s)" : "")
                                          + ": \(verification.detail)",
                                      error: "verify command failed: \(verification.detail.prefix(300))",
                                      steps: agent.steps, usage: agent.usage, durationMs: durationMs,
                                      verifyExitCode: verification.exitCode ?? -1)
            } else {
                outcome = TaskOutcome(taskID: task.id, status: agent.succeeded ? .succeeded : .failed, reason: agent.reason,
                                      summary: agent.summary, steps: agent.steps, usage: agent.usage, durationMs: durationMs,
                                      verifyExitCode: verification?.exitCode)
            }
        case .failed(let error):
            let (steps, usage) = progress.snapshot()
            let reason: ReasonCode = error.code == .cancelled ? .cancelled : error.code.rawValue.hasPrefix("llm_") ? .llmError : .internalError
            // Worth another attempt later: an overloaded, rate-limited or slow provider — not a refused
            // key, an unknown model or a wrong address, which a retry would only repeat.
            let transient: Set<ErrorCode> = [.llmRateLimited, .llmServer, .llmTimeout]
            outcome = TaskOutcome(taskID: task.id, status: .failed, reason: reason, summary: "The task failed: \(error.message)",
                                  error: error.description, steps: steps, usage: usage, durationMs: durationMs,
                                  retryable: transient.contains(error.code))
        case .timedOut:
            let (steps, usage) = progress.snapshot()
            outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .dispatchTimeout,
                                  summary: "The task did not finish within \(waitSecs) s and was stopped.",
                                  error: "dispatch_timeout after \(waitSecs) s", steps: steps, usage: usage, durationMs: durationMs)
        }
        if stop.reason == nil && outcome.reason != .llmError {
            await storeLesson(task: task, outcome: outcome, logger: taskLogger)
        }
        return outcome
    }

    /// Runs the verify command in the sandbox; its exit code decides.
    func verify(_ command: String, in workspace: Workspace, sandbox: any Sandbox, policy: SandboxPolicy) async -> VerificationReport {
        do {
            let result = try await sandbox.run(.shell(command, in: workspace.path), policy: policy)
            let tail = String(result.combinedOutput.suffix(1500))
            var code: Int?
            if case .exited(let status) = result.termination { code = Int(status) }
            return VerificationReport(passed: result.termination.succeeded, exitCode: code,
                                detail: "`\(command)` → \(result.termination)" + (tail.isEmpty ? "" : "\n\(tail)"))
        } catch {
            return VerificationReport(passed: false, exitCode: nil, detail: "`\(command)` could not run: \(error.message)")
        }
    }

    enum RunResult: Sendable {
        case finished(AgentResult)
        case failed(SparksError)
        case timedOut
    }

    /// Runs the spark, stopping it when the deadline passes or the stop signal fires.
    static func runWithDeadline(seconds: Int, agentRun: AgentRun, progress: ProgressTracker, stop: StopSignal,
                                strategy: @escaping @Sendable (AgentRun) async throws(SparksError) -> AgentResult) async -> RunResult {
        var run = agentRun
        let hooks = run.hooks
        run.hooks.progress = { steps, usage in
            progress.update(steps: steps, usage: usage)
            hooks.progress(steps, usage)
        }
        let finalRun = run
        return await withTaskGroup(of: RunResult.self) { group in
            group.addTask {
                do { return .finished(try await strategy(finalRun)) } catch { return .failed(SparksError.wrap(error)) }
            }
            group.addTask {
                do { try await Task.sleep(for: .seconds(seconds)) } catch { return .failed(SparksError(.cancelled, "cancelled")) }
                return .timedOut
            }
            group.addTask {
                while stop.reason == nil {
                    do { try await Task.sleep(for: .milliseconds(200)) } catch { break }
                }
                return .failed(SparksError(.cancelled, stop.reason == .shutdown ? "Sparks is shutting down" : "the task was cancelled"))
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }
}

extension Orchestrator {
    /// The MCP tools the spark's allowlist grants. A server that cannot start leaves the spark
    /// without its tools (recorded as an event); a tool the server does not have is an error.
    func mcpTools(for spark: SparkDefinition, task: TaskSpec) async throws(SparksError) -> [any Tool] {
        let names = spark.tools.filter { $0.hasPrefix("mcp:") }
        guard !names.isEmpty else { return [] }
        guard let mcp else {
            throw SparksError(.configInvalid, "spark `\(spark.name)` lists MCP tools but no MCP server is configured",
                              hint: "add [[mcp.servers]] to the configuration")
        }
        let settings = Dictionary(config.mcpServers.map { ($0.name, Set($0.requiresConfirmation)) }, uniquingKeysWith: { first, _ in first })
        let found = await mcp.sparkTools(names) { settings[$0] ?? [] }
        for (server, problem) in found.unavailable.sorted(by: { $0.key < $1.key }) {
            emit(.mcpServer, "\(server) unavailable for \(spark.name): \(problem.prefix(300))", task: task)
        }
        if !found.missing.isEmpty {
            throw SparksError(.configInvalid, "spark `\(spark.name)` lists MCP tools its servers do not have: "
                + found.missing.joined(separator: ", "), hint: "`sparks mcp tools` lists what each server offers")
        }
        return found.tools
    }
}

extension Orchestrator {
    /// Runs `command` in a finished task's workspace, in the sandbox, with the policy its own
    /// verification had (no network): how the eval harness runs a suite's test command.
    public func check(_ command: String, taskID: UUID) async throws(SparksError) -> VerificationReport {
        guard let task = try store.task(idPrefix: taskID.uuidString), let path = task.workspace, let branch = task.branch,
              let base = task.baseCommit, let source = task.sourceRepository
        else {
            throw SparksError(.invalidInput, "task \(taskID.uuidString.lowercased()) has no workspace to run `\(command)` in")
        }
        let workspace = Workspace(path: path, branch: branch, baseCommit: base, source: source)
        let root = try PathGuard(root: path).root
        let policy = SandboxPolicy.workspace(root, limits: config.sandbox.limits,
                                             readOnlyPaths: workspace.readOnlyPaths + config.sandbox.readOnlyPaths)
        return await verify(command, in: workspace, sandbox: sandbox, policy: policy)
    }
}

extension Orchestrator {
    /// How this task's `coding_cli` runs: the task's or spark's CLI first, then the CLIs with the
    /// best record in this repository and lane, then the configured order; every run recorded.
    func codingCLIContext(task: TaskSpec, spark: SparkDefinition) -> CodingCLIContext {
        let stats = ((try? store.cliToolStats(repo: task.repoLabel, lane: task.lane)) ?? []).compactMap { stat in
            CodingCLI(rawValue: stat.cli).map { (cli: $0, runs: stat.runs, successes: stat.successes) }
        }
        let order = CodingCLIContext.rank(preferred: (task.cliTool ?? spark.cliTool).flatMap(CodingCLI.init(rawValue:)),
                                          configured: config.codingCLI.order.compactMap(CodingCLI.init(rawValue:)), stats: stats)
        let store = self.store
        return CodingCLIContext(
            order: order, binDirectory: config.codingCLI.binDirectory,
            environment: config.codingCLI.environment.mapValues { $0.reveal() }, timeoutSecs: Double(config.codingCLI.timeoutSecs),
            record: { cli, ok, milliseconds in
                try? store.recordCLIToolRun(cli: cli.rawValue, repo: task.repoLabel, lane: task.lane, ok: ok, durationMs: milliseconds,
                                            taskID: task.id)
            })
    }
}
