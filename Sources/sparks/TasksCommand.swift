import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "The task queue: list, show and cancel tasks.",
        subcommands: [List.self, Show.self, Cancel.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queued and running tasks first, then the newest finished ones.",
            discussion: """
                Example:
                  sparks tasks list --status queued,running
                """)

        @Option(name: .long, help: ArgumentHelp("Only these statuses (comma-separated: queued, running, succeeded, failed, interrupted, cancelled).", valueName: "list"))
        var status: String?

        @Option(name: .long, help: "How many tasks to show.")
        var limit = 30

        @Flag(name: .long, help: "One JSON object per line.")
        var json = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if limit <= 0 { throw ValidationError("--limit must be positive") }
            for name in statusFilter where TaskStatus(rawValue: name) == nil {
                throw ValidationError("unknown status \"\(name)\"; use " + TaskStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }

        var statusFilter: [String] {
            (status ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let statuses = statusFilter.compactMap(TaskStatus.init(rawValue:))
                var tasks = try store.recentTasks(limit: limit, statuses: statuses)
                // Open work first (highest priority first), then by recency.
                tasks.sort { lhs, rhs in
                    let l = lhs.status.isTerminal ? 1 : 0, r = rhs.status.isTerminal ? 1 : 0
                    if l != r { return l < r }
                    if !lhs.status.isTerminal && lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
                    return lhs.createdAt > rhs.createdAt
                }
                if json {
                    for task in tasks { Terminal.out(TaskJSON.object(task).canonicalText) }
                    return
                }
                let counts = try store.taskCounts()
                Terminal.out("queued \(counts[.queued] ?? 0) · running \(counts[.running] ?? 0) · "
                    + "daemon \(DaemonLockInfo.describe(home: config.home))")
                if tasks.isEmpty {
                    Terminal.out("no tasks\(statuses.isEmpty ? "" : " with that status")")
                    return
                }
                for task in tasks {
                    let id = String(task.id.uuidString.lowercased().prefix(8))
                    let reason = task.reason.map { " (\($0.rawValue))" } ?? ""
                    let extra = task.status == .queued && task.notBefore != nil
                        ? " retry after \(HistoryCommand.format(task.notBefore!))" : task.cancelRequested && task.status == .running ? " cancelling" : ""
                    Terminal.out("\(id)  \((task.status.rawValue + reason + extra).padding(toLength: 30, withPad: " ", startingAt: 0))"
                        + "  p\(task.priority)  \(task.spark.padding(toLength: 8, withPad: " ", startingAt: 0))  "
                        + "\(task.lane)/\(task.repoLabel)/\(task.risk)  \(task.goal.replacingOccurrences(of: "\n", with: " ").prefix(60))")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One task: status, attempts, why its spark was chosen, its events and result.")

        @Argument(help: "The task id or a unique prefix of it.")
        var id: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let task = try findTask(id, in: store)
                let attempts = try store.attempts(taskID: task.id)
                let selection = try store.selection(taskID: task.id)
                let events = try store.events(taskID: task.id)
                if json {
                    var object = TaskJSON.object(task).objectValue ?? [:]
                    object["attempts"] = .array(attempts.map { attempt in
                        .object(["attempt": .number(Double(attempt.attempt)), "status": .string(attempt.status),
                                 "reason": attempt.reason.map(JSONValue.string) ?? .null,
                                 "started_at": .string(HistoryCommand.format(attempt.startedAt))])
                    })
                    if let selection {
                        object["selection"] = .object(["action": .string(selection.action), "selected": .string(selection.selected),
                                                       "reasons": .array(selection.reasonCodes.map(JSONValue.string)),
                                                       "explanation": .string(selection.explanation)])
                    }
                    object["events"] = .array(events.map { .object(["category": .string($0.category), "message": .string($0.message)]) })
                    Terminal.out(JSONValue.object(object).canonicalText)
                    return
                }
                Terminal.out("task \(task.id.uuidString.lowercased())")
                Terminal.out("  status    \(task.status.rawValue)\(task.reason.map { " (\($0.rawValue))" } ?? "")")
                Terminal.out("  spark     \(task.spark)\(task.sparkExplicit ? "" : " (chosen by KPI selection)")")
                Terminal.out("  scope     lane \(task.lane) · repo \(task.repoLabel) · risk \(task.risk) · priority \(task.priority) · source \(task.source)")
                Terminal.out("  repo      \(task.repository)")
                if let branch = task.branch { Terminal.out("  branch    \(branch)") }
                if let verify = task.verifyCommand { Terminal.out("  verify    \(verify)") }
                if let code = task.verifyExitCode { Terminal.out("  verified  exit \(code)\(code == 0 ? " (passed)" : " (failed)")") }
                Terminal.out("  usage     \(task.steps) steps · \(task.usage.totalTokens) tokens"
                    + (task.durationMs.map { " · " + String(format: "%.1f s", Double($0) / 1000) } ?? ""))
                Terminal.out("  goal      \(task.goal)")
                if let selection {
                    Terminal.out("  selection \(selection.action) → \(selection.selected) [\(selection.reasonCodes.joined(separator: ", "))]")
                    Terminal.out("            \(selection.explanation)")
                }
                if !attempts.isEmpty {
                    Terminal.out("  attempts")
                    for attempt in attempts {
                        Terminal.out("    #\(attempt.attempt) \(HistoryCommand.format(attempt.startedAt)) \(attempt.status)"
                            + (attempt.reason.map { " (\($0))" } ?? "") + (attempt.detail.map { ": \($0.prefix(120))" } ?? ""))
                    }
                }
                if !events.isEmpty {
                    Terminal.out("  events")
                    for event in events {
                        Terminal.out("    \(HistoryCommand.format(event.createdAt)) \(event.category): \(event.message.prefix(200))")
                    }
                }
                if let summary = task.summary, !summary.isEmpty {
                    Terminal.out("")
                    Terminal.out(summary)
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a queued task at once, or stop a running one (its worker stops it within a second).")

        @Argument(help: "The task id or a unique prefix of it.")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let task = try findTask(id, in: store)
                let short = String(task.id.uuidString.lowercased().prefix(8))
                switch try store.requestCancel(taskID: task.id) {
                case .cancelled:
                    Terminal.out("cancelled \(short) (it had not started)")
                case .requested:
                    Terminal.out("stopping \(short); its worker cancels it within a second")
                case .alreadyFinished(let status):
                    Terminal.out("\(short) already ended: \(status.rawValue)")
                }
                store.emit(.taskCancelRequested, "cancel requested from the CLI", taskID: task.id)
            }
        }
    }
}

/// A task as JSON for `--json` output.
enum TaskJSON {
    static func object(_ task: TaskRecord) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(task.id.uuidString.lowercased()), "status": .string(task.status.rawValue), "spark": .string(task.spark),
            "goal": .string(task.goal), "lane": .string(task.lane), "repo": .string(task.repoLabel), "risk": .string(task.risk),
            "priority": .number(Double(task.priority)), "attempts": .number(Double(task.attempts)),
            "repository": .string(task.repository), "created_at": .string(HistoryCommand.format(task.createdAt)),
            "steps": .number(Double(task.steps)), "tokens": .number(Double(task.usage.totalTokens)),
            "spark_explicit": .bool(task.sparkExplicit), "source": .string(task.source),
        ]
        if let reason = task.reason { object["reason"] = .string(reason.rawValue) }
        if let code = task.verifyExitCode { object["verify_exit_code"] = .number(Double(code)) }
        if let branch = task.branch { object["branch"] = .string(branch) }
        if let summary = task.summary { object["summary"] = .string(summary) }
        return .object(object)
    }
}

enum DaemonLockInfo {
    static func describe(home: String) -> String {
        if let pid = DaemonLock.runningPID(home: home) { return "running (pid \(pid))" }
        return "not running"
    }
}
