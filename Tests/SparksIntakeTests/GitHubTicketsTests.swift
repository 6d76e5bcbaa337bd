import Foundation
import SparksIntake
import Testing

@Suite struct GitHubTicketsTests {
    static let token = "ghp_R4nd0mT0kenValue1234567890abcdEFGH"

    static func client() throws -> GitHubTickets {
        try GitHubTickets(repo: "acme/widgets", token: token)
    }

    static let headers = [
        "Authorization": "Bearer \(token)",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "sparks",
    ]

    @Test func pollRequest() throws {
        let request = try Self.client().pollRequest()
        #expect(request.method == .get)
        #expect(
            request.url.absoluteString
                == "https://api.github.com/repos/acme/widgets/issues?labels=sparks&state=open&per_page=20&sort=created&direction=desc"
        )
        #expect(request.headers == Self.headers)
        #expect(request.body == nil)
    }

    @Test func customBaseAndLabelAreEncoded() throws {
        let client = try GitHubTickets(
            apiBase: "https://ghe.acme.io/api/v3/", repo: "acme/widgets", token: Self.token, label: "good first/sparks")
        #expect(
            client.pollRequest().url.absoluteString
                == "https://ghe.acme.io/api/v3/repos/acme/widgets/issues?labels=good%20first%2Fsparks&state=open&per_page=20&sort=created&direction=desc"
        )
    }

    @Test func parseSkipsPullRequests() throws {
        let tickets = try Self.client().parse(Data(TrackerFixtures.githubIssues.utf8))
        #expect(tickets.map(\.id) == ["42", "40"])
        let first = try #require(tickets.first)
        #expect(first.provider == .github)
        #expect(first.repo == "acme/widgets")
        #expect(first.number == 42)
        #expect(first.nodeID == "2145678901")
        #expect(first.title == "Crash when the config file is empty")
        #expect(first.body == "Steps:\n1. create an empty sparks.toml\n2. run `sparks run`\n\nIt crashes.")
        #expect(first.url == "https://github.com/acme/widgets/issues/42")
        #expect(first.author == "octocat")
        #expect(first.labels == ["sparks", "priority: high", "sparks:coder"])
        #expect(first.priority == nil)
        #expect(first.state == "open")
        #expect(tickets[1].body == "")
    }

    @Test func commentRequest() throws {
        let client = try Self.client()
        let ticket = try #require(try client.parse(Data(TrackerFixtures.githubIssues.utf8)).first)
        let request = client.commentRequest(ticket, text: "Working on it: https://example.com/x")
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "https://api.github.com/repos/acme/widgets/issues/42/comments")
        #expect(request.headers == Self.headers.merging(["Content-Type": "application/json"]) { $1 })
        #expect(request.bodyText == #"{"body":"Working on it: https://example.com/x"}"#)
    }

    @Test func closeRequest() throws {
        let client = try Self.client()
        let ticket = try #require(try client.parse(Data(TrackerFixtures.githubIssues.utf8)).first)
        let request = client.closeRequest(ticket)
        #expect(request.method == .patch)
        #expect(request.url.absoluteString == "https://api.github.com/repos/acme/widgets/issues/42")
        #expect(request.bodyText == #"{"state":"closed","state_reason":"completed"}"#)
    }

    @Test func fetchThroughTransport() async throws {
        let transport = RecordingTransport(.json(TrackerFixtures.githubIssues))
        let tickets = try await Self.client().fetchOpenTickets(using: transport)
        #expect(tickets.count == 2)
        #expect(transport.requests.count == 1)
        #expect(transport.requests.first?.url.path == "/repos/acme/widgets/issues")
    }

    @Test func badSettingsAreConfigErrors() {
        #expect(caught { _ = try GitHubTickets(repo: "acme", token: Self.token) }?.code == .ticketConfig)
        #expect(caught { _ = try GitHubTickets(repo: "acme/widgets/extra", token: Self.token) }?.code == .ticketConfig)
        #expect(
            caught { _ = try GitHubTickets(apiBase: "not a url", repo: "acme/widgets", token: Self.token) }?.code == .ticketConfig
        )
        #expect(
            caught { _ = try GitHubTickets(apiBase: "ftp://x.io", repo: "acme/widgets", token: Self.token) }?.code
                == .ticketConfig)
        #expect(caught { _ = try GitHubTickets(repo: "acme/widgets", token: "  ") }?.code == .ticketAuth)
    }

    @Test func malformedResponseIsParseError() throws {
        let client = try Self.client()
        let error = caught { _ = try client.parse(Data(#"{"message":"Not Found"}"#.utf8)) }
        #expect(error?.code == .ticketParse)
        let missingTitle = caught {
            _ = try client.parse(Data(#"[{"number":1,"html_url":"u","labels":[],"state":"open"}]"#.utf8))
        }
        #expect(missingTitle?.code == .ticketParse)
        #expect(missingTitle?.message.contains("title missing at [0]") == true)
    }
}
