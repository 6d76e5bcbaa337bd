import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksIntake
import SparksStore

/// Turns tracker tickets into tasks and reports the results back. Tickets arrive by polling
/// (`poll()`) or by webhook (`admit`); each is claimed in the intake log under its dedup key
/// before a task is created, so the same ticket runs once however often it is seen. When its
/// task ends, `writeBack()` comments on the ticket and, on success, closes it.
public final class TicketIntake: Sendable {
    public let orchestrator: Orchestrator
    let transport: any HTTPTransport
    let logger: Logger

    public init(orchestrator: Orchestrator, transport: any HTTPTransport, logger: Logger) {
        self.orchestrator = orchestrator
        self.transport = transport
        self.logger = logger
    }

    var sources: [TicketSourceSettings] { orchestrator.config.tickets.sources }
    var store: SparksStore { orchestrator.store }

    /// The tracker client for a configured source.
    ///
    /// - Throws: `IntakeError` (`ticket_auth` without a token, `ticket_config` for a bad base or repo).
    public static func tracker(for source: TicketSourceSettings) throws(IntakeError) -> any TicketTracker {
        let token = source.token?.reveal() ?? ""
        switch TicketProvider(rawValue: source.provider) {
        case .github?:
            return try GitHubTickets(apiBase: source.apiBase ?? "https://api.github.com", repo: source.repo, token: token, label: source.label)
        case .gitlab?:
            return try GitLabTickets(apiBase: source.apiBase ?? "https://gitlab.com/api/v4", project: source.repo, token: token,
                                     label: source.label)
        case .jira?:
            return try JiraTickets(apiBase: source.apiBase ?? "", project: source.repo, email: source.email ?? "", token: token,
                                   label: source.label)
        case .linear?:
            return try LinearTickets(apiBase: source.apiBase ?? "https://api.linear.app/graphql", team: source.repo, token: token,
                                     label: source.label)
        case nil:
            throw IntakeError(.ticketConfig, "unknown ticket provider \"\(source.provider)\"", hint: "use github, gitlab, jira or linear")
        }
    }

    /// What happened to one ticket.
    public enum Admission: Sendable, Hashable {
        /// A task was queued for it.
        case queued(taskID: UUID, spark: String)
        /// It was taken in before (by a poll or a webhook).
        case duplicate
        /// The scanner or the autonomy level refused it; the ticket will be told.
        case blocked(taskID: UUID?, reason: String)
        /// It is not for Sparks (no intake label, wrong repository).
        case ignored(String)
    }

    /// The configured source a ticket belongs to: same provider and repository (case-insensitive).
    public func source(for ticket: Ticket, among candidates: [TicketSourceSettings]? = nil) -> TicketSourceSettings? {
        (candidates ?? sources).first {
            $0.provider == ticket.provider.rawValue && $0.repo.caseInsensitiveCompare(ticket.repo) == .orderedSame
        }
    }

    /// Claims a ticket and queues its task. The label is checked here too, since webhook
    /// deliveries are not filtered by the tracker.
    public func admit(_ ticket: Ticket, source: TicketSourceSettings, via: String) throws(SparksError) -> Admission {
        guard ticket.labels.contains(where: { $0.caseInsensitiveCompare(source.label) == .orderedSame }) else {
            return .ignored("the ticket does not carry the label \"\(source.label)\"")
        }
        let mapped = TicketMapping.task(for: ticket)
        let json = (try? JSONEncoder().encode(ticket)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        guard try store.claimTicket(dedupKey: mapped.dedupKey, provider: ticket.provider.rawValue, source: source.name, ticket: json,
                                    via: via)
        else { return .duplicate }
        let details: JSONValue = .object([
            "ticket": .string(mapped.dedupKey), "url": .string(ticket.url), "via": .string(via), "source": .string(source.name),
        ])
        let request = Orchestrator.DispatchRequest(
            goal: mapped.goal, spark: mapped.spark ?? source.spark, repository: source.repository, context: mapped.context,
            lane: mapped.lane, risk: mapped.risk.rawValue, source: "ticket", verify: source.verify,
            repoLabel: ticket.repo, author: ticket.author.isEmpty ? nil : ticket.author)
        let submission: Orchestrator.Submission
        do {
            submission = try orchestrator.submit(request)
        } catch {
            // Bad input (an unknown spark label, a missing checkout) will not fix itself: the
            // ticket is told why. Anything else is released so the next poll tries again.
            if error.code == .sparkNotFound || error.code == .invalidInput || error.code == .repoNotFound {
                try store.linkTicket(dedupKey: mapped.dedupKey, taskID: nil, status: "blocked")
                try? store.markTicketSynced(dedupKey: mapped.dedupKey, status: "blocked", error: error.message)
                store.emit(.ticket, "ticket \(mapped.dedupKey) refused: \(error.message)", details: details)
                return .blocked(taskID: nil, reason: error.message)
            }
            try? store.releaseTicket(dedupKey: mapped.dedupKey)
            throw error
        }
        if let outcome = submission.outcome {
            try store.linkTicket(dedupKey: mapped.dedupKey, taskID: outcome.taskID, status: "blocked")
            let reason = outcome.reason?.rawValue ?? "blocked"
            store.emit(.ticket, "ticket \(mapped.dedupKey) blocked (\(reason))", taskID: outcome.taskID, details: details)
            return .blocked(taskID: outcome.taskID, reason: reason)
        }
        try store.linkTicket(dedupKey: mapped.dedupKey, taskID: submission.task.id, status: "queued")
        store.emit(.ticket, "ticket \(mapped.dedupKey) became a task (\(via))", taskID: submission.task.id, spark: submission.task.spark,
                   details: details)
        return .queued(taskID: submission.task.id, spark: submission.task.spark)
    }
}
