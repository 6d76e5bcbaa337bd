import ArgumentParser
import Foundation
import SparksCore
import SparksObserve
import SparksStore

struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Follow Sparks' event stream: tasks, tool calls, routing, selection, scans, approvals, jobs.",
        discussion: """
            Reads $SPARKS_HOME/observer.sock while `sparks serve` runs, else the database's event log
            directly, and switches (every 2 s) when that changes — so it keeps following across daemon
            restarts. Events of every Sparks process on this home appear, in order. Colours when stdout
            is a terminal; --json prints the stream's own lines (one JSON object per event, schema
            version 1). Ctrl-C stops.

            Examples:
              sparks observe
              sparks observe --category tool_usage,task_finished --task 7f9c2a1e
              sparks observe --json | jq .
            """)

    @Option(name: .long, help: ArgumentHelp("Only these categories (comma-separated; see --list-categories).", valueName: "list"))
    var category: String?

    @Option(name: .long, help: ArgumentHelp("Only events of this task (id or prefix).", valueName: "id"))
    var task: String?

    @Flag(name: .long, help: "Print JSON lines.")
    var json = false

    @Flag(name: .long, help: "List the categories and exit.")
    var listCategories = false

    @Option(name: .long, help: ArgumentHelp("Also print the last N recorded events first.", valueName: "n"))
    var recent = 0

    @Flag(name: .long, help: "Print the --recent events and exit instead of following.")
    var noFollow = false

    @OptionGroup var options: GlobalOptions

    var categories: Set<EventCategory>? {
        guard let category else { return nil }
        return Set(category.split(separator: ",").compactMap { EventCategory(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }

    func validate() throws {
        for name in (category ?? "").split(separator: ",") where EventCategory(rawValue: name.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("unknown category \"\(name)\"; known: " + EventCategory.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if recent < 0 { throw ValidationError("--recent must be 0 or more") }
    }

    func run() async throws {
        if listCategories {
            for category in EventCategory.allCases { Terminal.out("\(category.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(category.label)") }
            return
        }
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try SparksStore(path: config.databasePath)
            let wanted = categories
            let taskPrefix = task?.lowercased()
            let formatter = EventFormatter(colour: isatty(STDOUT_FILENO) != 0 && !json)
            func show(_ event: ObservedEvent) {
                if let wanted, !wanted.contains(event.category), event.category != .observerLagged { return }
                if let taskPrefix, !(event.taskID?.uuidString.lowercased().hasPrefix(taskPrefix) ?? false) { return }
                Terminal.out(json ? event.json.canonicalText : formatter.line(event))
            }
            if recent > 0 {
                let latest = try store.latestEventID()
                for event in try store.observedEvents(after: max(0, latest - Int64(recent)), limit: recent) { show(event) }
            }
            if noFollow { return }
            let client = ObserverClient(socketPath: (config.home as NSString).appendingPathComponent("observer.sock"), store: store)
            let quiet = json
            for await event in client.events(onSource: { source in
                if !quiet {
                    Terminal.error(source == .socket ? "— following sparks serve's event stream" : "— no daemon: following the event log")
                }
            }) {
                show(event)
            }
        }
    }
}
