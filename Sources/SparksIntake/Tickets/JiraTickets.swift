import Foundation

/// Jira Cloud issues through the REST API v3, with Basic authentication (account email and API
/// token).
public struct JiraTickets: TicketTracker {
    public var provider: TicketProvider { .jira }
    /// The site, e.g. `https://acme.atlassian.net`; there is no default.
    public let apiBase: String
    /// The project key, e.g. `PROJ`.
    public let project: String
    public let label: String
    private let credential: String
    private let secrets: [String]

    public init(apiBase: String, project: String, email: String, token: String, label: String = "sparks") throws(IntakeError) {
        self.apiBase = try Endpoint.validatedBase(apiBase, provider: .jira)
        guard !project.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw IntakeError(.ticketConfig, "no Jira project key is configured", hint: "set the project key, e.g. PROJ")
        }
        try Self.requireToken(token, provider: .jira)
        self.project = project
        self.label = label
        credential = Data("\(email):\(token)".utf8).base64EncodedString()
        // The encoded credential decodes to the token, so it is as secret as the token.
        secrets = [token, credential]
    }

    private var http: TicketHTTP { TicketHTTP(provider: .jira, secrets: secrets) }

    private func headers(json: Bool = false) -> [String: String] {
        var headers = ["Authorization": "Basic \(credential)", "Accept": "application/json"]
        if json { headers["Content-Type"] = "application/json" }
        return headers
    }

    /// The JQL selecting open, labelled issues of the project, newest first.
    public var jql: String {
        "project = \(Self.jqlValue(project)) AND labels = \(Self.jqlValue(label)) AND status != Done ORDER BY created DESC"
    }

    /// Plain keys stay bare; anything else is quoted so a space or operator cannot change the query.
    static func jqlValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        if plain { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private func issuePath(_ ticket: Ticket) -> String { "/rest/api/3/issue/\(Endpoint.encode(ticket.id))" }

    public func pollRequest() -> HTTPRequest {
        HTTPRequest(
            method: .get, url: Endpoint.url(apiBase, "/rest/api/3/search", query: [("jql", jql), ("maxResults", "20")]),
            headers: headers())
    }

    public func parse(_ data: Data) throws(IntakeError) -> [Ticket] {
        try http.decode(SearchResult.self, from: data, what: "the search result").issues.map { issue in
            let fields = issue.fields
            return Ticket(
                provider: .jira, repo: project, id: issue.key,
                number: issue.key.split(separator: "-").last.flatMap { Int($0) }, nodeID: issue.id,
                title: fields.summary, body: fields.description?.text ?? "", url: "\(apiBase)/browse/\(issue.key)",
                author: fields.reporter?.displayName ?? "", labels: fields.labels ?? [], priority: fields.priority?.name,
                state: fields.status?.name ?? "")
        }
    }

    /// Adds `text` as a comment (one ADF paragraph per line).
    public func commentRequest(_ ticket: Ticket, text: String) -> HTTPRequest {
        struct Body: Encodable { var body: AtlassianDocument.Node }
        return HTTPRequest(
            method: .post, url: Endpoint.url(apiBase, issuePath(ticket) + "/comment"), headers: headers(json: true),
            body: Endpoint.json(Body(body: AtlassianDocument.document(text))))
    }

    /// Closing takes two steps because workflows differ: list the transitions available from the
    /// issue's status, then take one that leads to done (`pickTransition`, `transitionRequest`).
    public func transitionsRequest(_ ticket: Ticket) -> HTTPRequest {
        HTTPRequest(method: .get, url: Endpoint.url(apiBase, issuePath(ticket) + "/transitions"), headers: headers())
    }

    /// The id of the first transition whose name or target status contains "done", "closed" or
    /// "resolved" (ignoring case); failing that, the first whose target is in the Done category.
    /// Nil when there is none or the answer is unreadable.
    public static func pickTransition(_ data: Data) -> String? {
        guard let transitions = try? JSONDecoder().decode(Transitions.self, from: data).transitions else { return nil }
        let words = ["done", "closed", "resolved"]
        func matches(_ name: String?) -> Bool {
            guard let name = name?.lowercased() else { return false }
            return words.contains { name.contains($0) }
        }
        if let named = transitions.first(where: { matches($0.name) || matches($0.to?.name) }) { return named.id }
        return transitions.first { $0.to?.statusCategory?.key == "done" }?.id
    }

    public func transitionRequest(_ ticket: Ticket, transitionID: String) -> HTTPRequest {
        struct Body: Encodable {
            struct Transition: Encodable { var id: String }
            var transition: Transition
        }
        return HTTPRequest(
            method: .post, url: Endpoint.url(apiBase, issuePath(ticket) + "/transitions"), headers: headers(json: true),
            body: Endpoint.json(Body(transition: .init(id: transitionID))))
    }

    public func fetchOpenTickets(using transport: any HTTPTransport) async throws(IntakeError) -> [Ticket] {
        try parse(try await http.send(pollRequest(), via: transport))
    }

    public func comment(on ticket: Ticket, text: String, using transport: any HTTPTransport) async throws(IntakeError) {
        _ = try await http.send(commentRequest(ticket, text: text), via: transport)
    }

    public func close(_ ticket: Ticket, using transport: any HTTPTransport) async throws(IntakeError) {
        let listing = try await http.send(transitionsRequest(ticket), via: transport)
        guard let id = Self.pickTransition(listing) else {
            throw IntakeError(
                .ticketConfig, "\(ticket.id) has no transition to a Done, Closed or Resolved status",
                hint: "add such a transition to the project's workflow, or close the issue by hand")
        }
        _ = try await http.send(transitionRequest(ticket, transitionID: id), via: transport)
    }

    private struct SearchResult: Decodable {
        struct Issue: Decodable {
            var id: String?
            var key: String
            var fields: Fields
        }
        struct Fields: Decodable {
            struct Named: Decodable { var name: String }
            struct Person: Decodable { var displayName: String? }

            var summary: String
            var description: JiraDescription?
            var labels: [String]?
            var priority: Named?
            var reporter: Person?
            var status: Named?
        }
        var issues: [Issue]
    }

    private struct Transitions: Decodable {
        struct Transition: Decodable {
            struct Target: Decodable {
                struct Category: Decodable { var key: String? }
                var name: String?
                var statusCategory: Category?
            }
            var id: String
            var name: String?
            var to: Target?
        }
        var transitions: [Transition]
    }
}
