import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SparksConfig
import SparksCore
import SparksIntake
import SparksOrchestrator
import SparksStore

/// `POST /hooks/gitlab`, `/hooks/jira`, `/hooks/linear`: tracker webhooks that bring tickets in
/// (GitHub's arrive at `/hooks/github`). Each is checked the tracker's own way against the
/// `webhook_secret` of the `[[tickets.sources]]` it is for — GitLab's `X-Gitlab-Token`, Jira's
/// `X-Hub-Signature: sha256=…`, Linear's `Linear-Signature` (HMAC-SHA256, hex) — and a tracker
/// with no secret configured gets 404: unlike the original, an unsigned delivery is never taken.
/// A redelivered id gets 409; the ticket's dedup key makes a poll and a webhook run it once.
public struct TicketWebhook: Sendable {
    let intake: TicketIntake
    let maxBodyBytes: Int

    public init(intake: TicketIntake) {
        self.intake = intake
        self.maxBodyBytes = intake.orchestrator.config.webhook.maxBodyBytes
    }

    func register(on router: Hummingbird.Router<BasicRequestContext>) {
        for provider in [TicketProvider.gitlab, .jira, .linear] {
            router.post("/hooks/\(provider.rawValue)") { request, _ in
                await handle(request, provider: provider)
            }
        }
    }

    /// The delivery-id header each tracker sends, for replay detection.
    static func deliveryHeader(_ provider: TicketProvider) -> String {
        switch provider {
        case .github: "X-GitHub-Delivery"
        case .gitlab: "X-Gitlab-Event-UUID"
        case .jira: "X-Atlassian-Webhook-Identifier"
        case .linear: "Linear-Delivery"
        }
    }

    func handle(_ request: Request, provider: TicketProvider) async -> Response {
        let store = intake.orchestrator.store
        let candidates = intake.orchestrator.config.tickets.sources.filter { $0.provider == provider.rawValue && $0.webhookSecret != nil }
        guard !candidates.isEmpty else {
            return GitHubWebhook.answer(.notFound, ["error": .string("no [[tickets.sources]] for \(provider.rawValue) has a webhook_secret")])
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBodyBytes) } catch {
            return GitHubWebhook.answer(.contentTooLarge, ["error": .string("the body is larger than \(maxBodyBytes) bytes")])
        }
        let bytes = Data(buffer: body)
        let header = { (name: String) in request.headers[HTTPField.Name(name)!] }
        let signed = candidates.filter { source in
            guard let secret = source.webhookSecret?.reveal() else { return false }
            switch provider {
            case .gitlab: return TicketWebhookSignature.tokenMatches(header("X-Gitlab-Token"), secret: secret)
            case .jira: return TicketWebhookSignature.prefixedHMACMatches(header("X-Hub-Signature"), expected: Self.hmac(bytes, secret))
            case .linear: return TicketWebhookSignature.bareHMACMatches(header("Linear-Signature"), expected: Self.hmac(bytes, secret))
            case .github: return false
            }
        }
        guard !signed.isEmpty else {
            store.emit(.sandboxViolation, "a \(provider.displayName) webhook with a missing or wrong signature was refused",
                       details: .object(["source": .string(provider.rawValue)]))
            return GitHubWebhook.answer(.unauthorized, ["error": .string("missing or invalid webhook signature")])
        }
        if provider == .linear, let sent = JSONValue.parse(String(decoding: bytes, as: UTF8.self))?["webhookTimestamp"]?.doubleValue,
           abs(Date().timeIntervalSince1970 - sent / 1000) > 300 {
            // Linear signs the timestamp too; an old one is a replay.
            return GitHubWebhook.answer(.unauthorized, ["error": .string("the delivery's webhookTimestamp is more than 5 minutes off")])
        }
        if let delivery = header(Self.deliveryHeader(provider)), !delivery.isEmpty, delivery.count <= 100 {
            guard (try? store.recordDelivery(source: provider.rawValue, id: delivery)) != false else {
                return GitHubWebhook.answer(.conflict, ["status": .string("duplicate"), "error": .string("delivery \(delivery) was received before")])
            }
        }
        return Self.admit(provider: provider, body: bytes, intake: intake, among: signed)
            ?? GitHubWebhook.answer(.ok, ["status": .string("ignored"), "reason": .string("no ticket source for this project")])
    }

    /// Admits the ticket a delivery describes; nil when no configured source is for its project.
    static func admit(provider: TicketProvider, body: Data, intake: TicketIntake, among candidates: [TicketSourceSettings]? = nil)
        -> Response?
    {
        let ticket: Ticket?
        do { ticket = try TicketWebhookPayload.ticket(provider: provider, body: body) } catch {
            return GitHubWebhook.answer(.badRequest, ["error": .string(error.message)])
        }
        guard let ticket else {
            return GitHubWebhook.answer(.ok, ["status": .string("ignored"), "reason": .string("not an open-issue event")])
        }
        guard let source = intake.source(for: ticket, among: candidates) else { return nil }
        do {
            switch try intake.admit(ticket, source: source, via: "webhook") {
            case .queued(let id, let spark):
                return GitHubWebhook.answer(.accepted, ["status": .string("queued"), "task_id": .string(id.uuidString.lowercased()),
                                                        "spark": .string(spark), "ticket": .string(TicketMapping.dedupKey(for: ticket))])
            case .duplicate:
                return GitHubWebhook.answer(.ok, ["status": .string("duplicate"), "ticket": .string(TicketMapping.dedupKey(for: ticket))])
            case .blocked(_, let reason):
                return GitHubWebhook.answer(.ok, ["status": .string("blocked"), "reason": .string(reason)])
            case .ignored(let reason):
                return GitHubWebhook.answer(.ok, ["status": .string("ignored"), "reason": .string(reason)])
            }
        } catch {
            return GitHubWebhook.answer(.internalServerError, ["error": .string("the ticket could not be taken in")])
        }
    }

    static func hmac(_ body: Data, _ secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }
}
