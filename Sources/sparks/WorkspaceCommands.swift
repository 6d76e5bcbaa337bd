import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksProactive
import SparksSandbox
import SparksStore

/// Finds a task by id prefix, or explains why not.
func findTask(_ prefix: String, in store: SparksStore) throws(SparksError) -> TaskRecord {
    guard let task = try store.task(idPrefix: prefix) else {
        throw SparksError(.invalidInput, "there is no task \(prefix)", hint: "`sparks tasks list` or `sparks history` lists task ids")
    }
    return task
}

/// What the workspace commands share: the configuration, the store and the workspace manager.
struct WorkspaceContext {
    let config: SparksConfig
    let store: SparksStore
    let manager: WorkspaceManager

    init(_ options: GlobalOptions) throws(SparksError) {
        config = try CLI.loadConfig(options).config
        store = try CLI.openStore(config)
        manager = WorkspaceManager(root: (config.home as NSString).appendingPathComponent("workspaces"))
    }
}

func workspace(of task: TaskRecord) throws(SparksError) -> Workspace {
    guard let path = task.workspace, let branch = task.branch, let base = task.baseCommit, let source = task.sourceRepository else {
        throw SparksError(.invalidInput, "task \(task.id.uuidString.prefix(8).lowercased()) has no workspace (it was removed, or the task never started)")
    }
    return Workspace(path: path, branch: branch, baseCommit: base, source: source)
}

extension ReviewLevel: ExpressibleByArgument {}

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Show the change a task made (its diff), or review a session's or a task's activity.",
        discussion: """
            sparks review TASK           the diff of a task's workspace against where it started
            sparks review session [KEY]  what happened in a chat session (default: the latest): turns, routing,
                                         tasks and their tool runs; --level summary|standard|detailed, --hours
            sparks review task TASK      a task's activity as a tree of tool runs

            Examples: sparks review 7f9c2a1e --stat · sparks review session cli:local --level detailed
            """)

    @Argument(help: "Task id (or a unique prefix), or `session` / `task`.")
    var id: String

    @Argument(help: "With `session`: the session key; with `task`: the task id.")
    var target: String?

    @Flag(name: .long, help: "Only the list of changed files and line counts.")
    var stat = false

    @Option(name: .long, help: "Activity review detail: summary, standard or detailed.")
    var level: ReviewLevel = .standard

    @Option(name: .long, help: "Activity review: how many hours back.")
    var hours = 24

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            if id == "session" || id == "task" {
                try reviewActivity()
                return
            }
            let context = try WorkspaceContext(options)
            let task = try findTask(id, in: context.store)
            let space = try workspace(of: task)
            Terminal.error("task \(task.id.uuidString.lowercased()) · \(task.status.rawValue) · branch \(space.branch) · \(space.path)")
            let verifications = try context.store.events(taskID: task.id, categories: ["task_verified"])
            if verifications.isEmpty {
                Terminal.error("verification: none ran (no verify command for this task or its spark)")
            }
            for event in verifications {
                let details = event.details.flatMap(JSONValue.parse)
                let passed = details?["passed"]?.boolValue == true
                Terminal.error("verification: \(event.message) · \(passed ? "passed" : "FAILED")")
                if let output = details?["output"]?.stringValue, !output.isEmpty {
                    for line in output.split(separator: "\n").suffix(20) { Terminal.error("  | \(line)") }
                }
            }
            let diff = try context.manager.diff(space, stat: stat)
            Terminal.out(diff.isEmpty ? "(no changes)" : diff, newline: !diff.hasSuffix("\n"))
        }
    }
}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Merge a finished task's branch into its repository's current branch.",
        discussion: "The repository must have no uncommitted changes. A failed task is applied only with --force.")

    @Argument(help: "Task id (or a unique prefix).")
    var id: String

    @Flag(name: .long, help: "Apply even though the task did not succeed.")
    var force = false

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let context = try WorkspaceContext(options)
            let task = try findTask(id, in: context.store)
            guard task.status.isTerminal else {
                throw SparksError(.invalidInput, "task \(id) is still \(task.status.rawValue)")
            }
            guard task.status == .succeeded || force else {
                throw SparksError(.invalidInput, "task \(id) ended \(task.status.rawValue)\(task.reason.map { " (\($0.rawValue))" } ?? "")",
                                  hint: "review it with `sparks review \(id)`; apply anyway with --force")
            }
            if task.appliedAt != nil, !force {
                throw SparksError(.invalidInput, "task \(id) was already applied")
            }
            let space = try workspace(of: task)
            if task.verifyExitCode == nil {
                Terminal.error("note: no verify command ran for this task; its change is unverified (review it first)")
            }
            let done = try context.manager.apply(space)
            try context.store.markApplied(taskID: task.id)
            Terminal.out(done)
        }
    }
}

struct DiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Throw away a finished task's work: remove its workspace and branch.",
        discussion: """
            Discarding the work of a task that succeeded (and was not applied) counts as a rollback in
            KPI-driven spark selection: a person rejected it. Example: sparks discard 7f9c2a1e
            """)

    @Argument(help: "Task id (or a unique prefix).")
    var id: String

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let context = try WorkspaceContext(options)
            let task = try findTask(id, in: context.store)
            guard task.status.isTerminal else {
                throw SparksError(.invalidInput, "task \(id) is still \(task.status.rawValue)", hint: "cancel it first: sparks tasks cancel \(id)")
            }
            guard task.appliedAt == nil else {
                throw SparksError(.invalidInput, "task \(id) was applied; discarding its workspace would not undo that",
                                  hint: "revert the merge in the repository with git revert")
            }
            if let path = task.workspace, FileManager.default.fileExists(atPath: path) {
                try context.manager.remove(path)
            }
            try context.store.clearWorkspace(taskID: task.id)
            if task.status == .succeeded {
                try context.store.markRolledBack(taskID: task.id)
                context.store.emit(.taskDiscarded, "work discarded by a person; counted as a rollback", taskID: task.id, spark: task.spark)
                Terminal.out("discarded the work of \(id) (counted as a rollback for \(task.spark))")
            } else {
                Terminal.out("discarded the workspace of \(id)")
            }
        }
    }
}

struct WorktreesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worktrees",
        abstract: "List or remove task workspaces.",
        subcommands: [List.self, Prune.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List task workspaces still on disk.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let tasks = try store.tasksWithWorkspaces()
                if tasks.isEmpty { Terminal.out("no workspaces") }
                for task in tasks {
                    Terminal.out("\(task.id.uuidString.prefix(8).lowercased())  \(task.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  "
                        + "\(task.appliedAt == nil ? "not applied" : "applied    ")  \(task.workspace ?? "")")
                }
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove workspaces of finished tasks: applied or failed ones, and with --all also unapplied successes.")

        @Flag(name: .long, help: "Also remove workspaces of succeeded tasks that were not applied.")
        var all = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let context = try WorkspaceContext(options)
                var removed = 0
                for task in try context.store.tasksWithWorkspaces() where task.status != .running {
                    guard all || task.appliedAt != nil || task.status != .succeeded, let path = task.workspace else { continue }
                    if FileManager.default.fileExists(atPath: path) { try context.manager.remove(path) }
                    try context.store.clearWorkspace(taskID: task.id)
                    removed += 1
                }
                Terminal.out("removed \(removed) workspace(s)")
            }
        }
    }
}

extension ReviewCommand {
    /// `sparks review session [KEY]` and `sparks review task ID`: the activity log rendered, no model needed.
    func reviewActivity() throws {
        let config = try CLI.loadConfig(options).config
        let store = try CLI.openStore(config)
        let since = Date().addingTimeInterval(-Double(max(1, hours)) * 3600)
        if id == "task" {
            guard let target else { throw SparksError(.invalidInput, "which task?", hint: "sparks review task 7f9c2a1e") }
            let task = try findTask(target, in: store)
            let entries = ActivityLog.entries(try store.events(taskID: task.id, limit: 5000))
            Terminal.out(TaskReview(timeZone: .current).render(taskID: task.id.uuidString.lowercased(), entries: entries))
            return
        }
        let key: String
        if let target {
            key = target
        } else {
            guard let latest = try store.recentSessions(since: since, limit: 1).first else {
                throw SparksError(.invalidInput, "no session has activity in the last \(hours) h", hint: "use --hours, or name one: sparks review session cli:local")
            }
            key = latest
        }
        let entries = ActivityLog.entries(try store.sessionEvents(key, since: since))
        guard !entries.isEmpty else {
            let known = try store.recentSessions(since: since)
            throw SparksError(.invalidInput, "session \"\(key)\" has no activity in the last \(hours) h",
                              hint: known.isEmpty ? "no session has any" : "recent sessions: " + known.joined(separator: ", "))
        }
        Terminal.out("session \(key)")
        Terminal.out(SessionReview(timeZone: .current).render(entries, level: level))
    }
}
