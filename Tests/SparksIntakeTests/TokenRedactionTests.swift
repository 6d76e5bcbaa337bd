import Foundation
import SparksIntake
import Testing

/// No error a tracker client raises may contain its token, even when the transport or the server
/// echoes it back.
@Suite struct TokenRedactionTests {
    static let token = "tok_SuperSecret_0123456789abcdef"

    static func trackers() throws -> [any TicketTracker] {
        [
            try GitHubTickets(repo: "acme/widgets", token: token),
            try GitLabTickets(project: "acme/platform", token: token),
            try JiraTickets(apiBase: "https://acme.atlassian.net", project: "PROJ", email: "bot@acme.io", token: token),
            try LinearTickets(team: "ENG", token: token),
        ]
    }

    static var basicCredential: String { Data("bot@acme.io:\(token)".utf8).base64EncodedString() }

    static func expectClean(_ error: IntakeError?, code: IntakeError.Code, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("no error was raised", sourceLocation: sourceLocation)
            return
        }
        #expect(error.code == code, sourceLocation: sourceLocation)
        let everything = [error.message, error.hint, error.cause ?? "", error.description, String(describing: error)]
        for text in everything {
            #expect(!text.contains(token), sourceLocation: sourceLocation)
            #expect(!text.contains(basicCredential), sourceLocation: sourceLocation)
        }
    }

    @Test func unauthorizedResponseEchoingTheTokenIsRedacted() async throws {
        for tracker in try Self.trackers() {
            // Only Jira sends the Basic credential, so only Jira can be expected to recognise it.
            let basic = tracker.provider == .jira ? " / Basic \(Self.basicCredential)" : ""
            let echo = #"{"message":"Bad credentials: Bearer \#(Self.token)\#(basic)"}"#
            let transport = RecordingTransport(.json(echo, status: 401))
            let error = await caught { _ = try await tracker.fetchOpenTickets(using: transport) }
            Self.expectClean(error, code: .ticketAuth)
            #expect(error?.cause?.contains("[redacted]") == true)
        }
    }

    @Test func transportErrorQuotingTheHeaderIsRedacted() async throws {
        for tracker in try Self.trackers() {
            let transport = RecordingTransport(failingWith: "connection reset while sending Authorization: \(Self.token)")
            let error = await caught { _ = try await tracker.fetchOpenTickets(using: transport) }
            Self.expectClean(error, code: .ticketHTTP)
        }
    }

    @Test func serverErrorBodyIsRedacted() async throws {
        let tracker = try GitLabTickets(project: "acme/platform", token: Self.token)
        let transport = RecordingTransport(.json("upstream said PRIVATE-TOKEN=\(Self.token)", status: 502))
        let error = await caught { _ = try await tracker.fetchOpenTickets(using: transport) }
        Self.expectClean(error, code: .ticketHTTP)
        #expect(error?.message.contains("HTTP 502") == true)
    }

    @Test func rateLimitIsNotAnAuthError() async throws {
        let tracker = try GitHubTickets(repo: "acme/widgets", token: Self.token)
        let transport = RecordingTransport(.json(#"{"message":"API rate limit exceeded for installation ID 1."}"#, status: 403))
        let error = await caught { _ = try await tracker.fetchOpenTickets(using: transport) }
        #expect(error?.code == .ticketHTTP)
        #expect(error?.hint.contains("rate limit") == true)
    }

    @Test func graphQLErrorEchoingTheKeyIsRedacted() throws {
        let tracker = try LinearTickets(team: "ENG", token: Self.token)
        let json = #"{"errors":[{"message":"invalid key \#(Self.token)","extensions":{"code":"AUTHENTICATION_ERROR"}}]}"#
        let error = caught { _ = try tracker.parse(Data(json.utf8)) }
        Self.expectClean(error, code: .ticketAuth)
    }

    @Test func redactingMasksLongestFirst() {
        let error = IntakeError(
            .ticketHTTP, "abc-secret and abc-secret-longer", hint: "h abc-secret", cause: "c abc-secret-longer"
        )
        .redacting(["abc-secret", "abc-secret-longer"])
        #expect(error.message == "[redacted] and [redacted]")
        #expect(error.hint == "h [redacted]")
        #expect(error.cause == "c [redacted]")
    }
}
