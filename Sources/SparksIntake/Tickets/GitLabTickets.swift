import Foundation

/// GitLab issues through the REST API v4.
public struct GitLabTickets: TicketTracker {
    public var provider: TicketProvider { .gitlab }
    public let apiBase: String
    /// The numeric project id or its full path (`group/project`), as configured.
    public let project: String
    public let label: String
    private let token: String

    public init(
        apiBase: String = "https://gitlab.com/api/v4", project: String, token: String, label: String = "sparks"
    ) throws(IntakeError) {
        self.apiBase = try Endpoint.validatedBase(apiBase, provider: .gitlab)
        guard !project.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw IntakeError(
                .ticketConfig, "no GitLab project is configured", hint: "set its id or its path, e.g. group/project")
        }
        try Self.requireToken(token, provider: .gitlab)
        self.project = project
        self.token = token
        self.label = label
    }

    private var http: TicketHTTP { TicketHTTP(provider: .gitlab, secrets: [token]) }

    /// A path is one URL segment with its slashes encoded (`group%2Fproject`), as GitLab requires.
    private var projectPath: String { "/projects/\(Endpoint.encode(project))" }

    private func headers(json: Bool = false) -> [String: String] {
        var headers = ["PRIVATE-TOKEN": token, "Accept": "application/json"]
        if json { headers["Content-Type"] = "application/json" }
        return headers
    }

    /// The newest 20 open issues with the label.
    public func pollRequest() -> HTTPRequest {
        let query = [("labels", label), ("state", "opened"), ("per_page", "20")]
        return HTTPRequest(method: .get, url: Endpoint.url(apiBase, projectPath + "/issues", query: query), headers: headers())
    }

    public func parse(_ data: Data) throws(IntakeError) -> [Ticket] {
        try http.decode([Issue].self, from: data, what: "the issue list").map { issue in
            Ticket(
                provider: .gitlab, repo: project, id: String(issue.iid), number: issue.iid, nodeID: issue.id.map(String.init),
                title: issue.title, body: issue.description ?? "", url: issue.webURL, author: issue.author?.username ?? "",
                labels: issue.labels.map(\.name), priority: nil, state: issue.state ?? "opened")
        }
    }

    /// Adds `text` as a note.
    public func commentRequest(_ ticket: Ticket, text: String) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: Endpoint.url(apiBase, "\(projectPath)/issues/\(Endpoint.encode(ticket.id))/notes"),
            headers: headers(json: true), body: Endpoint.json(["body": text]))
    }

    public func closeRequest(_ ticket: Ticket) -> HTTPRequest {
        HTTPRequest(
            method: .put, url: Endpoint.url(apiBase, "\(projectPath)/issues/\(Endpoint.encode(ticket.id))"),
            headers: headers(json: true), body: Endpoint.json(["state_event": "close"]))
    }

    public func fetchOpenTickets(using transport: any HTTPTransport) async throws(IntakeError) -> [Ticket] {
        try parse(try await http.send(pollRequest(), via: transport))
    }

    public func comment(on ticket: Ticket, text: String, using transport: any HTTPTransport) async throws(IntakeError) {
        _ = try await http.send(commentRequest(ticket, text: text), via: transport)
    }

    public func close(_ ticket: Ticket, using transport: any HTTPTransport) async throws(IntakeError) {
        _ = try await http.send(closeRequest(ticket), via: transport)
    }

    private struct Issue: Decodable {
        struct Author: Decodable { var username: String }

        var id: Int?
        var iid: Int
        var title: String
        var description: String?
        var webURL: String
        var author: Author?
        var labels: [FlexibleLabel]
        var state: String?

        enum CodingKeys: String, CodingKey {
            case id, iid, title, description, author, labels, state
            case webURL = "web_url"
        }
    }
}
