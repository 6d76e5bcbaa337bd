import Foundation
import SparksCore

/// Tickets from tracker webhook deliveries. Each tracker sends its own shape; this reads the
/// issue events that can make work (an issue opened, labelled, edited or reopened while open) and
/// ignores the rest (comments, closings, other object kinds), returning nil for them.
public enum TicketWebhookPayload {
    /// The ticket a delivery describes, or nil when the delivery is not an open-issue event.
    ///
    /// - Throws: `IntakeError` (`ticket_parse`) when the body is not a JSON object or an issue
    ///   event lacks the fields every ticket needs (id and title).
    public static func ticket(provider: TicketProvider, body: Data) throws(IntakeError) -> Ticket? {
        guard let payload = JSONValue.parse(String(decoding: body, as: UTF8.self)), payload.objectValue != nil else {
            throw IntakeError(.ticketParse, "the \(provider.displayName) webhook body is not a JSON object",
                              hint: "configure the webhook to send application/json")
        }
        switch provider {
        case .github: return try github(payload)
        case .gitlab: return try gitlab(payload)
        case .jira: return try jira(payload)
        case .linear: return try linear(payload)
        }
    }

    static func required(_ value: String?, _ field: String, _ provider: TicketProvider) throws(IntakeError) -> String {
        guard let value, !value.isEmpty else {
            throw IntakeError(.ticketParse, "the \(provider.displayName) issue event has no \(field)",
                              hint: "check that the webhook sends issue events in the tracker's JSON format")
        }
        return value
    }

    /// `issues` events (`opened`, `labeled`, `edited`, `reopened`) on open issues.
    static func github(_ payload: JSONValue) throws(IntakeError) -> Ticket? {
        let action = payload["action"]?.stringValue ?? ""
        guard let issue = payload["issue"], issue["pull_request"] == nil,
              ["opened", "labeled", "edited", "reopened"].contains(action), issue["state"]?.stringValue == "open"
        else { return nil }
        let number = try required(issue["number"]?.intValue.map(String.init), "number", .github)
        return Ticket(
            provider: .github, repo: try required(payload["repository"]?["full_name"]?.stringValue, "repository.full_name", .github),
            id: number, number: Int(number), nodeID: issue["id"]?.intValue.map(String.init),
            title: try required(issue["title"]?.stringValue, "title", .github), body: issue["body"]?.stringValue ?? "",
            url: issue["html_url"]?.stringValue ?? "", author: issue["user"]?["login"]?.stringValue ?? "",
            labels: (issue["labels"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }, state: "open")
    }

    /// Issue hooks (`object_kind: issue`, actions `open`, `update`, `reopen`) on opened issues.
    static func gitlab(_ payload: JSONValue) throws(IntakeError) -> Ticket? {
        guard payload["object_kind"]?.stringValue == "issue", let attributes = payload["object_attributes"],
              ["open", "update", "reopen"].contains(attributes["action"]?.stringValue ?? ""),
              attributes["state"]?.stringValue == "opened"
        else { return nil }
        let iid = try required(attributes["iid"]?.intValue.map(String.init), "object_attributes.iid", .gitlab)
        let labels = (payload["labels"]?.arrayValue ?? attributes["labels"]?.arrayValue ?? []).compactMap { $0["title"]?.stringValue }
        return Ticket(
            provider: .gitlab,
            repo: try required(payload["project"]?["path_with_namespace"]?.stringValue, "project.path_with_namespace", .gitlab),
            id: iid, number: Int(iid), nodeID: attributes["id"]?.intValue.map(String.init),
            title: try required(attributes["title"]?.stringValue, "title", .gitlab),
            body: attributes["description"]?.stringValue ?? "", url: attributes["url"]?.stringValue ?? "",
            author: payload["user"]?["username"]?.stringValue ?? "", labels: labels, state: "opened")
    }

    /// `jira:issue_created` and `jira:issue_updated` for issues not in a done status.
    static func jira(_ payload: JSONValue) throws(IntakeError) -> Ticket? {
        guard ["jira:issue_created", "jira:issue_updated"].contains(payload["webhookEvent"]?.stringValue ?? ""),
              let issue = payload["issue"], let fields = issue["fields"]
        else { return nil }
        if fields["status"]?["statusCategory"]?["key"]?.stringValue == "done" { return nil }
        let key = try required(issue["key"]?.stringValue, "issue.key", .jira)
        let description: String
        switch fields["description"] {
        case .string(let text)?: description = text
        case let node? where node.objectValue != nil:
            let data = Data(node.canonicalText.utf8)
            description = (try? JSONDecoder().decode(AtlassianDocument.Node.self, from: data)).map(AtlassianDocument.plainText) ?? ""
        default: description = ""
        }
        // `self` is the REST URL (https://site/rest/api/3/issue/10001); people want /browse/KEY.
        var url = ""
        if let link = issue["self"]?.stringValue, let range = link.range(of: "/rest/api/") {
            url = String(link[..<range.lowerBound]) + "/browse/" + key
        }
        let project = fields["project"]?["key"]?.stringValue ?? String(key.prefix { $0 != "-" })
        return Ticket(
            provider: .jira, repo: project, id: key, number: Int(key.split(separator: "-").last ?? ""),
            nodeID: issue["id"]?.stringValue, title: try required(fields["summary"]?.stringValue, "fields.summary", .jira),
            body: description, url: url, author: fields["reporter"]?["displayName"]?.stringValue ?? "",
            labels: (fields["labels"]?.arrayValue ?? []).compactMap(\.stringValue), priority: fields["priority"]?["name"]?.stringValue,
            state: fields["status"]?["name"]?.stringValue ?? "")
    }

    /// `Issue` `create` and `update` events for issues not completed or cancelled.
    static func linear(_ payload: JSONValue) throws(IntakeError) -> Ticket? {
        guard payload["type"]?.stringValue == "Issue", ["create", "update"].contains(payload["action"]?.stringValue ?? ""),
              let data = payload["data"]
        else { return nil }
        let stateType = data["state"]?["type"]?.stringValue ?? ""
        if ["completed", "canceled", "cancelled"].contains(stateType) { return nil }
        let identifier = try required(data["identifier"]?.stringValue, "data.identifier", .linear)
        let team = data["team"]?["key"]?.stringValue ?? String(identifier.prefix { $0 != "-" })
        return Ticket(
            provider: .linear, repo: team, id: identifier, number: data["number"]?.intValue, nodeID: data["id"]?.stringValue,
            title: try required(data["title"]?.stringValue, "data.title", .linear), body: data["description"]?.stringValue ?? "",
            url: data["url"]?.stringValue ?? "", author: data["creator"]?["name"]?.stringValue ?? "",
            labels: (data["labels"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue },
            priority: LinearTickets.priorityName(data["priority"]?.intValue), state: data["state"]?["name"]?.stringValue ?? "")
    }
}

/// Checking who sent a tracker webhook, each tracker its own way. All comparisons are constant-time.
public enum TicketWebhookSignature {
    /// GitHub `X-Hub-Signature-256: sha256=<hex>` and Jira `X-Hub-Signature: sha256=<hex>`:
    /// HMAC-SHA256 of the body with the shared secret.
    public static func prefixedHMACMatches(_ header: String?, expected hexDigest: String) -> Bool {
        guard let header, header.lowercased().hasPrefix("sha256=") else { return false }
        return constantTimeEquals(String(header.dropFirst(7)).lowercased(), hexDigest.lowercased())
    }

    /// Linear `Linear-Signature: <hex>`: HMAC-SHA256 of the body, no prefix.
    public static func bareHMACMatches(_ header: String?, expected hexDigest: String) -> Bool {
        guard let header else { return false }
        return constantTimeEquals(header.trimmingCharacters(in: .whitespaces).lowercased(), hexDigest.lowercased())
    }

    /// GitLab `X-Gitlab-Token`: the secret itself.
    public static func tokenMatches(_ header: String?, secret: String) -> Bool {
        guard let header else { return false }
        return constantTimeEquals(header, secret)
    }

    /// Equal strings, compared without an early exit on the first difference.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
