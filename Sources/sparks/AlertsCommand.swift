import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksProactive
import SparksStore

struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Alert rules: a pattern in the activity log (tool runs, chat, tasks) becomes an alert and a pulse.",
        discussion: """
            `sparks serve` checks the enabled rules every 30 s against the activity since its last check. A match is
            an `alert` event, and a pulse (critical → high urgency, delivered even in quiet hours; warning → medium;
            info → low). A rule fires at most once per check and then stays quiet for 5 minutes.

            Examples:
              sparks alerts add denied "permission denied" tool_output critical
              sparks alerts add slow-verify FAILED summary
              sparks alerts list
              sparks alerts toggle 2
              sparks alerts remove 2
            """)

    @Argument(parsing: .captureForPassthrough, help: "list | add <name> <pattern> [target] [severity] | remove <id> | toggle <id>")
    var words: [String] = []
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let quoted = words.map { $0.contains(where: \.isWhitespace) ? "\"\($0)\"" : $0 }.joined(separator: " ")
            let command: AlertCommand
            do throws(ReviewError) { command = try AlertCommand(parsing: quoted) } catch {
                throw SparksError(.invalidInput, error.message, hint: "sparks alerts --help shows the forms")
            }
            switch command {
            case .list:
                let rules = try store.alertRules()
                if rules.isEmpty { Terminal.out("no alert rules; add one: sparks alerts add NAME PATTERN [target] [severity]") }
                for rule in rules {
                    Terminal.out("#\(rule.id) \(rule.enabled ? "on " : "off") \(rule.name): \"\(rule.pattern)\" in \(rule.target) [\(rule.severity)]")
                }
            case .add(let name, let pattern, let target, let severity):
                let id = try store.insertAlertRule(name: name, pattern: pattern, target: target.rawValue, severity: severity.rawValue)
                Terminal.out("#\(id) \(name): \"\(pattern)\" in \(target.rawValue) [\(severity.rawValue)]")
            case .remove(let id):
                guard try store.deleteAlertRule(id: id) else { throw SparksError(.invalidInput, "there is no alert rule #\(id)", hint: "sparks alerts list") }
                Terminal.out("removed #\(id)")
            case .toggle(let id):
                guard let enabled = try store.toggleAlertRule(id: id) else {
                    throw SparksError(.invalidInput, "there is no alert rule #\(id)", hint: "sparks alerts list")
                }
                Terminal.out("#\(id) \(enabled ? "on" : "off")")
            }
        }
    }
}

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow the activity log live for a while: chat turns, routing, tasks and tool runs, a line each.",
        discussion: """
            Polls every 2 s for --secs seconds (default 300, at most 3600). --rule ID shows only what that alert
            rule matches.

            Example: sparks watch --secs 600
            """)

    @Option(name: .long, help: "How long to watch (seconds, at most 3600).") var secs: Int?
    @Option(name: .long, help: "Only entries this alert rule matches.") var rule: Int64?
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            var alertRule: AlertRule?
            if let rule {
                guard let record = try store.alertRules().first(where: { $0.id == rule }) else {
                    throw SparksError(.invalidInput, "there is no alert rule #\(rule)", hint: "sparks alerts list")
                }
                alertRule = try? AlertRule(id: record.id, name: record.name, pattern: record.pattern,
                                           target: (try? AlertTarget(parsing: record.target)) ?? .any,
                                           severity: (try? AlertSeverity(parsing: record.severity)) ?? .warning)
            }
            let filter = WatchFilter(seconds: secs, rule: alertRule, timeZone: .current)
            if let note = filter.note { Terminal.error(note) }
            Terminal.error("watching for \(filter.seconds) s (Ctrl-C to stop)")
            var cursor = try store.events(limit: 1).last?.id ?? 0
            let deadline = filter.deadline(from: Date())
            while Date() < deadline {
                let events = try store.events(after: cursor)
                if let last = events.last { cursor = last.id }
                for line in filter.lines(for: ActivityLog.entries(events).filter(filter.accepts)) { Terminal.out(line) }
                try await Task.sleep(for: .seconds(WatchFilter.pollSeconds))
            }
        }
    }
}
