import ArgumentParser
import SparksCore

struct RosterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "List the sparks: built-ins and configured ones, with role, strategy and tools.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let nameWidth = max(4, config.sparks.map(\.name.count).max() ?? 0)
            Terminal.out("NAME".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  ROLE         STRATEGY  TOOLS")
            for spark in config.sparks {
                Terminal.out(spark.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                    + spark.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + "  "
                    + spark.strategy.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + spark.tools.joined(separator: ", "))
                if !spark.description.isEmpty {
                    Terminal.out(String(repeating: " ", count: nameWidth + 2) + spark.description)
                }
            }
        }
    }
}
