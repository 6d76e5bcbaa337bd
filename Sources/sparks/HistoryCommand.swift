import ArgumentParser
import Foundation
import SparksCore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recent tasks: status, spark, steps, tokens, duration and goal.")

    @Option(name: .long, help: "How many tasks to show.")
    var limit = 20

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let tasks = try store.recentTasks(limit: limit)
            if tasks.isEmpty {
                Terminal.out("no tasks yet; run one with `sparks dispatch --goal \"…\" --repo PATH`")
                return
            }
            Terminal.out(["ID      ", "STATUS     ", "REASON              ", "SPARK   ", "STEPS", "TOKENS ", "DURATION",
                          "STARTED (UTC)      ", "GOAL"].joined(separator: "  "))
            for task in tasks {
                let duration = task.durationMs.map { String(format: "%.1fs", Double($0) / 1000) } ?? "-"
                let columns = [
                    pad(String(task.id.uuidString.lowercased().prefix(8)), 8),
                    pad(task.status.rawValue, 11),
                    pad(task.reason?.rawValue ?? "-", 20),
                    pad(task.spark, 8),
                    pad(String(task.steps), 5),
                    pad(String(task.usage.totalTokens), 7),
                    pad(duration, 8),
                    pad(Self.format(task.createdAt), 19),
                    String(task.goal.replacingOccurrences(of: "\n", with: " ").prefix(60)),
                ]
                Terminal.out(columns.joined(separator: "  "))
            }
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    static func format(_ date: Date) -> String {
        let text = date.formatted(Date.ISO8601FormatStyle())
        return String(text.replacingOccurrences(of: "T", with: " ").prefix(19))
    }
}
