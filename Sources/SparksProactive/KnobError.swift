import Foundation

/// Why `RuntimeKnobs.set` refused a change (`sparks knobs set`, `/knobs`).
public struct KnobError: Error, Sendable, CustomStringConvertible {
    /// Stable codes: scripts and event payloads carry them.
    public enum Code: String, Sendable, Hashable {
        /// No knob has that name; `suggestion` holds the closest one.
        case unknown = "knob_unknown"
        /// The knob exists but the value is not one it accepts.
        case invalid = "knob_invalid"
    }

    public let code: Code
    /// The knob as given.
    public let key: String
    /// What was wrong and what to do about it.
    public let message: String
    /// For `knob_unknown`: the known knob whose name is closest to `key`.
    public let suggestion: String?
    /// The underlying failure, e.g. the regex compiler's error for a bad pattern.
    public let cause: (any Error & Sendable)?

    public init(
        _ code: Code, key: String, message: String, suggestion: String? = nil,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.key = key
        self.message = message
        self.suggestion = suggestion
        self.cause = cause
    }

    public var description: String { message }
}

/// One accepted knob change, for confirmations ("heartbeat: off → on") and audit events.
public struct KnobChange: Sendable, Hashable, Codable {
    public let key: String
    /// The value before, as `describe()` renders it.
    public let old: String
    /// The value after, as `describe()` renders it.
    public let new: String

    public init(key: String, old: String, new: String) {
        self.key = key
        self.old = old
        self.new = new
    }
}
