import Foundation
import Logging
import SparksAgent
import SparksConfig
import SparksCore
import SparksLLM
import SparksObserve
import SparksSandbox
import SparksStore
import SparksTools
import Synchronization

extension Orchestrator {
    /// The coordinator's pipeline: its run delegates steps to other sparks in the same worktree,
    /// and a critic reviews the diff (computed inside the sandbox).
    func rolePipeline(workspace: Workspace, sandbox: any Sandbox, policy: SandboxPolicy)
        -> @Sendable (AgentRun) async throws(SparksError) -> AgentResult
    {
        let registry = self.registry
        let memoryOff = memory == nil
        let defaultSteps = config.agent.maxSteps
        let roster = config.sparks
        return { coordinatorRun throws(SparksError) in
            let pipeline = HierarchicalPipeline(
                makeRun: { other, goal, context throws(SparksError) in
                    var run = coordinatorRun
                    var tools = try registry.tools(for: other)
                    if memoryOff { tools.removeAll { SparkDefinition.memoryTools.contains($0.name) } }
                    run.spark = other
                    run.tools = tools
                    run.task.goal = goal
                    run.task.context = context
                    run.maxSteps = other.maxSteps ?? defaultSteps
                    run.memories = []
                    return run
                },
                execute: { run throws(SparksError) in
                    run.spark.strategy == .code ? try await CodeStrategy().run(run, verify: nil) : try await ReActStrategy().run(run)
                },
                diff: {
                    // New files count too: mark them intent-to-add so the diff shows them.
                    let command = "git add --intent-to-add . >/dev/null 2>&1; git --no-pager diff --no-ext-diff --no-textconv \(workspace.baseCommit)"
                    let result = try? await sandbox.run(.shell(command, in: workspace.path), policy: policy)
                    return result?.stdout ?? ""
                },
                roster: roster)
            return try await pipeline.run(coordinatorRun)
        }
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
        guard let memory, autonomy.allows(.storeMemory) else { return }
        let goal = task.goal.replacingOccurrences(of: "\n", with: " ")
        let summary = outcome.summary.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        var lesson = "\(goal.prefix(200)) → \(outcome.status.rawValue)"
        if let reason = outcome.reason, outcome.status != .succeeded { lesson += " (\(reason.rawValue))" }
        if !summary.isEmpty { lesson += ": " + summary }
        if lesson.count > 500 { lesson = String(lesson.prefix(499)) + "…" }
        let redactor = Redactor(secrets: config.knownSecrets.map { $0.reveal() })
        do {
            _ = try await memory.remember(category: "lesson", content: redactor.redact(lesson),
                                          source: "task:\(task.id.uuidString.lowercased())")
            try await memory.flush()
        } catch {
            logger.warning("could not store the task's lesson", metadata: ["error": "\(error.message)"])
        }
    }

    static func hooks(store: SparksStore, taskID: UUID, spark: String, conversation: UUID, events: @escaping TaskEventSink,
                      logger: Logger) -> AgentHooks {
        AgentHooks(
            event: { event in
                events(event)
                observe(event, store: store, taskID: taskID, spark: spark)
            },
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

extension Orchestrator {
    /// The events of a running spark that go to the event stream: tool calls, guard refusals
    /// (as sandbox violations or denied approvals) and phases.
    static func observe(_ event: TaskEvent, store: SparksStore, taskID: UUID, spark: String) {
        switch event {
        case .toolFinished(let step, let name, let ok, let durationMs, let preview):
            store.emit(.toolUsage, "\(name) \(ok ? "ok" : "fail") (\(durationMs) ms)", taskID: taskID, spark: spark, details: .object([
                "tool": .string(name), "ok": .bool(ok), "duration_ms": .number(Double(durationMs)), "step": .number(Double(step)),
                "preview": .string(String(preview.prefix(200))),
            ]))
        case .guardTripped(let reason, let detail):
            let message = "\(reason.rawValue): \(detail.prefix(300))"
            let details = JSONValue.object(["reason": .string(reason.rawValue)])
            switch reason.rawValue {
            case ErrorCode.confirmationRequired.rawValue:
                store.emit(.approvalDenied, message, taskID: taskID, spark: spark, details: details)
            case ReasonCode.loopGuardTriggered.rawValue, ReasonCode.stuckRepeatedError.rawValue, ReasonCode.stuckAlternating.rawValue,
                 ReasonCode.stuckNoProgress.rawValue:
                store.emit(.toolUsage, message, taskID: taskID, spark: spark, details: details)
            default:
                store.emit(.sandboxViolation, message, taskID: taskID, spark: spark, details: details)
            }
        case .phase(let name, let detail):
            store.emit(.taskPhase, "\(name): \(detail)", taskID: taskID, spark: spark, details: .object(["phase": .string(name)]))
        default:
            break
        }
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
