import Foundation

/// Where a ticket comes from.
public enum TicketProvider: String, Sendable, Hashable, Codable, CaseIterable {
    case github
    case gitlab
    case jira
    case linear

    /// The name people know the tracker by, for messages and context lines.
    public var displayName: String {
        switch self {
        case .github: "GitHub"
        case .gitlab: "GitLab"
        case .jira: "Jira"
        case .linear: "Linear"
        }
    }

    var exampleBase: String {
        switch self {
        case .github: "https://api.github.com"
        case .gitlab: "https://gitlab.com/api/v4"
        case .jira: "https://your-site.atlassian.net"
        case .linear: "https://api.linear.app/graphql"
        }
    }

    var authHint: String {
        switch self {
        case .github: "check the token: it needs read and write access to the repository's issues"
        case .gitlab: "check the token (PRIVATE-TOKEN): it needs the api scope on the project"
        case .jira: "check the account email and API token, and that the account can browse the project"
        case .linear: "check the Linear API key (sent as the Authorization header, without Bearer)"
        }
    }
}

/// An open ticket labelled for Sparks, in the same shape whatever the tracker.
public struct Ticket: Sendable, Hashable, Codable {
    public var provider: TicketProvider
    /// GitHub `owner/name`, GitLab project id or path, Jira project key, Linear team key.
    public var repo: String
    /// The ticket's stable, human-readable identifier: the issue number on GitHub, the iid on
    /// GitLab, the key (`PROJ-12`) on Jira, the identifier (`ENG-123`) on Linear.
    public var id: String
    /// The number within the repository or project, when there is one.
    public var number: Int?
    /// The tracker's internal id (Linear's UUID, which its mutations take), when it differs from `id`.
    public var nodeID: String?
    public var title: String
    /// The description as plain text (Jira's rich text is flattened); untrusted input.
    public var body: String
    /// The ticket's page, for people.
    public var url: String
    public var author: String
    public var labels: [String]
    /// The tracker's priority name (`High`, `urgent`), when it has a priority field.
    public var priority: String?
    /// The tracker's state name (`open`, `opened`, `To Do`, `Todo`).
    public var state: String

    public init(
        provider: TicketProvider, repo: String, id: String, number: Int? = nil, nodeID: String? = nil, title: String,
        body: String, url: String, author: String, labels: [String], priority: String? = nil, state: String
    ) {
        self.provider = provider
        self.repo = repo
        self.id = id
        self.number = number
        self.nodeID = nodeID
        self.title = title
        self.body = body
        self.url = url
        self.author = author
        self.labels = labels
        self.priority = priority
        self.state = state
    }
}

/// A tracker client: the provider types' request builders and parsers combined with a transport.
public protocol TicketTracker: Sendable {
    var provider: TicketProvider { get }
    /// The open tickets carrying the intake label, newest first.
    func fetchOpenTickets(using transport: any HTTPTransport) async throws(IntakeError) -> [Ticket]
    /// Adds a comment to the ticket.
    func comment(on ticket: Ticket, text: String, using transport: any HTTPTransport) async throws(IntakeError)
    /// Marks the ticket done.
    func close(_ ticket: Ticket, using transport: any HTTPTransport) async throws(IntakeError)
}

extension TicketTracker {
    /// The token must be there before anything is sent: an empty one only earns a 401 later.
    static func requireToken(_ token: String, provider: TicketProvider) throws(IntakeError) {
        if token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw IntakeError(.ticketAuth, "no \(provider.displayName) token is configured", hint: provider.authHint)
        }
    }
}
