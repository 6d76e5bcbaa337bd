import Crypto
import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// `POST /hooks/gitlab|jira|linear`: each tracker's real payload shape and signature scheme;
/// only signed deliveries for a configured source with its label become tasks, once.
@Suite(.timeLimit(.minutes(5))) struct TicketWebhookTests {
    static let secret = "tracker-hook-secret-0123456789"

    static func hmacHex(_ body: Data, _ secret: String = secret) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    func config(_ repo: String) -> String {
        """
        [[tickets.sources]]
        provider = "gitlab"
        repo = "acme/app"
        token = "glpat-test-token-000"
        api_base = "http://127.0.0.1:9/api/v4"
        repository = "\(repo)"
        webhook_secret = "\(Self.secret)"

        [[tickets.sources]]
        provider = "jira"
        repo = "OPS"
        email = "bot@example.com"
        token = "jira-test-token-000"
        api_base = "http://127.0.0.1:9"
        repository = "\(repo)"
        webhook_secret = "\(Self.secret)"

        [[tickets.sources]]
        provider = "linear"
        repo = "ENG"
        token = "lin_api_test_000"
        repository = "\(repo)"
        label = "Sparks"
        webhook_secret = "\(Self.secret)"
        """
    }

    static let gitlabIssue = Data(#"""
        {"object_kind":"issue","event_type":"issue","user":{"id":1,"name":"Ada","username":"ada"},
         "project":{"id":15,"name":"app","path_with_namespace":"acme/app","web_url":"https://gitlab.example.com/acme/app"},
         "object_attributes":{"id":301,"iid":23,"title":"Speed up the importer","description":"It takes 40 s for 1k rows.",
           "state":"opened","action":"open","url":"https://gitlab.example.com/acme/app/-/issues/23"},
         "labels":[{"id":206,"title":"sparks","color":"#dc143c"},{"id":207,"title":"priority::high"}]}
        """#.utf8)

    static let jiraIssue = Data(#"""
        {"timestamp":1764230400000,"webhookEvent":"jira:issue_created","issue_event_type_name":"issue_created",
         "issue":{"id":"10001","key":"OPS-12","self":"https://acme.atlassian.net/rest/api/3/issue/10001",
          "fields":{"summary":"Rotate the staging certificates","labels":["sparks"],"priority":{"name":"Highest"},
           "status":{"name":"To Do","statusCategory":{"key":"new"}},"project":{"key":"OPS"},"reporter":{"displayName":"Grace"},
           "description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"They expire Friday."}]}]}}}}
        """#.utf8)

    static func linearIssue(timestamp: Double) -> Data {
        Data(#"""
            {"action":"create","type":"Issue","createdAt":"2026-11-27T09:00:00.000Z","webhookTimestamp":\#(Int(timestamp)),
             "url":"https://linear.app/acme/issue/ENG-7/add-retries","data":{"id":"2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9",
              "identifier":"ENG-7","number":7,"title":"Add retries to the sync job","description":"It fails on a 502.","priority":2,
              "url":"https://linear.app/acme/issue/ENG-7/add-retries","team":{"id":"t1","key":"ENG","name":"Engineering"},
              "state":{"id":"s1","name":"Todo","type":"unstarted"},"labels":[{"id":"l1","name":"Sparks","color":"#fff"}],
              "creator":{"id":"u1","name":"Linus"}}}
            """#.utf8)
    }

    @Test func eachTrackersSignedDeliveryBecomesOneTask() async throws {
        let repo = try TemporaryDirectory.gitRepository(prefix: "tracker-hook-repo")
        try await ServerHarness.with(config: config(repo.path)) { harness in
            func post(_ path: String, _ body: Data, _ headers: [(String, String)]) async throws -> (Int, JSONValue?) {
                let response = try await harness.send("POST", path, body: body, headers: headers + [("Content-Type", "application/json")])
                return (response.status, JSONValue.parse(response.body))
            }
            // GitLab: the secret token header, compared as is.
            #expect(try await post("/hooks/gitlab", Self.gitlabIssue, [("X-Gitlab-Token", "wrong")]).0 == 401)
            #expect(try await post("/hooks/gitlab", Self.gitlabIssue, []).0 == 401)
            let gitlab = try await post("/hooks/gitlab", Self.gitlabIssue, [("X-Gitlab-Token", Self.secret), ("X-Gitlab-Event-UUID", "g-1")])
            #expect(gitlab.0 == 202, "\(String(describing: gitlab.1))")
            let gitlabID = try #require(gitlab.1?["task_id"]?.stringValue)
            let gitlabTask = try #require(try harness.store.task(idPrefix: gitlabID))
            #expect(gitlabTask.goal == "Address ticket: Speed up the importer")
            #expect(gitlabTask.risk == "high")
            #expect(gitlabTask.lane == "ticket_intake")
            #expect(gitlabTask.context?.contains("It takes 40 s for 1k rows.") == true)
            // The same delivery id is a replay; a new id for the same ticket is a duplicate.
            #expect(try await post("/hooks/gitlab", Self.gitlabIssue, [("X-Gitlab-Token", Self.secret), ("X-Gitlab-Event-UUID", "g-1")]).0 == 409)
            let again = try await post("/hooks/gitlab", Self.gitlabIssue, [("X-Gitlab-Token", Self.secret), ("X-Gitlab-Event-UUID", "g-2")])
            #expect(again.1?["status"] == "duplicate")

            // Jira: X-Hub-Signature, sha256= HMAC of the body.
            #expect(try await post("/hooks/jira", Self.jiraIssue, [("X-Hub-Signature", "sha256=" + Self.hmacHex(Self.jiraIssue, "nope"))]).0 == 401)
            let jira = try await post("/hooks/jira", Self.jiraIssue, [("X-Hub-Signature", "sha256=" + Self.hmacHex(Self.jiraIssue))])
            #expect(jira.0 == 202, "\(String(describing: jira.1))")
            let jiraID = try #require(jira.1?["task_id"]?.stringValue)
            let jiraTask = try #require(try harness.store.task(idPrefix: jiraID))
            #expect(jiraTask.goal == "Address ticket: Rotate the staging certificates")
            #expect(jiraTask.risk == "critical")
            #expect(jiraTask.context?.contains("They expire Friday.") == true)
            #expect(jiraTask.context?.contains("https://acme.atlassian.net/browse/OPS-12") == true)

            // Linear: Linear-Signature (bare hex HMAC), and a fresh webhookTimestamp.
            let stale = Self.linearIssue(timestamp: (Date().timeIntervalSince1970 - 3600) * 1000)
            #expect(try await post("/hooks/linear", stale, [("Linear-Signature", Self.hmacHex(stale))]).0 == 401)
            let fresh = Self.linearIssue(timestamp: Date().timeIntervalSince1970 * 1000)
            #expect(try await post("/hooks/linear", fresh, [("Linear-Signature", "00" + Self.hmacHex(fresh).dropFirst(2))]).0 == 401)
            let linear = try await post("/hooks/linear", fresh, [("Linear-Signature", Self.hmacHex(fresh)), ("Linear-Delivery", "l-1")])
            #expect(linear.0 == 202, "\(String(describing: linear.1))")
            let linearID = try #require(linear.1?["task_id"]?.stringValue)
            let linearTask = try #require(try harness.store.task(idPrefix: linearID))
            #expect(linearTask.goal == "Address ticket: Add retries to the sync job")
            #expect(linearTask.risk == "high")

            // Not an issue event, or no intake label: nothing queued.
            let note = Data(#"{"object_kind":"note","project":{"path_with_namespace":"acme/app"}}"#.utf8)
            #expect(try await post("/hooks/gitlab", note, [("X-Gitlab-Token", Self.secret)]).1?["status"] == "ignored")
            let unlabelled = Data(String(decoding: Self.jiraIssue, as: UTF8.self)
                .replacingOccurrences(of: #""labels":["sparks"]"#, with: #""labels":[]"#).replacingOccurrences(of: "OPS-12", with: "OPS-13").utf8)
            let ignored = try await post("/hooks/jira", unlabelled, [("X-Hub-Signature", "sha256=" + Self.hmacHex(unlabelled))])
            #expect(ignored.1?["status"] == "ignored")
            #expect(try harness.store.taskCounts()[.queued] == 3)
            #expect(try harness.store.ticketIntake().count == 3)
        }
    }

    @Test func aTrackerWithoutAWebhookSecretIsNotListening() async throws {
        let repo = try TemporaryDirectory.gitRepository(prefix: "tracker-hook-off")
        let toml = """
            [[tickets.sources]]
            provider = "gitlab"
            repo = "acme/app"
            token = "glpat-test-token-000"
            repository = "\(repo.path)"
            """
        try await ServerHarness.with(config: toml) { harness in
            // Unlike the original, an unconfigured secret does not mean "accept anything".
            let response = try await harness.send("POST", "/hooks/gitlab", body: Self.gitlabIssue, headers: [("Content-Type", "application/json")])
            #expect(response.status == 404)
            #expect(try harness.store.taskCounts().values.reduce(0, +) == 0)
        }
    }
}
