/// A stable, machine-readable error code. Codes never change once published: scripts, events and
/// HTTP error bodies carry them.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let configInvalid = ErrorCode("config_invalid")
    public static let configSyntax = ErrorCode("config_syntax")
    public static let configUnknownKey = ErrorCode("config_unknown_key")
    public static let configIO = ErrorCode("config_io")
    public static let invalidInput = ErrorCode("invalid_input")
    public static let repoNotFound = ErrorCode("repo_not_found")
    public static let sparkNotFound = ErrorCode("spark_not_found")
    public static let storeFailed = ErrorCode("store_failed")
    public static let llmUnreachable = ErrorCode("llm_unreachable")
    public static let llmAuth = ErrorCode("llm_auth")
    public static let llmModelNotFound = ErrorCode("llm_model_not_found")
    public static let llmRateLimited = ErrorCode("llm_rate_limited")
    public static let llmServer = ErrorCode("llm_server_error")
    public static let llmTimeout = ErrorCode("llm_timeout")
    public static let llmBadResponse = ErrorCode("llm_bad_response")
    public static let llmRequestRejected = ErrorCode("llm_request_rejected")
    public static let llmToolsUnsupported = ErrorCode("llm_tools_unsupported")
    public static let toolFailed = ErrorCode("tool_failed")
    public static let toolArguments = ErrorCode("tool_arguments")
    public static let pathRefused = ErrorCode("path_refused")
    public static let sandboxUnavailable = ErrorCode("sandbox_unavailable")
    public static let sandboxFailed = ErrorCode("sandbox_failed")
    public static let workspaceFailed = ErrorCode("workspace_failed")
    /// A spark tampered with its clone's `.git` (links, a gitdir file, foreign object stores).
    public static let workspaceTampered = ErrorCode("workspace_tampered")
    public static let urlRefused = ErrorCode("url_refused")
    public static let confirmationRequired = ErrorCode("confirmation_required")
    public static let taskFailed = ErrorCode("task_failed")
    public static let taskTimeout = ErrorCode("dispatch_timeout")
    public static let modelUnavailable = ErrorCode("model_unavailable")
    public static let memoryNotFound = ErrorCode("memory_not_found")
    public static let cancelled = ErrorCode("cancelled")
    /// The prompt scanner blocked the input.
    public static let inputBlocked = ErrorCode("input_blocked")
    /// The autonomy level does not allow the action.
    public static let autonomyRefused = ErrorCode("autonomy_refused")
    /// Another `sparks serve` already runs on this home directory.
    public static let daemonRunning = ErrorCode("daemon_running")
    public static let internalError = ErrorCode("internal")
}

/// The one error type users see. `message` says what was wrong; `hint` says what to do about it;
/// `cause` keeps the underlying error for logs. Never carries secrets.
public struct SparksError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var hint: String?
    public var cause: (any Error & Sendable)?

    public init(_ code: ErrorCode, _ message: String, hint: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    public var description: String {
        var text = message
        if let hint { text += " (\(hint))" }
        return text
    }
}

extension SparksError {
    /// Wraps any error as a `SparksError`, keeping it unchanged when it already is one.
    public static func wrap(_ error: any Error, code: ErrorCode = .internalError, context: String? = nil) -> SparksError {
        if let sparks = error as? SparksError { return sparks }
        if error is CancellationError { return SparksError(.cancelled, "the operation was cancelled") }
        let detail = String(describing: error)
        return SparksError(code, context.map { "\($0): \(detail)" } ?? detail, cause: error)
    }
}
