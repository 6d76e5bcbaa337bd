import ArgumentParser
import Foundation
import SparksCore
import SparksServer

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Write the dashboard as one self-contained HTML file (the live one is at /dashboard in `sparks serve`).",
        discussion: """
            The file has the queue and recent tasks, the spark leaderboard, KPI trends, recent events,
            memory counts and the details of the 30 most recent tasks (steps, tool calls, verification
            log, diff), with inline styles and charts: no scripts, no external assets.

            Example:
              sparks dashboard --out report.html
            """)

    @Option(name: .long, help: ArgumentHelp("Where to write the report.", valueName: "file"))
    var out: String

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let store = try CLI.openStore(config)
            let html = try DashboardPage.report(DashboardData(store: store, config: config))
            do {
                try html.write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw SparksError(.invalidInput, "could not write \(out): \(error.localizedDescription)")
            }
            Terminal.error("wrote \(out) (\(html.utf8.count / 1024) KiB)")
        }
    }
}
