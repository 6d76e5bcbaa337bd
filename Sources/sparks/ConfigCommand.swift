import ArgumentParser
import SparksConfig
import SparksCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check or show the merged configuration.",
        subcommands: [Check.self, Show.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration files and environment; exit 2 on any problem.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let loaded = try CLI.loadConfig(options)
                let files = loaded.files.isEmpty ? "no config files (built-in defaults)" : loaded.files.joined(separator: ", ")
                Terminal.out("configuration OK: \(files)")
                Terminal.out("provider \(loaded.config.llm.provider.rawValue), model \(loaded.config.llm.model) at \(loaded.config.llm.baseURL)")
                if loaded.config.llm.apiKey == nil, let variable = loaded.config.llm.apiKeyEnv {
                    Terminal.out("note: no API key is set (export SPARKS_LLM_API_KEY or \(variable))")
                }
                Terminal.out("sparks: " + loaded.config.sparks.map(\.name).joined(separator: ", "))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every setting with its value and where it came from. Secrets are redacted.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let loaded = try CLI.loadConfig(options)
                let width = loaded.entries.map(\.key.count).max() ?? 0
                for entry in loaded.entries {
                    let key = entry.key.padding(toLength: width, withPad: " ", startingAt: 0)
                    Terminal.out("\(key) = \(entry.value)    # \(entry.source)")
                }
                Terminal.out("home = \(loaded.config.home)")
                for spark in loaded.config.sparks {
                    Terminal.out("[[sparks]] \(spark.name): role=\(spark.role.rawValue) strategy=\(spark.strategy.rawValue) "
                        + "tools=\(spark.tools.joined(separator: ","))"
                        + (spark.model.map { " model=\($0)" } ?? "") + (spark.maxSteps.map { " max_steps=\($0)" } ?? "")
                        + (spark.verify.map { " verify=\"\($0)\"" } ?? ""))
                }
            }
        }
    }
}
