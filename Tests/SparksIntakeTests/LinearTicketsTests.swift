import Foundation
import SparksIntake
import Testing

@Suite struct LinearTicketsTests {
    static let token = "lin_api_Q2xhdWRlTGluZWFyS2V5MTIzNDU2"

    static func client() throws -> LinearTickets {
        try LinearTickets(team: "ENG", token: token)
    }

    static func tickets() throws -> [Ticket] {
        try client().parse(Data(TrackerFixtures.linearIssues.utf8))
    }

    @Test func pollRequestIsAGraphQLPost() throws {
        let request = try Self.client().pollRequest()
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "https://api.linear.app/graphql")
        #expect(
            request.headers == ["Authorization": Self.token, "Content-Type": "application/json", "Accept": "application/json"])
        let body = try #require(request.bodyObject)
        let variables = try #require(body["variables"] as? [String: Any])
        #expect(variables["teamKey"] as? String == "ENG")
        #expect(variables["label"] as? String == "sparks")
        #expect(variables["first"] as? Int == 20)
        let query = try #require(body["query"] as? String)
        #expect(query.contains("team: { key: { eq: $teamKey } }"))
        #expect(query.contains("labels: { some: { name: { eqIgnoreCase: $label } } }"))
        #expect(query.contains(#"state: { type: { nin: ["completed", "canceled"] } }"#))
        // Values travel as variables, never inside the query text.
        #expect(!query.contains("ENG"))
    }

    @Test func parseMapsPriorityAndCreator() throws {
        let tickets = try Self.tickets()
        #expect(tickets.map(\.id) == ["ENG-123", "ENG-124"])
        let first = tickets[0]
        #expect(first.provider == .linear)
        #expect(first.repo == "ENG")
        #expect(first.number == 123)
        #expect(first.nodeID == "9cfb482a-81e3-4154-b5b9-2c805e70a02d")
        #expect(first.title == "Retry webhooks on 502")
        #expect(first.body == "Webhook deliveries that get a 502 are dropped.\n\nRetry with backoff.")
        #expect(first.url == "https://linear.app/acme/issue/ENG-123/retry-webhooks-on-502")
        #expect(first.priority == "urgent")
        #expect(first.labels == ["sparks", "sparks:reviewer"])
        #expect(first.author == "ada")
        #expect(first.state == "Todo")
        #expect(tickets[1].priority == nil)
        #expect(tickets[1].author == "")
        #expect(tickets[1].body == "")
    }

    @Test(arguments: [(1, "urgent"), (2, "high"), (3, "medium"), (4, "low")])
    func priorityNames(value: Int, name: String) throws {
        let json = """
            {"data":{"issues":{"nodes":[{"id":"u","identifier":"ENG-1","title":"t","url":"x","priority":\(value)}]}}}
            """
        #expect(try Self.client().parse(Data(json.utf8)).first?.priority == name)
    }

    @Test func commentUsesTheIssueUUID() throws {
        let request = try Self.client().commentRequest(Self.tickets()[0], text: "On it")
        let body = try #require(request.bodyObject)
        #expect((body["query"] as? String)?.contains("commentCreate(input: { issueId: $issueId, body: $body })") == true)
        #expect(body["variables"] as? [String: String] == ["issueId": "9cfb482a-81e3-4154-b5b9-2c805e70a02d", "body": "On it"])
    }

    @Test func closeFindsTheCompletedStateThenUpdates() async throws {
        let client = try Self.client()
        let statesBody = try #require(client.completedStatesRequest().bodyObject)
        #expect((statesBody["query"] as? String)?.contains(#"type: { eq: "completed" }"#) == true)
        #expect(statesBody["variables"] as? [String: String] == ["teamKey": "ENG"])
        #expect(try client.parseCompletedStateID(Data(TrackerFixtures.linearStates.utf8)) == "state-done")
        #expect(try client.parseCompletedStateID(Data(#"{"data":{"workflowStates":{"nodes":[]}}}"#.utf8)) == nil)

        let ticket = try Self.tickets()[0]
        let update = try #require(client.closeRequest(ticket, stateID: "state-done").bodyObject)
        #expect((update["query"] as? String)?.contains("issueUpdate(id: $id, input: { stateId: $stateId })") == true)
        #expect(
            update["variables"] as? [String: String] == ["id": "9cfb482a-81e3-4154-b5b9-2c805e70a02d", "stateId": "state-done"])

        let transport = RecordingTransport(
            .json(TrackerFixtures.linearStates), .json(#"{"data":{"issueUpdate":{"success":true}}}"#))
        try await client.close(ticket, using: transport)
        #expect(transport.requests.count == 2)
        #expect((transport.requests[1].bodyObject?["variables"] as? [String: String])?["stateId"] == "state-done")
    }

    @Test func unsuccessfulMutationIsAnError() async throws {
        let client = try Self.client()
        let transport = RecordingTransport(.json(#"{"data":{"commentCreate":{"success":false}}}"#))
        let error = await caught { try await client.comment(on: try Self.tickets()[0], text: "x", using: transport) }
        #expect(error?.code == .ticketHTTP)
    }

    @Test func graphQLAuthenticationErrorIsTicketAuth() throws {
        let json =
            #"{"errors":[{"message":"Authentication required, not authenticated","extensions":{"code":"AUTHENTICATION_ERROR"}}]}"#
        let error = caught { _ = try Self.client().parse(Data(json.utf8)) }
        #expect(error?.code == .ticketAuth)
        #expect(error?.message.contains("Authentication required") == true)
    }
}
