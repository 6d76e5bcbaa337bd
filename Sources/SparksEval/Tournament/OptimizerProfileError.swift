/// Why an optimizer profile could not be read or written.
public struct OptimizerProfileError: Error, Sendable, CustomStringConvertible {
    /// Stable codes: scripts and event payloads carry them.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case unreadable = "optimizer_profile_unreadable"
        case invalid = "optimizer_profile_invalid"
        case unsupportedVersion = "optimizer_profile_unsupported_version"
        case writeFailed = "optimizer_profile_write_failed"
    }

    public var code: Code
    /// What was wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The underlying error, for logs.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, hint: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    public var description: String {
        hint.map { "\(message) (\($0))" } ?? message
    }
}
