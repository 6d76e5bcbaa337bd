import Foundation
import SparksIntake
import Testing

@Suite struct JiraTicketsTests {
    static let token = "ATATT3xFfGF0jiraTokenValue987654321"
    static let email = "bot@acme.io"
    static var basic: String { "Basic " + Data("\(email):\(token)".utf8).base64EncodedString() }

    static func client() throws -> JiraTickets {
        try JiraTickets(apiBase: "https://acme.atlassian.net/", project: "PROJ", email: email, token: token)
    }

    static func tickets() throws -> [Ticket] {
        try client().parse(Data(TrackerFixtures.jiraSearch.utf8))
    }

    @Test func pollRequestCarriesEncodedJQL() throws {
        let client = try Self.client()
        #expect(client.jql == "project = PROJ AND labels = sparks AND status != Done ORDER BY created DESC")
        let request = client.pollRequest()
        #expect(request.method == .get)
        #expect(
            request.url.absoluteString
                == "https://acme.atlassian.net/rest/api/3/search?jql=project%20%3D%20PROJ%20AND%20labels%20%3D%20sparks%20AND%20status%20%21%3D%20Done%20ORDER%20BY%20created%20DESC&maxResults=20"
        )
        #expect(request.headers == ["Authorization": Self.basic, "Accept": "application/json"])
        #expect(Self.basic == "Basic Ym90QGFjbWUuaW86QVRBVFQzeEZmR0YwamlyYVRva2VuVmFsdWU5ODc2NTQzMjE=")
    }

    @Test func labelsThatAreNotPlainWordsAreQuoted() throws {
        let client = try JiraTickets(
            apiBase: "https://acme.atlassian.net", project: "PROJ", email: Self.email, token: Self.token, label: "ai fix\"")
        #expect(client.jql == #"project = PROJ AND labels = "ai fix\"" AND status != Done ORDER BY created DESC"#)
    }

    @Test func parseFlattensTheADFDescription() throws {
        let tickets = try Self.tickets()
        #expect(tickets.map(\.id) == ["PROJ-12", "PROJ-13"])
        let first = tickets[0]
        #expect(first.provider == .jira)
        #expect(first.repo == "PROJ")
        #expect(first.number == 12)
        #expect(first.nodeID == "10042")
        #expect(first.title == "Export fails for reports over 10 MB")
        #expect(
            first.body == """
                Exporting a large report times out.
                - seen on 2.3.1
                - @Ravi can reproduce
                first line
                second line
                """)
        #expect(first.labels == ["sparks", "export"])
        #expect(first.priority == "Highest")
        #expect(first.author == "Mia Krystof")
        #expect(first.url == "https://acme.atlassian.net/browse/PROJ-12")
        #expect(first.state == "In Progress")
        let second = tickets[1]
        #expect(second.body == "")
        #expect(second.priority == nil)
        #expect(second.author == "")
    }

    @Test func plainTextDescriptionIsKept() throws {
        let json = #"{"issues":[{"key":"PROJ-1","fields":{"summary":"s","description":"plain words"}}]}"#
        #expect(try Self.client().parse(Data(json.utf8)).first?.body == "plain words")
    }

    @Test func commentIsAnADFDocument() throws {
        let client = try Self.client()
        let request = client.commentRequest(try Self.tickets()[0], text: "Status: done\nGoal: fix it")
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "https://acme.atlassian.net/rest/api/3/issue/PROJ-12/comment")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["Authorization"] == Self.basic)
        #expect(
            request.bodyText
                == #"{"body":{"content":[{"content":[{"text":"Status: done","type":"text"}],"type":"paragraph"},{"content":[{"text":"Goal: fix it","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}}"#
        )
    }

    @Test func pickTransitionPrefersNamesThenDoneCategory() {
        // "Ship it" leads to Resolved and comes before "Done": the first match wins.
        #expect(JiraTickets.pickTransition(Data(TrackerFixtures.jiraTransitions.utf8)) == "41")
        let byName =
            #"{"transitions":[{"id":"5","name":"Start","to":{"name":"In Progress"}},{"id":"7","name":"Mark DONE","to":{"name":"Finished"}}]}"#
        #expect(JiraTickets.pickTransition(Data(byName.utf8)) == "7")
        let closed = #"{"transitions":[{"id":"2","name":"Close issue","to":{"name":"Closed"}}]}"#
        #expect(JiraTickets.pickTransition(Data(closed.utf8)) == "2")
        let byCategory = #"{"transitions":[{"id":"3","name":"Ship","to":{"name":"Shipped","statusCategory":{"key":"done"}}}]}"#
        #expect(JiraTickets.pickTransition(Data(byCategory.utf8)) == "3")
        let none =
            #"{"transitions":[{"id":"11","name":"To Do","to":{"name":"To Do"}},{"id":"21","name":"Start","to":{"name":"In Progress"}}]}"#
        #expect(JiraTickets.pickTransition(Data(none.utf8)) == nil)
        #expect(JiraTickets.pickTransition(Data("<html>".utf8)) == nil)
    }

    @Test func closeTakesTwoSteps() async throws {
        let client = try Self.client()
        let ticket = try Self.tickets()[0]
        #expect(client.transitionsRequest(ticket).method == .get)
        #expect(
            client.transitionsRequest(ticket).url.absoluteString
                == "https://acme.atlassian.net/rest/api/3/issue/PROJ-12/transitions")
        let transition = client.transitionRequest(ticket, transitionID: "31")
        #expect(transition.method == .post)
        #expect(transition.url.absoluteString == "https://acme.atlassian.net/rest/api/3/issue/PROJ-12/transitions")
        #expect(transition.bodyText == #"{"transition":{"id":"31"}}"#)

        let transport = RecordingTransport(.json(TrackerFixtures.jiraTransitions), HTTPResponse(status: 204))
        try await client.close(ticket, using: transport)
        #expect(transport.requests.map(\.method) == [.get, .post])
        #expect(transport.requests.last?.bodyText == #"{"transition":{"id":"41"}}"#)
    }

    @Test func closeWithoutADoneTransitionIsAConfigError() async throws {
        let client = try Self.client()
        let ticket = try Self.tickets()[0]
        let transport = RecordingTransport(.json(#"{"transitions":[{"id":"11","name":"To Do","to":{"name":"To Do"}}]}"#))
        let error = await caught { try await client.close(ticket, using: transport) }
        #expect(error?.code == .ticketConfig)
        #expect(transport.requests.count == 1)
    }

    @Test func apiBaseIsRequired() {
        #expect(
            caught { _ = try JiraTickets(apiBase: "", project: "PROJ", email: Self.email, token: Self.token) }?.code
                == .ticketConfig)
    }
}
