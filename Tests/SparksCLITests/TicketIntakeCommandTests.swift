import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// Ticket intake end to end: a fake GitHub issues API on loopback, `sparks tickets poll`, a real
/// `sparks serve` that runs the tasks and writes back, and a signed webhook delivery.
@Suite(.timeLimit(.minutes(5))) struct TicketIntakeCommandTests {
    static let hookSecret = "ticket-hook-secret-for-tests-42"

    func waitFor(_ what: String, timeout: Double = 90, _ condition: () throws -> Bool) async throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func deliver(_ base: String, body: Data, delivery: String) async throws -> (Int, JSONValue?) {
        var request = HTTPClientRequest(url: base + "/hooks/github")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: body))
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(Self.hookSecret.utf8)))
        request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        request.headers.add(name: "X-GitHub-Event", value: "issues")
        request.headers.add(name: "X-GitHub-Delivery", value: delivery)
        request.headers.add(name: "Content-Type", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), JSONValue.parse(String(buffer: answer)))
    }

    @Test func labelledTicketsRunOnceAndAreCommentedAndClosed() async throws {
        let github = FakeGitHubIssues(issues: [
            .init(number: 7, title: "Add a CONTRIBUTING.md", body: "Explain how to run the tests.", labels: ["sparks", "sparks:coder"]),
            .init(number: 8, title: "Not for the bot", labels: ["bug"]),
        ])
        try await github.start()
        defer { Task { await github.stop() } }
        let llm = ScriptedLLMServer(replies: Array(repeating: .text("Done."), count: 8))
        try await llm.start()
        defer { Task { await llm.stop() } }
        let home = try TemporaryDirectory(prefix: "tickets-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "tickets-repo")
        _ = try home.write("config.toml", """
            [tickets]
            enabled = true
            poll_interval_secs = 5
            writeback_interval_secs = 1

            [[tickets.sources]]
            provider = "github"
            repo = "acme/app"
            api_base = "\(github.baseURL)"
            repository = "\(repo.path)"
            webhook_secret = "\(Self.hookSecret)"
            """)
        let sparks = SparksBinary(home: home, baseURL: llm.baseURL, extra: ["GH_TOKEN": github.token, "SPARKS_MEMORY_ENABLED": "false"])

        let sources = try await sparks.run(["tickets", "sources"])
        #expect(sources.stdout.contains("github:acme/app"), "\(sources.stderr)")
        #expect(sources.stdout.contains("ready"))
        #expect(!sources.stdout.contains(github.token))

        // Polled twice before the daemon runs: one task, the second poll sees it again.
        let first = try await sparks.run(["tickets", "poll"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(first.stdout.contains("1 open, 1 queued"))
        let second = try await sparks.run(["tickets", "poll"])
        #expect(second.stdout.contains("1 open, 0 queued, 1 seen before"), "\(second.stdout)")
        let store = try SparksStore(path: home.file("sparks.db"))
        let queued = try store.recentTasks(limit: 10)
        #expect(queued.count == 1)
        let task = try #require(queued.first)
        #expect(task.lane == "ticket_intake")
        #expect(task.source == "ticket")
        #expect(task.spark == "coder")
        #expect(task.goal == "Address ticket: Add a CONTRIBUTING.md")
        #expect(task.context?.contains("Explain how to run the tests.") == true)

        // The daemon runs it and writes back: a comment, then the issue is closed.
        let (serve, _, err) = try sparks.start(["serve"])
        defer { kill(serve.processIdentifier, SIGTERM) }
        var base = ""
        try await waitFor("sparks serve to print its address") {
            let log = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            guard let range = log.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else { return false }
            base = String(log[range])
            return true
        }
        try await waitFor("issue 7 to be closed") { github.issue(7)?.state == "closed" }
        let comment = try #require(github.comments.first { $0.issue == 7 })
        #expect(comment.body.contains("Status: succeeded"))
        #expect(comment.body.contains("Goal: Address ticket: Add a CONTRIBUTING.md"))
        #expect(comment.body.contains(task.id.uuidString.lowercased()))

        // A webhook delivery for a new labelled issue: queued at once, run, written back.
        let issue9 = FakeGitHubIssues.Issue(number: 9, title: "Document the release steps", labels: ["sparks"])
        github.add(issue9)
        let payload: JSONValue = .object(["action": "labeled", "issue": github.json(issue9), "label": .object(["name": "sparks"]),
                                          "repository": .object(["full_name": "acme/app"]), "sender": .object(["login": "octocat"])])
        let body = Data(payload.canonicalText.utf8)
        let (status, answer) = try await deliver(base, body: body, delivery: "delivery-1")
        #expect(status == 202, "\(String(describing: answer))")
        #expect(answer?["status"] == "queued")
        // The same ticket delivered again (a new delivery id) runs no second task.
        let (again, duplicate) = try await deliver(base, body: body, delivery: "delivery-2")
        #expect(again == 200)
        #expect(duplicate?["status"] == "duplicate")
        try await waitFor("issue 9 to be closed") { github.issue(9)?.state == "closed" }
        // Someone reopens issue 9: the daemon's next poll sees it again and runs nothing more.
        github.add(issue9)
        let polls = github.requests.filter { $0.method == "GET" }.count
        try await waitFor("another poll") { github.requests.filter { $0.method == "GET" }.count > polls }
        try await Task.sleep(for: .milliseconds(300))

        let tasks = try store.recentTasks(limit: 10)
        #expect(tasks.count == 2)
        #expect(tasks.allSatisfy { $0.lane == "ticket_intake" && $0.status == .succeeded })
        #expect(github.comments.filter { $0.issue == 7 }.count == 1)
        #expect(github.comments.filter { $0.issue == 9 }.count == 1)
        #expect(github.comments.allSatisfy { $0.issue != 8 })
        #expect(github.issue(8)?.state == "open")
        #expect(github.issue(9)?.state == "open")

        let list = try await sparks.run(["tickets", "list", "--json"])
        let rows = list.stdout.split(separator: "\n").compactMap { JSONValue.parse(String($0)) }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["status"] == "synced" })
        #expect(Set(rows.compactMap { $0["via"]?.stringValue }) == ["poll", "webhook"])
        let log = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(!log.contains(github.token))
    }
}
