import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksProactive

struct KnobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knobs",
        abstract: "The runtime knobs: proactive switches, quiet hours, pulse limits, autonomy, scanner mode, loop guard, model…",
        discussion: """
            Knobs start from config.toml (autonomy, scanner mode, loop guard, ticket intake) and the defaults;
            `set` validates a value, stores it in the database and records a knob_change event. A running
            `sparks serve` reads the knobs every second, so a change applies without a restart; `reset`
            returns a knob to its configured value. Every proactive loop is off until switched on.

            Examples:
              sparks knobs
              sparks knobs set all_proactive on
              sparks knobs set heartbeat on
              sparks knobs set quiet_hours 22-7
              sparks knobs set timezone Europe/Berlin
              sparks knobs set autonomy 2
              sparks knobs reset autonomy
            """,
        subcommands: [Show.self, Set.self, Reset.self],
        defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Every knob and its value.")
        @Flag(name: .long, help: "One JSON object instead of text.") var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let knobs = KnobBoard(store: try CLI.openStore(config), config: config).current()
                if json {
                    Terminal.out(JSONValue.object(Dictionary(uniqueKeysWithValues: knobs.describe().map { ($0.key, JSONValue.string($0.value)) }))
                        .canonicalText)
                } else {
                    for (key, value) in knobs.describe() { Terminal.out("\(key) = \(value)") }
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a knob (validated, stored, applied by the daemon).")
        @Argument(help: "The knob, e.g. heartbeat, quiet_hours, autonomy, auto_approve.coder.") var key: String
        @Argument(help: "The value, e.g. on, 22-7, 0.3, 2.") var value: [String]
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let board = KnobBoard(store: try CLI.openStore(config), config: config)
                let result = try board.set(key, value.joined(separator: " "), by: "cli")
                Terminal.out("\(result.change.key): \(result.change.old) → \(result.change.new)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset", abstract: "Return a knob to its configured value.")
        @Argument(help: "The knob.") var key: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let board = KnobBoard(store: try CLI.openStore(config), config: config)
                let removed = try board.reset(key, by: "cli")
                let now = board.current().describe().first { $0.key == key.lowercased() }?.value
                Terminal.out(removed ? "\(key.lowercased()) = \(now ?? "(default)") (configured value)" : "\(key.lowercased()) was not changed at run time")
            }
        }
    }
}
