import Foundation

/// Why an alert rule, an `/alerts`, `/watch` or `/review` command was refused.
public struct ReviewError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes: scripts and event payloads carry them.
    public enum Code: String, Sendable, Hashable {
        /// An alert rule field has a value rules do not accept; `field` names it.
        case alertInvalid = "alert_invalid"
        /// `/alerts …` is not one of the known forms; the message carries the usage.
        case alertUsage = "alert_usage"
        /// `/watch …` has an argument that is not a number of seconds.
        case watchInvalid = "watch_invalid"
        /// `/review …` has an argument that is neither a level nor a number of hours.
        case reviewInvalid = "review_invalid"
    }

    public let code: Code
    /// The offending field (`pattern`, `target`, `severity`, …), when one field is at fault.
    public let field: String?
    /// The text as given.
    public let input: String
    /// What was wrong and what to do about it.
    public let message: String

    public init(_ code: Code, field: String? = nil, input: String, message: String) {
        self.code = code
        self.field = field
        self.input = input
        self.message = message
    }

    public var description: String { message }
}
