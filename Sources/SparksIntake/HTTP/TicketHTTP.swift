import Foundation

/// Sends a tracker request and turns failures into `IntakeError`s with every secret redacted.
struct TicketHTTP: Sendable {
    var provider: TicketProvider
    /// The token and anything derived from it (a Basic credential) that must never be shown.
    var secrets: [String]

    /// The body of a 2xx response.
    func send(_ request: HTTPRequest, via transport: any HTTPTransport) async throws(IntakeError) -> Data {
        let response: HTTPResponse
        let target = "\(request.method.rawValue) \(request.url.host ?? "")\(request.url.path(percentEncoded: true))"
        do {
            response = try await transport.send(request)
        } catch {
            throw IntakeError(
                .ticketHTTP, "cannot reach \(provider.displayName) (\(target))",
                hint: "check the network and the API base URL", cause: String(describing: error)
            ).redacting(secrets)
        }
        if (200..<300).contains(response.status) { return response.body }
        let snippet = String(decoding: response.body.prefix(500), as: UTF8.self)
        let lowered = snippet.lowercased()
        let rateLimited = response.status == 429 || lowered.contains("rate limit")
        let authFailed =
            !rateLimited
            && (response.status == 401 || response.status == 403 || lowered.contains("authentication_error"))
        if authFailed {
            throw IntakeError(
                .ticketAuth, "\(provider.displayName) refused the credentials (HTTP \(response.status) for \(target))",
                hint: provider.authHint, cause: snippet
            ).redacting(secrets)
        }
        throw IntakeError(
            .ticketHTTP, "\(provider.displayName) answered HTTP \(response.status) for \(target)",
            hint: rateLimited ? "the API rate limit was hit; poll less often or wait" : "check the project settings and retry",
            cause: snippet
        ).redacting(secrets)
    }

    /// Decodes a response body, reporting a shape mismatch as `ticket_parse`.
    func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws(IntakeError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw IntakeError(
                .ticketParse, "\(provider.displayName) sent \(what) in an unexpected shape: \(Self.describe(error))",
                hint: "check that the API base URL points at the \(provider.displayName) API"
            ).redacting(secrets)
        }
    }

    /// Where decoding failed, without the payload itself.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : keys
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(key.stringValue) missing at \(path(context))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context))"
        case .valueNotFound(_, let context): return "null at \(path(context))"
        case .dataCorrupted(let context): return "not JSON (\(path(context)))"
        @unknown default: return "unexpected shape"
        }
    }
}
