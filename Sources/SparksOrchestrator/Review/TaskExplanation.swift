import Foundation
import SparksCore
import SparksStore

/// Why a task went the way it did, from what was recorded (no model call): how it was routed,
/// why its spark, what the scanner said, which tools it used and how they fared, what verified it.
public struct TaskExplanation: Sendable, Codable {
    public struct ToolUse: Sendable, Codable, Hashable {
        public var tool: String
        public var calls: Int
        public var failures: Int
    }

    public var taskID: String
    public var goal: String
    public var status: String
    public var reason: String?
    public var spark: String
    public var lane: String
    public var risk: String
    public var repository: String
    public var source: String
    /// How the request reached a spark.
    public var routing: String
    /// Why this spark.
    public var selection: String
    public var selectionReasons: [String]
    public var scanner: String
    /// The tools the spark may use; the ones it used, with failures.
    public var allowedTools: [String]
    public var toolsUsed: [ToolUse]
    public var guardEvents: [String]
    public var verification: String
    public var verificationPassed: Bool?
    public var outcome: String

    /// Builds the explanation of `taskID` from the store; `sparks` gives each spark's tools.
    public static func explain(_ taskID: UUID, store: SparksStore, sparks: [SparkDefinition]) throws(SparksError) -> TaskExplanation {
        guard let task = try store.task(idPrefix: taskID.uuidString) else {
            throw SparksError(.invalidInput, "there is no task \(taskID.uuidString.lowercased())")
        }
        let events = try store.events(taskID: task.id, limit: 1000)
        return TaskExplanation(
            taskID: task.id.uuidString.lowercased(), goal: task.goal, status: task.status.rawValue, reason: task.reason?.rawValue,
            spark: task.spark, lane: task.lane, risk: task.risk, repository: task.repoLabel, source: task.source,
            routing: try routing(of: task, store: store),
            selection: try selection(of: task, store: store).text, selectionReasons: try selection(of: task, store: store).codes,
            scanner: scanner(events),
            allowedTools: sparks.first { $0.name == task.spark }?.tools ?? [],
            toolsUsed: tools(events), guardEvents: guards(events),
            verification: verification(task, events).text, verificationPassed: verification(task, events).passed,
            outcome: (task.summary ?? task.error ?? "(still \(task.status.rawValue))").prefix(600).description)
    }

    static func routing(of task: TaskRecord, store: SparksStore) throws(SparksError) -> String {
        // A chat turn's answer carries the task id; the route was recorded just before it, in the same session.
        let answers = try store.events(taskID: task.id, categories: [EventCategory.chatOut.rawValue], limit: 1)
        if let answer = answers.first, let session = answer.sessionKey {
            let routes = try store.events(categories: [EventCategory.routing.rawValue], limit: 200)
                .filter { $0.sessionKey == session && $0.id < answer.id }
            if let route = routes.max(by: { $0.id < $1.id }) {
                return "the chat message in session \(session) was routed \(route.message)"
            }
        }
        return switch task.source {
        case "chat", "api", "telegram": "a \(task.source) message became this task (its routing decision is no longer in the event log)"
        case "schedule": "a scheduled job fired; jobs go straight to a spark, no routing"
        case "eval": "an eval suite's task; the harness dispatches directly, no routing"
        case "self_build": "a self-build ticket; dispatched directly, no routing"
        case "feature": "a feature contract's step; dispatched directly, no routing"
        default: "dispatched directly from \(task.source) (`sparks dispatch`): no routing, the goal went to a spark as given"
        }
    }

    static func selection(of task: TaskRecord, store: SparksStore) throws(SparksError) -> (text: String, codes: [String]) {
        if let record = try store.selection(taskID: task.id) {
            return ("\(record.selected) by KPI-driven selection (\(record.action); baseline \(record.baseline)): \(record.explanation)",
                    record.reasonCodes)
        }
        if task.sparkExplicit { return ("\(task.spark) was named explicitly (--spark, @mention or the caller)", ["explicit_spark"]) }
        return ("\(task.spark) (no selection was recorded)", [])
    }

    static func scanner(_ events: [EventRecord]) -> String {
        guard let scan = events.last(where: { $0.category == EventCategory.promptScan.rawValue }) else {
            return "allow: no scanner rule matched the goal or context"
        }
        return scan.message
    }

    static func tools(_ events: [EventRecord]) -> [ToolUse] {
        var uses: [String: ToolUse] = [:]
        var order: [String] = []
        for event in events where event.category == EventCategory.toolUsage.rawValue {
            guard let details = event.details.flatMap(JSONValue.parse), let tool = details["tool"]?.stringValue else { continue }
            if uses[tool] == nil {
                order.append(tool)
                uses[tool] = ToolUse(tool: tool, calls: 0, failures: 0)
            }
            uses[tool]?.calls += 1
            if details["ok"]?.boolValue == false { uses[tool]?.failures += 1 }
        }
        return order.compactMap { uses[$0] }
    }

    static func guards(_ events: [EventRecord]) -> [String] {
        let categories: Set<String> = [EventCategory.sandboxViolation.rawValue, EventCategory.approvalDenied.rawValue,
                                       EventCategory.autonomyRefused.rawValue]
        let refusals = events.filter { event in
            categories.contains(event.category) || (event.category == EventCategory.toolUsage.rawValue
                && event.details.flatMap(JSONValue.parse)?["reason"] != nil)
        }
        return refusals.map { "\($0.category): \($0.message)" }
    }

    static func verification(_ task: TaskRecord, _ events: [EventRecord]) -> (text: String, passed: Bool?) {
        guard let verified = events.last(where: { $0.category == EventCategory.taskVerified.rawValue }) else {
            return (task.verifyCommand.map { "`\($0)` did not run (the task ended before verification)" }
                ?? "none: the task and its spark have no verify command, so nothing checked the result", nil)
        }
        let passed = verified.details.flatMap(JSONValue.parse)?["passed"]?.boolValue ?? (task.verifyExitCode == 0)
        return ("\(verified.message): \(passed ? "passed" : "FAILED")", passed)
    }

    /// The explanation as text for a terminal.
    public var text: String {
        var lines = ["Task \(taskID.prefix(8)) — \(status)\(reason.map { " (\($0))" } ?? "") · \(spark) · \(lane)/\(risk) · \(repository)",
                     "Goal: \(goal)",
                     "Route: \(routing)",
                     "Spark: \(selection)" + (selectionReasons.isEmpty ? "" : " [\(selectionReasons.joined(separator: ", "))]"),
                     "Scanner: \(scanner)",
                     "Tools: may use \(allowedTools.isEmpty ? "(none)" : allowedTools.joined(separator: ", ")); used "
                         + (toolsUsed.isEmpty ? "none"
                             : toolsUsed.map { "\($0.tool) ×\($0.calls)" + ($0.failures > 0 ? " (\($0.failures) failed)" : "") }
                                 .joined(separator: ", "))]
        lines += guardEvents.map { "Guard: \($0)" }
        lines.append("Verification: \(verification)")
        lines.append("Outcome: \(outcome)")
        return lines.joined(separator: "\n")
    }
}
