/// Why a task or a tool call ended the way it did. These strings appear in outcomes, events and
/// `[reason:<code>]` markers and are kept stable.
public struct ReasonCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// `[reason:<code>]`, the marker the original writes into tool observations.
    public var marker: String { "[reason:\(rawValue)]" }

    public static let loopGuardTriggered = ReasonCode("loop_guard_triggered")
    public static let stuckRepeatedError = ReasonCode("stuck_repeated_error")
    public static let stuckAlternating = ReasonCode("stuck_alternating")
    public static let stuckNoProgress = ReasonCode("stuck_no_progress")
    public static let stepLimitExceeded = ReasonCode("step_limit_exceeded")
    public static let dispatchTimeout = ReasonCode("dispatch_timeout")
    public static let llmError = ReasonCode("llm_error")
    public static let interrupted = ReasonCode("interrupted")
    public static let cancelled = ReasonCode("cancelled")
    public static let internalError = ReasonCode("internal_error")
    public static let verifyFailed = ReasonCode("verify_failed")
    public static let confirmationRequired = ReasonCode("confirmation_required")
    public static let sandboxFailed = ReasonCode("sandbox_failed")
    public static let injectionBlocked = ReasonCode("injection_blocked")
    public static let staleStarted = ReasonCode("stale_started")
    public static let shutdown = ReasonCode("shutdown")
    public static let autonomyRefused = ReasonCode("autonomy_refused")
    public static let rollbackTriggered = ReasonCode("rollback_triggered")
    public static let criticRejected = ReasonCode("critic_rejected")
    public static let blocked = ReasonCode("blocked")
}
