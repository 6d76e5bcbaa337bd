import Foundation

/// The comment Sparks leaves on a ticket when its task ends.
public enum TicketStatusComment {
    /// "Sparks task update" with a line each for the status, the goal and, when known, the finish
    /// time, the error and the CI monitor's outcome. `secrets` are masked in all of it, since error
    /// text can quote a command line or a header.
    public static func text(
        status: String, goal: String, finished: Date? = nil, error: String? = nil, ciMonitor: CIMonitorReport? = nil,
        secrets: [String] = []
    ) -> String {
        var lines = ["**Sparks task update**", "", "Status: \(status)", "Goal: \(goal)"]
        if let finished { lines.append("Finished: \(finished.formatted(.iso8601))") }
        if let error, !error.isEmpty { lines.append("Error: \(error)") }
        if let ciMonitor { lines.append("CI monitor: \(summary(ciMonitor))") }
        return SecretRedactor(secrets: secrets).redact(lines.joined(separator: "\n"))
    }

    /// `heal_succeeded after 1 heal attempt; merged`, `no_checks; not merged: …`.
    static func summary(_ report: CIMonitorReport) -> String {
        var text = report.status.rawValue
        if report.healAttempts > 0 {
            text += " after \(report.healAttempts) heal attempt\(report.healAttempts == 1 ? "" : "s")"
        }
        if report.merged {
            text += "; merged"
        } else if let refused = report.mergeRefused {
            text += "; not merged: \(refused)"
        }
        return text
    }
}
