import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why a task went the way it did: its route, why its spark, its tools, what verified it.",
        discussion: """
            Built from what Sparks recorded (no model call): the routing decision of the chat turn that made
            the task (or how it was dispatched), the selection's action and reasons, the scanner's verdict,
            the spark's allowed tools and those it used (with failures), guard refusals, the verify command's
            result and the outcome.

            Example: sparks explain 7f9c2a1e
            """)

    @Argument(help: "Task id (or a unique prefix).") var id: String
    @Flag(name: .long, help: "JSON instead of text.") var json = false
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let task = try findTask(id, in: store)
            let explanation = try TaskExplanation.explain(task.id, store: store, sparks: config.sparks)
            if json {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                Terminal.out(String(decoding: try encoder.encode(explanation), as: UTF8.self))
            } else {
                Terminal.out(explanation.text)
            }
        }
    }
}
