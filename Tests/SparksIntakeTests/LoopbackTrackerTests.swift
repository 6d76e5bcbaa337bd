import Foundation
import Hummingbird
import NIOCore
import SparksIntake
import SparksTesting
import Synchronization
import Testing

/// GitLab, Jira and Linear over real HTTP: a loopback server answers with each tracker's JSON,
/// and the production transport (`AsyncHTTPTransport`) carries the poll, the comment and the close.
@Suite(.timeLimit(.minutes(5))) struct LoopbackTrackerTests {
    struct Seen: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    /// Answers `(method, path fragment or body fragment) → (status, JSON)` and records every request.
    final class FakeTracker: Sendable {
        let routes: [(method: String, match: String, status: Int, body: String)]
        let seen = Mutex<[Seen]>([])
        let runner = Mutex<Task<Void, any Error>?>(nil)
        let port = Mutex(0)

        init(_ routes: [(method: String, match: String, status: Int, body: String)]) { self.routes = routes }

        var requests: [Seen] { seen.withLock { $0 } }
        var base: String { "http://127.0.0.1:\(port.withLock { $0 })" }

        func start() async {
            let router = Router()
            for method in [HTTPRequest.Method.get, .post, .put, .patch] {
                router.on("**", method: method) { request, _ -> Response in
                    let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                    var headers: [String: String] = [:]
                    for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
                    let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                    self.seen.withLock { $0.append(Seen(method: request.method.rawValue, path: path, headers: headers, body: body)) }
                    let route = self.routes.first { $0.method == request.method.rawValue && (path.contains($0.match) || body.contains($0.match)) }
                    return Response(status: .init(code: route?.status ?? 404), headers: [.contentType: "application/json"],
                                    body: ResponseBody(byteBuffer: ByteBuffer(string: route?.body ?? #"{"message":"404 Not Found"}"#)))
                }
            }
            let (task, port) = await LoopbackHTTPServer.start(router)
            runner.withLock { $0 = task }
            self.port.withLock { $0 = port }
        }

        func stop() { runner.withLock { $0?.cancel() } }
    }

    @Test func gitLabPollCommentAndClose() async throws {
        let fake = FakeTracker([
            ("GET", "/issues?", 200, TrackerFixtures.gitlabIssues),
            ("POST", "/issues/7/notes", 201, #"{"id":301,"body":"ok"}"#),
            ("PUT", "/issues/7", 200, #"{"iid":7,"state":"closed"}"#),
        ])
        await fake.start()
        defer { fake.stop() }
        let transport = AsyncHTTPTransport()
        let tracker = try GitLabTickets(apiBase: fake.base + "/api/v4", project: "acme/platform", token: "glpat-loopback-0000", label: "sparks")
        let tickets = try await tracker.fetchOpenTickets(using: transport)
        let ticket = try #require(tickets.first)
        #expect(ticket.title == "Pagination skips the last page")
        try await tracker.comment(on: ticket, text: "Sparks task update", using: transport)
        try await tracker.close(ticket, using: transport)
        await transport.shutdown()
        let requests = fake.requests
        #expect(requests.map(\.method) == ["GET", "POST", "PUT"])
        #expect(requests.allSatisfy { $0.headers["private-token"] == "glpat-loopback-0000" })
        #expect(requests[0].path.contains("labels=sparks") && requests[0].path.contains("state=opened"))
        #expect(requests[1].body.contains("Sparks task update"))
        #expect(requests[2].body.contains(#""state_event":"close""#))
    }

    @Test func jiraPollCommentAndCloseByATransition() async throws {
        let fake = FakeTracker([
            ("GET", "/rest/api/3/search", 200, TrackerFixtures.jiraSearch),
            ("POST", "/comment", 201, #"{"id":"10100"}"#),
            ("GET", "/transitions", 200, TrackerFixtures.jiraTransitions),
            ("POST", "/transitions", 204, ""),
        ])
        await fake.start()
        defer { fake.stop() }
        let transport = AsyncHTTPTransport()
        let tracker = try JiraTickets(apiBase: fake.base, project: "OPS", email: "bot@acme.io", token: "jira-loopback-0000", label: "sparks")
        let ticket = try #require(try await tracker.fetchOpenTickets(using: transport).first)
        try await tracker.comment(on: ticket, text: "Sparks task update", using: transport)
        try await tracker.close(ticket, using: transport)
        await transport.shutdown()
        let requests = fake.requests
        #expect(requests.map(\.method) == ["GET", "POST", "GET", "POST"])
        let basic = "Basic " + Data("bot@acme.io:jira-loopback-0000".utf8).base64EncodedString()
        #expect(requests.allSatisfy { $0.headers["authorization"] == basic })
        #expect(requests[0].path.contains("jql="))
        #expect(requests[1].body.contains(#""type":"doc""#), "the comment is Atlassian Document Format")
        #expect(requests[3].body.contains(#""transition""#))
    }

    @Test func linearPollCommentAndCloseThroughGraphQL() async throws {
        let fake = FakeTracker([
            ("POST", "commentCreate", 200, #"{"data":{"commentCreate":{"success":true}}}"#),
            ("POST", "issueUpdate", 200, #"{"data":{"issueUpdate":{"success":true}}}"#),
            ("POST", "workflowStates", 200, TrackerFixtures.linearStates),
            ("POST", "issues", 200, TrackerFixtures.linearIssues),
        ])
        await fake.start()
        defer { fake.stop() }
        let transport = AsyncHTTPTransport()
        let tracker = try LinearTickets(apiBase: fake.base + "/graphql", team: "ENG", token: "lin_api_loopback_0000", label: "sparks")
        let tickets = try await tracker.fetchOpenTickets(using: transport)
        let ticket = try #require(tickets.first)
        #expect(ticket.id == "ENG-123")
        try await tracker.comment(on: ticket, text: "Sparks task update", using: transport)
        try await tracker.close(ticket, using: transport)
        await transport.shutdown()
        let requests = fake.requests
        #expect(requests.count == 4)
        #expect(requests.allSatisfy { $0.method == "POST" && $0.path == "/graphql" })
        #expect(requests.allSatisfy { $0.headers["authorization"] == "lin_api_loopback_0000" })
        #expect(requests[3].body.contains("state-released") || requests[3].body.contains("state-done"))
    }
}
