import Foundation

/// Linear issues through its GraphQL API, authenticated with a personal API key.
public struct LinearTickets: TicketTracker {
    public var provider: TicketProvider { .linear }
    public let apiBase: String
    /// The team key, e.g. `ENG`.
    public let team: String
    public let label: String
    private let token: String

    public init(
        apiBase: String = "https://api.linear.app/graphql", team: String, token: String, label: String = "sparks"
    ) throws(IntakeError) {
        self.apiBase = try Endpoint.validatedBase(apiBase, provider: .linear)
        guard !team.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw IntakeError(.ticketConfig, "no Linear team key is configured", hint: "set the team key, e.g. ENG")
        }
        try Self.requireToken(token, provider: .linear)
        self.team = team
        self.token = token
        self.label = label
    }

    private var http: TicketHTTP { TicketHTTP(provider: .linear, secrets: [token]) }

    private func request<Variables: Encodable>(_ query: String, _ variables: Variables) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: Endpoint.url(apiBase, ""),
            // A personal API key goes in as is; "Bearer" is only for OAuth tokens.
            headers: ["Authorization": token, "Content-Type": "application/json", "Accept": "application/json"],
            body: Endpoint.json(GraphQLBody(query: query, variables: variables)))
    }

    /// The team's 20 newest issues with the label that are not completed or canceled.
    public func pollRequest() -> HTTPRequest {
        struct Variables: Encodable {
            var teamKey: String
            var label: String
            var first: Int
        }
        return request(LinearQueries.openIssues, Variables(teamKey: team, label: label, first: 20))
    }

    /// Priority numbers as Linear names them; 0 is "no priority".
    static func priorityName(_ value: Int?) -> String? {
        switch value {
        case 1: "urgent"
        case 2: "high"
        case 3: "medium"
        case 4: "low"
        default: nil
        }
    }

    public func parse(_ data: Data) throws(IntakeError) -> [Ticket] {
        let issues = try unwrap(IssuesData.self, from: data, what: "the issue list").issues.nodes
        return issues.map { issue in
            Ticket(
                provider: .linear, repo: team, id: issue.identifier, number: issue.number.map { Int($0) }, nodeID: issue.id,
                title: issue.title, body: issue.description ?? "", url: issue.url,
                author: issue.creator?.displayName ?? issue.creator?.name ?? "",
                labels: issue.labels?.nodes.map(\.name) ?? [], priority: Self.priorityName(issue.priority.map { Int($0) }),
                state: issue.state?.name ?? "")
        }
    }

    public func commentRequest(_ ticket: Ticket, text: String) -> HTTPRequest {
        request(LinearQueries.createComment, ["issueId": ticket.nodeID ?? ticket.id, "body": text])
    }

    /// First step of closing: the team's workflow states of type `completed`.
    public func completedStatesRequest() -> HTTPRequest {
        request(LinearQueries.completedStates, ["teamKey": team])
    }

    /// The completed state to move issues to (the first in the team's workflow order), or nil
    /// when the team has none.
    public func parseCompletedStateID(_ data: Data) throws(IntakeError) -> String? {
        let states = try unwrap(StatesData.self, from: data, what: "the workflow states").workflowStates.nodes
        return states.filter { $0.type == nil || $0.type == "completed" }
            .min { ($0.position ?? 0) < ($1.position ?? 0) }?.id
    }

    /// Second step of closing: move the issue to `stateID`.
    public func closeRequest(_ ticket: Ticket, stateID: String) -> HTTPRequest {
        request(LinearQueries.updateState, ["id": ticket.nodeID ?? ticket.id, "stateId": stateID])
    }

    /// Checks a mutation's answer: `field` is `commentCreate` or `issueUpdate`.
    public func parseMutation(_ data: Data, field: String) throws(IntakeError) {
        let result = try unwrap([String: MutationResult].self, from: data, what: "the \(field) result")
        guard result[field]?.success == true else {
            throw IntakeError(
                .ticketHTTP, "Linear did not apply \(field)", hint: "check that the API key may edit the team's issues")
        }
    }

    public func fetchOpenTickets(using transport: any HTTPTransport) async throws(IntakeError) -> [Ticket] {
        try parse(try await http.send(pollRequest(), via: transport))
    }

    public func comment(on ticket: Ticket, text: String, using transport: any HTTPTransport) async throws(IntakeError) {
        try parseMutation(try await http.send(commentRequest(ticket, text: text), via: transport), field: "commentCreate")
    }

    public func close(_ ticket: Ticket, using transport: any HTTPTransport) async throws(IntakeError) {
        let states = try await http.send(completedStatesRequest(), via: transport)
        guard let stateID = try parseCompletedStateID(states) else {
            throw IntakeError(
                .ticketConfig, "Linear team \(team) has no completed workflow state",
                hint: "add a completed state to the team's workflow, or close \(ticket.id) by hand")
        }
        try parseMutation(try await http.send(closeRequest(ticket, stateID: stateID), via: transport), field: "issueUpdate")
    }

    /// The `data` of a GraphQL answer. GraphQL reports errors with status 200, so `errors` is
    /// checked here; an authentication error is `ticket_auth` like a 401 elsewhere.
    private func unwrap<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws(IntakeError) -> T {
        let envelope = try http.decode(Envelope<T>.self, from: data, what: what)
        if let errors = envelope.errors, !errors.isEmpty {
            let messages = errors.map(\.message).joined(separator: "; ")
            let isAuth = errors.contains { $0.extensions?.code?.uppercased().contains("AUTH") == true }
            throw IntakeError(
                isAuth ? .ticketAuth : .ticketHTTP, "Linear answered with errors: \(messages)",
                hint: isAuth ? TicketProvider.linear.authHint : "check the team key and label"
            ).redacting([token])
        }
        guard let value = envelope.data else {
            throw IntakeError(.ticketParse, "Linear sent no data for \(what)", hint: "check the API base URL")
        }
        return value
    }

    private struct GraphQLBody<Variables: Encodable>: Encodable {
        var query: String
        var variables: Variables
    }

    private struct Envelope<T: Decodable>: Decodable {
        struct GraphQLError: Decodable {
            struct Extensions: Decodable { var code: String? }
            var message: String
            var extensions: Extensions?
        }
        var data: T?
        var errors: [GraphQLError]?
    }

    private struct IssuesData: Decodable {
        struct Connection: Decodable { var nodes: [Issue] }
        struct Issue: Decodable {
            struct Named: Decodable { var name: String }
            struct Labels: Decodable { var nodes: [Named] }
            struct Person: Decodable {
                var name: String?
                var displayName: String?
            }
            struct State: Decodable {
                var name: String
                var type: String?
            }
            var id: String
            var identifier: String
            /// Linear's schema types numbers and priorities as Float.
            var number: Double?
            var title: String
            var description: String?
            var url: String
            var priority: Double?
            var state: State?
            var labels: Labels?
            var creator: Person?
        }
        var issues: Connection
    }

    private struct StatesData: Decodable {
        struct Connection: Decodable { var nodes: [State] }
        struct State: Decodable {
            var id: String
            var name: String?
            var type: String?
            var position: Double?
        }
        var workflowStates: Connection
    }

    private struct MutationResult: Decodable { var success: Bool }
}
