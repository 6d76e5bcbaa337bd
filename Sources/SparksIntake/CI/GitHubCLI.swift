import Foundation

/// The `gh` invocations the monitor makes, in one place so their exact arguments are easy to audit.
enum GitHubCLI {
    static func headBranch(_ pr: String) -> [String] { ["pr", "view", pr, "--json", "headRefName"] }
    static func checkRollup(_ pr: String) -> [String] { ["pr", "view", pr, "--json", "statusCheckRollup"] }
    static func checks(_ pr: String) -> [String] { ["pr", "checks", pr, "--json", "name,state,link"] }
    static func failedLog(runID: String) -> [String] { ["run", "view", runID, "--log-failed"] }
    static func merge(_ pr: String) -> [String] { ["pr", "merge", pr, "--squash", "--delete-branch"] }
    static func mergedAt(_ pr: String) -> [String] { ["pr", "view", pr, "--json", "mergedAt"] }
    static func mergeCommit(_ pr: String) -> [String] { ["pr", "view", pr, "--json", "mergeCommit,baseRefName"] }

    /// The last line of a command's stderr (or stdout), for a log line that stays one line.
    static func summary(_ result: CommandResult) -> String {
        let text = result.stderr.isEmpty ? result.stdout : result.stderr
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let last = lines.last(where: { !$0.isEmpty }) ?? "no output"
        return "exit \(result.exitCode): \(last.prefix(300))"
    }

    /// Decodes a small JSON answer from `gh`, or nil when it is not that shape.
    static func decode<T: Decodable>(_ type: T.Type, from output: String) -> T? {
        guard let data = output.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}

extension Duration {
    /// Seconds for log lines and messages: "300s", "0.25s".
    var secondsText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        var text = String(format: "%.3f", Double(milliseconds) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text + "s"
    }
}
