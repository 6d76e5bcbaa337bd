import Foundation

/// Why talking to a ticket tracker or to `gh` failed. The message says what went wrong, the hint
/// what to do about it; neither ever contains a token (see `SecretRedactor`).
public struct IntakeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes: scripts, event payloads and ticket comments carry them.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The tracker refused the credentials (HTTP 401/403, GraphQL authentication error) or none
        /// were configured.
        case ticketAuth = "ticket_auth"
        /// The request could not be sent or the tracker answered with an error status.
        case ticketHTTP = "ticket_http"
        /// The tracker answered, but not with the JSON shape we expect.
        case ticketParse = "ticket_parse"
        /// The intake settings themselves are unusable (API base URL, repository name).
        case ticketConfig = "ticket_config"
        /// A `gh` or `git` command failed.
        case ciCommand = "ci_command"
    }

    public var code: Code
    /// What was wrong, already redacted.
    public var message: String
    /// What to do about it, already redacted.
    public var hint: String
    /// The underlying error's description, redacted. Kept as text rather than the error itself so
    /// a transport error that echoes a header cannot carry a token out.
    public var cause: String?

    public init(_ code: Code, _ message: String, hint: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    /// The same error with every secret in `secrets` replaced in message, hint and cause.
    public func redacting(_ secrets: [String]) -> IntakeError {
        let redactor = SecretRedactor(secrets: secrets)
        return IntakeError(
            code, redactor.redact(message), hint: redactor.redact(hint), cause: cause.map(redactor.redact))
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let cause { text += " (\(cause))" }
        if !hint.isEmpty { text += " — \(hint)" }
        return text
    }
}
