import Foundation

/// Why a self-metrics reading could not be taken.
public struct SelfMetricsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes: logs and event payloads carry them.
    public enum Code: String, Sendable, Hashable, Codable {
        /// A `/proc` file could not be read (not Linux, or a restricted mount).
        case procUnreadable = "proc_unreadable"
        /// A `/proc` file was read but did not have the expected shape.
        case procMalformed = "proc_malformed"
    }

    public let code: Code
    /// The file involved.
    public let path: String
    /// What was wrong and what to do about it.
    public let message: String
    /// The underlying error, when there was one (e.g. the file-read failure).
    public let cause: String?

    public init(_ code: Code, path: String, message: String, cause: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause
    }

    public var description: String {
        cause.map { "\(message) (\($0))" } ?? message
    }
}
