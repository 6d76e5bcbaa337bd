import Foundation

/// GitHub issues through the REST API (v2022-11-28).
public struct GitHubTickets: TicketTracker {
    public var provider: TicketProvider { .github }
    public let apiBase: String
    /// `owner/name`.
    public let repo: String
    public let label: String
    private let token: String

    /// Fails with `ticket_config` for a malformed base or repository and `ticket_auth` for an
    /// empty token.
    public init(
        apiBase: String = "https://api.github.com", repo: String, token: String, label: String = "sparks"
    ) throws(IntakeError) {
        self.apiBase = try Endpoint.validatedBase(apiBase, provider: .github)
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
            throw IntakeError(.ticketConfig, "\"\(repo)\" is not a GitHub repository name", hint: "write it as owner/name")
        }
        try Self.requireToken(token, provider: .github)
        self.repo = repo
        self.token = token
        self.label = label
    }

    private var http: TicketHTTP { TicketHTTP(provider: .github, secrets: [token]) }

    private var repoPath: String {
        "/repos/" + repo.split(separator: "/").map { Endpoint.encode(String($0)) }.joined(separator: "/")
    }

    private func headers(json: Bool = false) -> [String: String] {
        var headers = [
            "Authorization": "Bearer \(token)",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            // GitHub rejects requests without a User-Agent; not every transport sets one.
            "User-Agent": "sparks",
        ]
        if json { headers["Content-Type"] = "application/json" }
        return headers
    }

    /// The newest 20 open issues with the label.
    public func pollRequest() -> HTTPRequest {
        let query = [
            ("labels", label), ("state", "open"), ("per_page", "20"), ("sort", "created"), ("direction", "desc"),
        ]
        return HTTPRequest(method: .get, url: Endpoint.url(apiBase, repoPath + "/issues", query: query), headers: headers())
    }

    /// The issues in a `pollRequest` response. Pull requests, which the issues API lists too
    /// (they carry a `pull_request` key), are skipped.
    public func parse(_ data: Data) throws(IntakeError) -> [Ticket] {
        let issues = try http.decode([Issue].self, from: data, what: "the issue list")
        return issues.filter { $0.pullRequest == nil }.map { issue in
            Ticket(
                provider: .github, repo: repo, id: String(issue.number), number: issue.number,
                nodeID: issue.id.map(String.init), title: issue.title, body: issue.body ?? "", url: issue.htmlURL,
                author: issue.user?.login ?? "", labels: issue.labels.map(\.name), priority: nil, state: issue.state)
        }
    }

    /// Adds `text` as a comment.
    public func commentRequest(_ ticket: Ticket, text: String) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: Endpoint.url(apiBase, "\(repoPath)/issues/\(Endpoint.encode(ticket.id))/comments"),
            headers: headers(json: true), body: Endpoint.json(["body": text]))
    }

    /// Closes the issue as completed.
    public func closeRequest(_ ticket: Ticket) -> HTTPRequest {
        HTTPRequest(
            method: .patch, url: Endpoint.url(apiBase, "\(repoPath)/issues/\(Endpoint.encode(ticket.id))"),
            headers: headers(json: true), body: Endpoint.json(["state": "closed", "state_reason": "completed"]))
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
        struct User: Decodable { var login: String }
        /// Present (as an object) only on pull requests.
        struct PullRequestMarker: Decodable {}

        var id: Int?
        var number: Int
        var title: String
        var body: String?
        var htmlURL: String
        var user: User?
        var labels: [FlexibleLabel]
        var state: String
        var pullRequest: PullRequestMarker?

        enum CodingKeys: String, CodingKey {
            case id, number, title, body, user, labels, state
            case htmlURL = "html_url"
            case pullRequest = "pull_request"
        }
    }
}

/// A label given either as a name or as an object with a `name` (GitHub uses both forms).
struct FlexibleLabel: Decodable {
    var name: String

    init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.name = name
            return
        }
        struct Named: Decodable { var name: String }
        name = try Named(from: decoder).name
    }
}
