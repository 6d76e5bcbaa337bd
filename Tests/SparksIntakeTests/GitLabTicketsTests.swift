import Foundation
import SparksIntake
import Testing

@Suite struct GitLabTicketsTests {
    static let token = "glpat-Xy9zAbCdEfGhIjKlMnOp"

    static func client() throws -> GitLabTickets {
        try GitLabTickets(project: "acme/platform", token: token)
    }

    static func ticket() throws -> Ticket {
        try #require(try client().parse(Data(TrackerFixtures.gitlabIssues.utf8)).first)
    }

    @Test func pollRequestEncodesTheProjectPath() throws {
        let request = try Self.client().pollRequest()
        #expect(request.method == .get)
        #expect(
            request.url.absoluteString
                == "https://gitlab.com/api/v4/projects/acme%2Fplatform/issues?labels=sparks&state=opened&per_page=20")
        #expect(request.headers == ["PRIVATE-TOKEN": Self.token, "Accept": "application/json"])
        #expect(request.headers["Authorization"] == nil)
    }

    @Test func numericProjectIDStaysAsIs() throws {
        let client = try GitLabTickets(apiBase: "https://git.acme.io/api/v4", project: "4523", token: Self.token, label: "ai")
        #expect(
            client.pollRequest().url.absoluteString
                == "https://git.acme.io/api/v4/projects/4523/issues?labels=ai&state=opened&per_page=20")
    }

    @Test func parse() throws {
        let ticket = try Self.ticket()
        #expect(ticket.provider == .gitlab)
        #expect(ticket.repo == "acme/platform")
        #expect(ticket.id == "7")
        #expect(ticket.number == 7)
        #expect(ticket.nodeID == "84736251")
        #expect(ticket.title == "Pagination skips the last page")
        #expect(ticket.body == "With 41 items and per_page=20 the third page is never requested.")
        #expect(ticket.url == "https://gitlab.com/acme/platform/-/issues/7")
        #expect(ticket.author == "jdoe")
        #expect(ticket.labels == ["sparks", "P1", "backend"])
        #expect(ticket.state == "opened")
    }

    @Test func commentRequest() throws {
        let request = try Self.client().commentRequest(Self.ticket(), text: "Done in !12")
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "https://gitlab.com/api/v4/projects/acme%2Fplatform/issues/7/notes")
        #expect(request.headers["PRIVATE-TOKEN"] == Self.token)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.bodyText == #"{"body":"Done in !12"}"#)
    }

    @Test func closeRequest() throws {
        let request = try Self.client().closeRequest(Self.ticket())
        #expect(request.method == .put)
        #expect(request.url.absoluteString == "https://gitlab.com/api/v4/projects/acme%2Fplatform/issues/7")
        #expect(request.bodyText == #"{"state_event":"close"}"#)
    }
}
