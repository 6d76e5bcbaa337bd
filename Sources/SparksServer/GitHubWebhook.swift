import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksStore

/// `POST /hooks/github`: GitHub webhook deliveries signed with the configured secret
/// (`X-Hub-Signature-256`, HMAC-SHA256, checked in constant time) become tasks by the
/// `[[webhooks]]` rules. Unsigned or wrongly signed requests get 401 and create nothing; a
/// delivery id seen before gets 409; bodies over the limit get 413.
///
/// Issue events for a repository in `[[tickets.sources]]` (provider github) go to ticket intake
/// instead: labelled tickets become tasks once, and their results are written back.
public struct GitHubWebhook: Sendable {
    public let orchestrator: Orchestrator
    /// `[webhook] github_secret` and the `webhook_secret` of each GitHub ticket source.
    let secrets: [Secret]
    let settings: WebhookSettings
    let tickets: TicketIntake?

    public init?(orchestrator: Orchestrator, tickets: TicketIntake? = nil) {
        let sourceSecrets = tickets == nil ? [] : orchestrator.config.tickets.sources.filter { $0.provider == "github" }.compactMap(\.webhookSecret)
        let secrets = [orchestrator.config.webhook.githubSecret].compactMap { $0 } + sourceSecrets
        guard !secrets.isEmpty else { return nil }
        self.orchestrator = orchestrator
        self.secrets = secrets
        self.settings = orchestrator.config.webhook
        self.tickets = tickets
    }

    func register(on router: Hummingbird.Router<BasicRequestContext>) {
        router.post("/hooks/github") { request, _ in
            await handle(request)
        }
    }

    static func answer(_ status: HTTPResponse.Status, _ fields: [String: JSONValue]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(fields).canonicalText)))
    }

    func handle(_ request: Request) async -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > settings.maxBodyBytes {
            return Self.answer(.contentTooLarge, ["error": .string("the body is larger than \(settings.maxBodyBytes) bytes")])
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: settings.maxBodyBytes) } catch {
            return Self.answer(.contentTooLarge, ["error": .string("the body is larger than \(settings.maxBodyBytes) bytes")])
        }
        let bytes = Data(buffer: body)
        guard let signature = request.headers[HTTPField.Name("X-Hub-Signature-256")!],
              secrets.contains(where: { Self.verify(signature, body: bytes, secret: $0) }) else {
            orchestrator.store.emit(.sandboxViolation, "a GitHub webhook with a missing or wrong signature was refused",
                                    details: .object(["source": .string("github")]))
            return Self.answer(.unauthorized, ["error": .string("missing or invalid X-Hub-Signature-256")])
        }
        let event = request.headers[HTTPField.Name("X-GitHub-Event")!] ?? ""
        guard let delivery = request.headers[HTTPField.Name("X-GitHub-Delivery")!], !delivery.isEmpty, delivery.count <= 100 else {
            return Self.answer(.badRequest, ["error": .string("missing X-GitHub-Delivery")])
        }
        if event == "ping" { return Self.answer(.ok, ["status": .string("pong")]) }
        do {
            guard try orchestrator.store.recordDelivery(source: "github", id: delivery) else {
                return Self.answer(.conflict, ["status": .string("duplicate"), "error": .string("delivery \(delivery) was received before")])
            }
        } catch {
            return Self.answer(.internalServerError, ["error": .string("the delivery could not be recorded")])
        }
        guard let payload = JSONValue.parse(String(decoding: bytes, as: UTF8.self)), case .object = payload else {
            return Self.answer(.badRequest, ["error": .string("the body is not a JSON object")])
        }
        if event == "issues", let tickets, let response = TicketWebhook.admit(provider: .github, body: bytes, intake: tickets) {
            return response
        }
        guard let match = Self.match(event: event, payload: payload, rules: settings.rules) else {
            return Self.answer(.ok, ["status": .string("ignored"), "reason": .string("no [[webhooks]] rule matches \(event).\(payload["action"]?.stringValue ?? "")")])
        }
        guard let repository = match.rule.repository ?? settings.repository else {
            return Self.answer(.unprocessableContent, ["error": .string("no repository to work in: set `repository` in the rule or [webhook] repository")])
        }
        var dispatch = Orchestrator.DispatchRequest(goal: match.goal, spark: match.spark, repository: repository, context: match.context,
                                                    lane: match.rule.lane, risk: match.rule.risk, source: "webhook",
                                                    verify: match.rule.verify, author: match.author)
        dispatch.repoLabel = match.repo.isEmpty ? nil : match.repo
        do {
            let submission = try orchestrator.submit(dispatch)
            try? orchestrator.store.linkDelivery(source: "github", id: delivery, taskID: submission.task.id)
            if let blocked = submission.outcome {
                return Self.answer(.ok, ["status": .string("blocked"), "task_id": .string(blocked.taskID.uuidString.lowercased()),
                                         "reason": .string(blocked.reason?.rawValue ?? "blocked")])
            }
            return Self.answer(.accepted, ["status": .string("queued"), "task_id": .string(submission.task.id.uuidString.lowercased()),
                                           "spark": .string(submission.task.spark), "rule": .string(match.rule.source)])
        } catch {
            return Self.answer(error.code == .invalidInput || error.code == .repoNotFound ? .unprocessableContent : .internalServerError,
                               ["error": .string(error.code == .invalidInput || error.code == .repoNotFound ? error.message : "the task could not be queued")])
        }
    }

    /// `sha256=<hex>` against HMAC-SHA256 of the body, compared in constant time.
    static func verify(_ header: String, body: Data, secret: Secret) -> Bool {
        guard header.hasPrefix("sha256="), let mac = Data(hexString: String(header.dropFirst(7))) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(secret.reveal().utf8)))
    }

    struct Match {
        var rule: WebhookRule
        var goal: String
        var context: String
        var spark: String?
        var author: String?
        var repo: String
    }

    /// The first rule that fits the delivery, and the task it describes.
    static func match(event: String, payload: JSONValue, rules: [WebhookRule]) -> Match? {
        let action = payload["action"]?.stringValue ?? ""
        let repo = payload["repository"]?["full_name"]?.stringValue ?? ""
        let item = payload["issue"] ?? payload["pull_request"]
        let number = item?["number"]?.doubleValue.map { Int($0) } ?? 0
        let title = item?["title"]?.stringValue ?? ""
        let url = item?["html_url"]?.stringValue ?? ""
        let labels = (item?["labels"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let author = payload["sender"]?["login"]?.stringValue
        let labelSpark = labels.first { $0.hasPrefix("sparks:") }.map { String($0.dropFirst("sparks:".count)) }
        for rule in rules where rule.event == "\(event).\(action)" {
            if let wanted = rule.repo, wanted.caseInsensitiveCompare(repo) != .orderedSame { continue }
            let context = "GitHub \(repo)#\(number): \(title)\n\(url)"
            switch event {
            case "issues", "pull_request":
                if action == "labeled", let wanted = rule.label, payload["label"]?["name"]?.stringValue != wanted { continue }
                let body = item?["body"]?.stringValue ?? ""
                let goal = String((title + (body.isEmpty ? "" : "\n\n" + body)).prefix(8000))
                return Match(rule: rule, goal: goal, context: context, spark: rule.spark ?? labelSpark, author: author, repo: repo)
            case "issue_comment", "pull_request_review_comment":
                let text = (payload["comment"]?["body"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard let command = rule.command, text.hasPrefix(command) else { continue }
                let goal = text.dropFirst(command.count).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !goal.isEmpty else { continue }
                return Match(rule: rule, goal: String(goal.prefix(8000)), context: context, spark: rule.spark ?? labelSpark,
                             author: payload["comment"]?["user"]?["login"]?.stringValue ?? author, repo: repo)
            default:
                continue
            }
        }
        return nil
    }
}

extension Data {
    /// Bytes from hexadecimal text; nil when it is not an even number of hex digits.
    init?(hexString: String) {
        let characters = Array(hexString.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var index = 0
        while index < characters.count {
            guard let high = value(characters[index]), let low = value(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
