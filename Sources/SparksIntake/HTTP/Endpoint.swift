import Foundation

/// Builds tracker URLs from a validated base and percent-encoded pieces.
enum Endpoint {
    /// RFC 3986 unreserved characters: everything else in a path segment or query value is
    /// percent-encoded, so `/`, `&`, `=`, spaces and `!` in names and JQL cannot change the URL.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// The base URL without a trailing slash, or an error naming what is wrong with it.
    static func validatedBase(_ base: String, provider: TicketProvider) throws(IntakeError) -> String {
        var trimmed = base.trimmingCharacters(in: .whitespacesAndNewlines)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw IntakeError(
                .ticketConfig, "the \(provider.displayName) API base URL \"\(base)\" is not an http(s) URL without query",
                hint: "set it like \(provider.exampleBase)")
        }
        return trimmed
    }

    /// `base` + `path` + the encoded query. `path` must already be encoded (see `encode`).
    static func url(_ base: String, _ path: String, query: [(String, String)] = []) -> URL {
        var text = base + path
        if !query.isEmpty {
            text += "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        }
        // Cannot fail: `base` parsed as a URL in `validatedBase` (no query or fragment) and all
        // that is appended is unreserved characters, `%XX`, `/`, `?`, `&` and `=`.
        return URL(string: text)!
    }

    /// Deterministic JSON for request bodies: sorted keys and unescaped slashes, so bodies can be
    /// compared byte for byte.
    static func json<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our bodies are strings, numbers and nested structs of them, which always encode.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
