import Foundation

/// Approval of risky commands from the terminal: a clear prompt on stderr, an answer on stdin.
/// Without a terminal (and without --yes) no one can approve, and such commands are refused.
enum Approval {
    static func confirmer(autoApprove: Bool) -> (@Sendable (String, String) async -> Bool)? {
        if autoApprove { return { _, _ in true } }
        guard Terminal.stdinIsTerminal else { return nil }
        return ask
    }

    /// Shows what the spark wants to run and reads y/N from stdin.
    static let ask: @Sendable (String, String) async -> Bool = { tool, detail in
        Terminal.error("\n  ⚠ the spark wants to run a command that needs your approval:")
        Terminal.error("    [\(tool)] \(detail)")
        Terminal.error("  Allow it? [y/N] ", newline: false)
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }
}
