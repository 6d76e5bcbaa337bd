import Foundation
import Hummingbird
import NIOCore
import SparksCore
import Synchronization

/// GitHub's issues REST API on 127.0.0.1 (random port), for ticket-intake tests. It speaks the
/// real wire format: `GET /repos/{owner}/{repo}/issues?labels=…&state=open` (label filter and
/// state honoured, newest first), `POST …/issues/{n}/comments` (201 with a comment object) and
/// `PATCH …/issues/{n}` (`state`, `state_reason`). Every request needs `Authorization: Bearer
/// <token>`; others get GitHub's 401 body. Requests are recorded for assertions.
///
/// Not modelled: pagination, pull requests, rate limits, other endpoints (404 like GitHub).
public final class FakeGitHubIssues: Sendable {
    public struct Issue: Sendable, Hashable {
        public var number: Int
        public var title: String
        public var body: String
        public var labels: [String]
        public var state = "open"
        public var author = "octocat"

        public init(number: Int, title: String, body: String = "", labels: [String]) {
            self.number = number
            self.title = title
            self.body = body
            self.labels = labels
        }
    }

    public struct Comment: Sendable, Hashable {
        public var issue: Int
        public var body: String
    }

    /// One request as received.
    public struct Recorded: Sendable, Hashable {
        public var method: String
        public var path: String
        public var status: Int
    }

    struct State {
        var issues: [Int: Issue] = [:]
        var comments: [Comment] = []
        var requests: [Recorded] = []
    }

    public let repo: String
    public let token: String
    let state = Mutex(State())
    private let server = LoopbackRunner()

    public init(repo: String = "acme/app", token: String = "ghp_fakeTokenForSparksTests0123456789ab", issues: [Issue] = []) {
        self.repo = repo
        self.token = token
        state.withLock { state in for issue in issues { state.issues[issue.number] = issue } }
    }

    /// The API base to configure (`api_base`).
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }
    public var comments: [Comment] { state.withLock { $0.comments } }
    public var requests: [Recorded] { state.withLock { $0.requests } }
    public func issue(_ number: Int) -> Issue? { state.withLock { $0.issues[number] } }
    public func add(_ issue: Issue) { state.withLock { $0.issues[issue.number] = issue } }

    /// The JSON GitHub sends for an issue, also inside webhook payloads (`issue`).
    public func json(_ issue: Issue) -> JSONValue {
        .object([
            "id": .number(Double(1_000_000 + issue.number)), "number": .number(Double(issue.number)), "title": .string(issue.title),
            "body": .string(issue.body), "state": .string(issue.state),
            "html_url": .string("https://github.com/\(repo)/issues/\(issue.number)"),
            "user": .object(["login": .string(issue.author)]),
            "labels": .array(issue.labels.map { .object(["name": .string($0)]) }),
        ])
    }

    public func start() async throws {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .patch] {
            router.on("**", method: method) { request, _ in try await self.handle(request) }
        }
        await server.start(router, label: "fake-github-issues")
    }

    public func stop() async {
        await server.stop()
    }

    private func handle(_ request: Request) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        let body = try await request.body.collect(upTo: 1 << 20)
        let (status, answer) = route(method: method, path: path, query: Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 }),
                                     authorization: request.headers[.authorization], body: String(buffer: body))
        state.withLock { $0.requests.append(Recorded(method: method, path: path, status: status)) }
        return Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: answer.canonicalText)))
    }

    private func route(method: String, path: String, query: [String: String], authorization: String?, body: String)
        -> (Int, JSONValue)
    {
        guard authorization == "Bearer \(token)" else {
            return (401, ["message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"])
        }
        let prefix = "/repos/\(repo)/issues"
        guard path.hasPrefix(prefix) else { return (404, ["message": "Not Found"]) }
        let rest = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        return state.withLock { state -> (Int, JSONValue) in
            switch (method, rest.count) {
            case ("GET", 0):
                let wanted = query["labels"].map { $0.split(separator: ",").map { String($0) } } ?? []
                let open = query["state"] ?? "open"
                let issues = state.issues.values
                    .filter { issue in (open == "all" || issue.state == open) && wanted.allSatisfy { issue.labels.contains($0) } }
                    .sorted { $0.number > $1.number }
                return (200, .array(issues.map(json)))
            case ("POST", 2) where rest[1] == "comments":
                guard let number = Int(rest[0]), state.issues[number] != nil else { return (404, ["message": "Not Found"]) }
                guard let text = JSONValue.parse(body)?["body"]?.stringValue, !text.isEmpty else {
                    return (422, ["message": "Validation Failed"])
                }
                state.comments.append(Comment(issue: number, body: text))
                return (201, ["id": .number(Double(state.comments.count)), "body": .string(text)])
            case ("PATCH", 1):
                guard let number = Int(rest[0]), var issue = state.issues[number] else { return (404, ["message": "Not Found"]) }
                if let newState = JSONValue.parse(body)?["state"]?.stringValue { issue.state = newState }
                state.issues[number] = issue
                return (200, json(issue))
            default:
                return (404, ["message": "Not Found"])
            }
        }
    }
}
