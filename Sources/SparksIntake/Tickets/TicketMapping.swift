import Foundation

/// How risky a ticket's change is, from its labels and priority.
public enum TicketRisk: String, Sendable, Hashable, Codable, CaseIterable {
    case low
    case medium
    case high
    case critical
}

/// The task a ticket becomes.
public struct TicketTask: Sendable, Hashable, Codable {
    public static let lane = "ticket_intake"

    public var goal: String
    /// Where the ticket comes from, then its description. The description is the reporter's
    /// text: untrusted input for the agent.
    public var context: String
    /// The spark named by a `sparks:<name>` label, when there is one.
    public var spark: String?
    public var risk: TicketRisk
    public var lane: String
    /// Identifies the ticket across polls, so it is not queued twice.
    public var dedupKey: String

    public init(goal: String, context: String, spark: String?, risk: TicketRisk, lane: String, dedupKey: String) {
        self.goal = goal
        self.context = context
        self.spark = spark
        self.risk = risk
        self.lane = lane
        self.dedupKey = dedupKey
    }
}

/// Turns tickets into tasks.
public enum TicketMapping {
    /// Words (in labels or the priority) that set the risk, most severe first. A label is split
    /// into words, so `priority: high` and `P1` count and `highlight` does not.
    static let riskWords: [(TicketRisk, Set<String>)] = [
        (.critical, ["critical", "p0", "urgent", "blocker", "highest"]),
        (.high, ["high", "p1"]),
        (.low, ["low", "p3", "lowest"]),
    ]

    public static func task(for ticket: Ticket) -> TicketTask {
        TicketTask(
            goal: "Address ticket: \(ticket.title.trimmingCharacters(in: .whitespacesAndNewlines))",
            context: context(for: ticket), spark: spark(for: ticket), risk: risk(for: ticket), lane: TicketTask.lane,
            dedupKey: dedupKey(for: ticket))
    }

    /// `ticket:<provider>:<repo>:<id>`.
    public static func dedupKey(for ticket: Ticket) -> String {
        "ticket:\(ticket.provider.rawValue):\(ticket.repo):\(ticket.id)"
    }

    /// The most severe risk any label or the priority names; medium when none does.
    public static func risk(for ticket: Ticket) -> TicketRisk {
        let words = Set(
            (ticket.labels + [ticket.priority].compactMap { $0 })
                .flatMap { $0.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init) })
        return riskWords.first { !$0.1.isDisjoint(with: words) }?.0 ?? .medium
    }

    /// The name after `sparks:` in the first such label (GitLab's scoped `sparks::name` too).
    public static func spark(for ticket: Ticket) -> String? {
        for label in ticket.labels {
            let trimmed = label.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("sparks:") else { continue }
            let name = trimmed.dropFirst("sparks:".count).drop { $0 == ":" }.trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { return name }
        }
        return nil
    }

    static func context(for ticket: Ticket) -> String {
        let number: String =
            switch ticket.provider {
            case .github, .gitlab: "#\(ticket.id)"
            case .jira, .linear: ticket.id
            }
        let description = ticket.body.trimmingCharacters(in: .whitespacesAndNewlines)
        return [
            "Source: \(ticket.provider.displayName)",
            "Repo: \(ticket.repo)",
            "Number: \(number)",
            "URL: \(ticket.url)",
            "Author: \(ticket.author.isEmpty ? "unknown" : ticket.author)",
            "Labels: \(ticket.labels.isEmpty ? "none" : ticket.labels.joined(separator: ", "))",
            "Priority: \(ticket.priority ?? "none")",
            "",
            description.isEmpty ? "(no description)" : description,
        ].joined(separator: "\n")
    }
}
