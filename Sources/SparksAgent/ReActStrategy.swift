import Foundation
import SparksCore
import SparksLLM
import SparksTools

/// The ReAct loop: the model answers, its tool calls run, their results go back, until it answers
/// in plain text (done), a guard stops it, or it runs out of steps.
public struct ReActStrategy: Sendable {
    /// Loop-guard refusals tolerated before the task is stopped.
    public var maxGuardRefusals = 3

    public init() {}

    /// - Parameter verify: The task's verify command; with `run.steering` it ends the run as soon
    ///   as a change makes it pass, and its failure output goes back to the model.
    public func run(_ run: AgentRun, verify: CodeStrategy.Verifier? = nil) async throws(SparksError) -> AgentResult {
        let specs = run.tools.map(\.spec)
        var executor = ToolExecutor(tools: run.tools, context: run.toolContext, loopGuard: LoopGuard(settings: run.loopGuard),
                                    hooks: run.hooks)
        let compactor = ContextCompactor(contextWindow: run.contextWindow)
        var messages: [ChatMessage] = []
        func append(_ message: ChatMessage) {
            messages.append(message)
            run.hooks.message(message)
        }
        append(.system(PromptBuilder.systemPrompt(spark: run.spark, repository: run.task.repository, toolNames: run.tools.map(\.name))))
        append(.user(PromptBuilder.taskMessage(goal: run.task.goal, context: run.task.context, memories: run.memories,
                                               memoryTokenBudget: run.memoryTokenBudget)))

        var usage = TokenUsage()
        var lastPromptTokens: Int?
        var emptyReplies = 0
        for step in 1...run.maxSteps {
            if Task.isCancelled { throw SparksError(.cancelled, "the task was cancelled") }
            if compactor.needsCompaction(messages, lastPromptTokens: lastPromptTokens) {
                messages = compactor.compact(messages)
            }
            run.hooks.event(.stepStarted(step: step))
            let offered = run.steering ? SmallModelSteering.constrainingPaths(specs, root: run.toolContext.pathGuard.root,
                                                                                   goal: run.task.goal) : specs
            let request = ChatRequest(messages: messages, tools: offered, model: run.spark.model)
            let hooks = run.hooks
            var response = try await run.model.respond(request) { hooks.event(.textDelta($0)) }
            usage = usage + response.usage
            if run.steering, let steered = try await SmallModelSteering.steer(
                response, request: request, loopGuard: executor.loopGuard, changedNothing: verify != nil && executor.stateChanges == 0,
                run: run)
            {
                usage = usage + steered.usage
                response = steered
            }
            lastPromptTokens = response.usageEstimated ? nil : response.usage.promptTokens
            run.hooks.progress(step, usage)
            append(response.message)

            if response.message.toolCalls.isEmpty {
                let text = (response.message.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty {
                    return AgentResult(succeeded: true, reason: nil, summary: text, steps: step, usage: usage,
                                       changedFiles: executor.changedFiles)
                }
                emptyReplies += 1
                if emptyReplies >= 2 {
                    return AgentResult(succeeded: false, reason: .stuckNoProgress, summary: "The model gave empty answers twice.",
                                       steps: step, usage: usage, changedFiles: executor.changedFiles)
                }
                append(.user("Your reply was empty. Continue the task with a tool call, or give your final answer in plain text."))
                continue
            }
            let changedBefore = executor.stateChanges
            for call in response.message.toolCalls {
                let outcome = await executor.execute(call, step: step)
                append(.tool(callID: call.id, outcome.observation))
                if executor.loopGuard.refusals >= maxGuardRefusals {
                    let detail = "the loop guard refused \(executor.loopGuard.refusals) repeated tool calls"
                    run.hooks.event(.guardTripped(reason: .loopGuardTriggered, detail: detail))
                    return AgentResult(succeeded: false, reason: .loopGuardTriggered, summary: "Stopped: \(detail).",
                                       steps: step, usage: usage, changedFiles: executor.changedFiles)
                }
                if let (reason, detail) = outcome.stop {
                    run.hooks.event(.guardTripped(reason: reason, detail: detail))
                    return AgentResult(succeeded: false, reason: reason, summary: "Stopped: \(detail).", steps: step,
                                       usage: usage, changedFiles: executor.changedFiles)
                }
            }
            if run.steering, let verify, executor.stateChanges > changedBefore {
                run.hooks.event(.phase(name: "verify", detail: "a change was made: run the verify command"))
                let report = await verify()
                if report.passed {
                    let files = executor.changedFiles.joined(separator: ", ")
                    return AgentResult(succeeded: true, reason: nil,
                                       summary: "Changed \(files.isEmpty ? "the workspace" : files); the verify command passes.",
                                       steps: step, usage: usage, changedFiles: executor.changedFiles, verification: report)
                }
                append(.user("The verify command fails after that change:\n\(report.detail)\nFix the change so that it passes."))
            }
        }
        // Out of steps: ask for a summary of where things stand, without tools.
        append(.user("You have reached the step limit (\(run.maxSteps) steps). Do not call tools. Summarize what you did, "
            + "which files you changed, and what is left to do."))
        let hooks = run.hooks
        let final = try await run.model.respond(ChatRequest(messages: messages, model: run.spark.model)) {
            hooks.event(.textDelta($0))
        }
        usage = usage + final.usage
        append(final.message)
        let summary = final.message.content?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return AgentResult(succeeded: false, reason: .stepLimitExceeded,
                           summary: summary.isEmpty ? "Reached the step limit of \(run.maxSteps)." : summary,
                           steps: run.maxSteps, usage: usage, changedFiles: executor.changedFiles)
    }
}

/// Runs the model's tool calls: allowlist, loop guard, stuck detection, timing, error text.
struct ToolExecutor {
    struct Outcome {
        var observation: String
        var stop: (ReasonCode, String)?
    }

    let tools: [String: any Tool]
    let context: ToolContext
    var loopGuard: LoopGuard
    var stuck = StuckDetector()
    let hooks: AgentHooks
    private(set) var changedFiles: [String] = []
    /// Calls that changed files so far.
    private(set) var stateChanges = 0

    init(tools: [any Tool], context: ToolContext, loopGuard: LoopGuard, hooks: AgentHooks) {
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.context = context
        self.loopGuard = loopGuard
        self.hooks = hooks
    }

    mutating func execute(_ call: ToolCall, step: Int) async -> Outcome {
        hooks.event(.toolStarted(step: step, name: call.name, arguments: call.arguments))
        let started = ContinuousClock.now
        var observation: String
        var failed = false
        var errorText: String?
        if let refusal = loopGuard.check(tool: call.name, arguments: call.arguments) {
            observation = "[tool error] " + refusal
            failed = true
            errorText = ReasonCode.loopGuardTriggered.rawValue
            hooks.event(.guardTripped(reason: .loopGuardTriggered, detail: "\(call.name) repeated"))
        } else if let tool = tools[call.name] {
            do {
                let arguments = try ToolArguments(tool: call.name, json: call.arguments)
                let output = try await tool.run(arguments, context: context)
                observation = output.text
                if !output.changedFiles.isEmpty {
                    loopGuard.stateChanged()
                    stateChanges += 1
                    for file in output.changedFiles where file != "*" && !changedFiles.contains(file) { changedFiles.append(file) }
                }
            } catch {
                observation = "[tool error] " + error.message
                failed = true
                errorText = error.message
                // A guard said no: worth an event of its own, not only a failed call.
                if [ErrorCode.pathRefused, .urlRefused, .confirmationRequired, .workspaceTampered].contains(error.code) {
                    hooks.event(.guardTripped(reason: ReasonCode(error.code.rawValue), detail: "\(call.name): \(error.message)"))
                }
            }
        } else {
            observation = "[tool error] tool `\(call.name)` is not available to this spark; available tools: "
                + tools.keys.sorted().joined(separator: ", ")
            failed = true
            errorText = "unknown tool"
        }
        if !context.secrets.isEmpty { observation = context.secrets.redactKnown(observation) }
        let elapsed = started.duration(to: .now)
        let durationMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let toolName = tools[call.name] == nil ? "unknown_tool" : call.name
        hooks.toolUsed(errorText == ReasonCode.loopGuardTriggered.rawValue ? "loop_guard" : toolName, !failed, durationMs, errorText)
        hooks.event(.toolFinished(step: step, name: call.name, ok: !failed, durationMs: durationMs,
                                  preview: String(observation.prefix(200))))
        let stop = stuck.record(tool: call.name, arguments: call.arguments, observation: observation, failed: failed)
        return Outcome(observation: observation, stop: stop)
    }
}
