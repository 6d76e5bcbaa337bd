import Foundation

/// A parsed `/alerts` command (Telegram `/alerts …`, Slack `/sparks alerts …`).
public enum AlertCommand: Sendable, Hashable {
    /// Show the rules (`/alerts` or `/alerts list`).
    case list
    /// Create a rule; the fields are already validated, the store assigns the id.
    case add(name: String, pattern: String, target: AlertTarget, severity: AlertSeverity)
    /// Delete rule `id`.
    case remove(id: Int64)
    /// Enable or disable rule `id`.
    case toggle(id: Int64)

    /// The help text every usage error carries.
    public static let usage = """
        Usage:
          /alerts [list]
          /alerts add <name> <pattern> [target] [severity]
          /alerts remove <id>
          /alerts toggle <id>
        Quote a pattern with spaces: /alerts add build "build failed" tool_output critical
        Targets: tool_name (default), summary, detail, tool_input, tool_output, spark, event_type, any
        Severities: info, warning (default), critical
        """

    /// Parses the text of an `/alerts` command; the leading `/alerts` (or `/alerts@bot`) word is
    /// optional, so a front-end may pass the whole message or only its arguments.
    ///
    /// Words split on whitespace; a pattern with spaces goes in double quotes (curly quotes from
    /// phone keyboards work too). For `add`, a lone optional word may be a target or a severity
    /// (`/alerts add x oops critical`); with two, the target comes first. Ids may be written `3` or
    /// `#3`, as `list` shows them.
    ///
    /// - Throws: `ReviewError` `alert_usage` (with `usage`) for an unknown subcommand, missing or
    ///   extra words, a bad id or an unclosed quote; `alert_invalid` naming the field for a blank
    ///   name or pattern, a pattern over 200 characters, or an unknown target or severity.
    public init(parsing text: String) throws(ReviewError) {
        let words: [String]
        do {
            words = CommandWords.arguments(try CommandWords.split(text), command: "alerts")
        } catch {
            throw Self.usageError(text, "A quote in the command is never closed.")
        }
        guard let subcommand = words.first?.lowercased() else {
            self = .list
            return
        }
        let rest = Array(words.dropFirst())
        switch subcommand {
        case "list":
            guard rest.isEmpty else { throw Self.usageError(text, "list takes no arguments.") }
            self = .list
        case "add":
            self = try Self.parseAdd(rest, text: text)
        case "remove":
            self = .remove(id: try Self.parseID(rest, subcommand: subcommand, text: text))
        case "toggle":
            self = .toggle(id: try Self.parseID(rest, subcommand: subcommand, text: text))
        default:
            throw Self.usageError(text, "Unknown alerts command '\(words[0])'.")
        }
    }

    private static func parseAdd(_ words: [String], text: String) throws(ReviewError) -> AlertCommand {
        guard words.count >= 2 else {
            throw usageError(text, "add needs a name and a pattern.")
        }
        guard words.count <= 4 else {
            throw usageError(
                text, "add takes at most four words after it; put a pattern with spaces in double quotes.")
        }
        let name = words[0]
        let pattern = words[1]
        try AlertRule.validate(name: name, pattern: pattern, silenceSeconds: AlertRule.defaultSilenceSeconds)
        var target = AlertTarget.toolName
        var severity = AlertSeverity.warning
        switch words.count {
        case 3:
            let word = words[2]
            if let parsed = try? AlertTarget(parsing: word) {
                target = parsed
            } else if let parsed = try? AlertSeverity(parsing: word) {
                severity = parsed
            } else {
                throw ReviewError(
                    .alertInvalid, field: "target", input: word,
                    message: "'\(word)' is neither an alert target ("
                        + AlertTarget.allCases.map(\.rawValue).joined(separator: ", ")
                        + ") nor a severity (info, warning, critical).")
            }
        case 4:
            if let swappedSeverity = try? AlertSeverity(parsing: words[2]),
                let swappedTarget = try? AlertTarget(parsing: words[3])
            {
                severity = swappedSeverity
                target = swappedTarget
            } else {
                target = try AlertTarget(parsing: words[2])
                severity = try AlertSeverity(parsing: words[3])
            }
        default:
            break
        }
        return .add(name: name, pattern: pattern, target: target, severity: severity)
    }

    private static func parseID(_ words: [String], subcommand: String, text: String) throws(ReviewError) -> Int64 {
        guard words.count == 1 else {
            throw usageError(text, "\(subcommand) needs exactly one rule id, e.g. /alerts \(subcommand) 3.")
        }
        let word = words[0].hasPrefix("#") ? String(words[0].dropFirst()) : words[0]
        guard let id = Int64(word), id > 0 else {
            throw usageError(text, "'\(words[0])' is not a rule id; /alerts list shows the ids.")
        }
        return id
    }

    private static func usageError(_ text: String, _ problem: String) -> ReviewError {
        ReviewError(.alertUsage, input: text, message: problem + "\n" + usage)
    }
}
