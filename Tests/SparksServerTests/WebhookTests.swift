import Crypto
import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `POST /hooks/github`: only correctly signed, first-time deliveries that a rule matches become
/// tasks; everything else creates nothing.
@Suite struct WebhookTests {
    static let secret = "webhook-secret-for-tests-0123"

    static func sign(_ body: Data, secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func labeled(label: String, labels: [String], number: Int = 7) -> Data {
        let payload: JSONValue = .object([
            "action": "labeled", "label": .object(["name": .string(label)]),
            "issue": .object(["number": .number(Double(number)), "title": "Fix the flaky parser test",
                              "body": "The parser test fails one run in ten.", "html_url": "https://github.com/acme/app/issues/7",
                              "labels": .array(labels.map { .object(["name": .string($0)]) })]),
            "repository": .object(["full_name": "acme/app"]), "sender": .object(["login": "octocat"]),
        ])
        return Data(payload.canonicalText.utf8)
    }

    func deliver(_ harness: ServerHarness, event: String, body: Data, delivery: String, signature: String?) async throws
        -> (status: Int, json: JSONValue?)
    {
        var headers = [("X-GitHub-Event", event), ("X-GitHub-Delivery", delivery), ("Content-Type", "application/json")]
        if let signature { headers.append(("X-Hub-Signature-256", signature)) }
        let response = try await harness.send("POST", "/hooks/github", body: body, headers: headers)
        return (response.status, JSONValue.parse(response.body))
    }

    @Test func signedDeliveriesBecomeTasksOnceAndNothingElseDoes() async throws {
        let repo = try TemporaryDirectory.gitRepository(prefix: "hook-repo")
        let config = """
            [webhook]
            github_secret = "secret:GITHUB_HOOK"
            repository = "\(repo.path)"

            [[webhooks]]
            event = "issues.labeled"
            label = "sparks"
            repo = "acme/app"
            risk = "low"

            [[webhooks]]
            event = "issue_comment.created"
            command = "/sparks"
            spark = "scout"
            """
        // The webhook secret is itself a stored secret.
        let environment = ["SPARKS_MASTER_KEY": "a passphrase long enough for tests"]
        try await ServerHarness.with(keys: ["api-key-1234"], config: config, environment: environment, storeSecrets: ["GITHUB_HOOK": Self.secret]) { harness in
            let body = Self.labeled(label: "sparks", labels: ["bug", "sparks", "sparks:scout"])
            // No signature, a wrong one, a signature made with another secret: 401, nothing queued.
            #expect(try await deliver(harness, event: "issues", body: body, delivery: "d-0", signature: nil).status == 401)
            #expect(try await deliver(harness, event: "issues", body: body, delivery: "d-0", signature: "sha256=00ff").status == 401)
            #expect(try await deliver(harness, event: "issues", body: body, delivery: "d-0",
                                      signature: Self.sign(body, secret: "another-secret")).status == 401)
            var tampered = body
            tampered.append(contentsOf: Array(" ".utf8))
            #expect(try await deliver(harness, event: "issues", body: tampered, delivery: "d-0", signature: Self.sign(body)).status == 401)
            #expect(try harness.store.taskCounts().values.reduce(0, +) == 0)

            // Signed: queued, with the spark from the `sparks:scout` label and the rule's lane and risk.
            let accepted = try await deliver(harness, event: "issues", body: body, delivery: "d-1", signature: Self.sign(body))
            #expect(accepted.status == 202)
            let id = try #require(accepted.json?["task_id"]?.stringValue)
            let task = try #require(try harness.store.task(idPrefix: id))
            #expect(task.status == .queued)
            #expect(task.spark == "scout")
            #expect(task.lane == "ticket_intake")
            #expect(task.risk == "low")
            #expect(task.source == "webhook")
            #expect(task.goal.hasPrefix("Fix the flaky parser test"))
            #expect(task.context?.contains("acme/app#7") == true)

            // The same delivery again is a replay: 409, still one task.
            #expect(try await deliver(harness, event: "issues", body: body, delivery: "d-1", signature: Self.sign(body)).status == 409)
            #expect(try harness.store.taskCounts()[.queued] == 1)

            // Another label, another repository, a ping: nothing queued.
            let other = Self.labeled(label: "docs", labels: ["docs"])
            #expect(try await deliver(harness, event: "issues", body: other, delivery: "d-2", signature: Self.sign(other)).json?["status"] == "ignored")
            #expect(try await deliver(harness, event: "ping", body: Data("{}".utf8), delivery: "d-3", signature: Self.sign(Data("{}".utf8))).status == 200)

            // A comment command: the rest of the comment is the goal.
            let comment = Data(JSONValue.object([
                "action": "created", "comment": .object(["body": "/sparks where is the retry policy configured?", "user": .object(["login": "dev"])]),
                "issue": .object(["number": 9, "title": "Retries", "html_url": "https://github.com/acme/app/issues/9"]),
                "repository": .object(["full_name": "acme/app"]),
            ]).canonicalText.utf8)
            let commented = try await deliver(harness, event: "issue_comment", body: comment, delivery: "d-4", signature: Self.sign(comment))
            #expect(commented.status == 202)
            let question = try #require(try harness.store.task(idPrefix: commented.json?["task_id"]?.stringValue ?? "zzzz"))
            #expect(question.goal == "where is the retry policy configured?")
            #expect(question.spark == "scout")

            // Oversized bodies are refused before anything else.
            let huge = Data(repeating: UInt8(ascii: "a"), count: 2 << 20)
            #expect(try await deliver(harness, event: "issues", body: huge, delivery: "d-5", signature: Self.sign(huge)).status == 413)
            #expect(try harness.store.taskCounts()[.queued] == 2)
            // Webhooks need no API key, but nothing else changed: the dashboard still does.
            #expect(try await harness.get("/dashboard").status == 401)
        }
    }
}
