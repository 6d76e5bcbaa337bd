import Foundation

/// A cron expression that cannot be parsed. The message names the field, the offending token and
/// what is allowed, e.g. `minute field: 75 is out of range 0-59`.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, machine-readable code.
    public var code: String { "cron_invalid" }
    /// The field at fault (`second`, `minute`, `hour`, `day-of-month`, `month`, `day-of-week`,
    /// `year`), or nil when the expression as a whole is wrong (field count, unknown macro).
    public let field: String?
    /// The text that could not be understood, when there is one.
    public let token: String?
    public let message: String

    public init(field: String?, token: String?, message: String) {
        self.field = field
        self.token = token
        self.message = message
    }

    public var description: String { message }
}

/// A duration such as `5x` that `DurationParser` cannot read.
public struct DurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, machine-readable code.
    public var code: String { "duration_invalid" }
    /// The text as given.
    public let input: String
    public let message: String

    public init(input: String, message: String) {
        self.input = input
        self.message = message
    }

    public var description: String { message }
}

/// Why a schedule given on the command line or read back from the store was refused.
public struct ScheduleError: Error, Sendable, CustomStringConvertible {
    /// Stable codes: scripts and event payloads carry them.
    public enum Code: String, Sendable, Hashable {
        case cronInvalid = "cron_invalid"
        case durationInvalid = "duration_invalid"
        case timeZoneUnknown = "time_zone_unknown"
        case jitterInvalid = "jitter_invalid"
        case intervalInvalid = "interval_invalid"
        case timeInvalid = "time_invalid"
        case timeInPast = "time_in_past"
        case storedFormInvalid = "stored_schedule_invalid"
    }

    public var code: Code
    /// What was wrong and what to do about it.
    public var message: String
    /// The underlying `CronError` or `DurationError`, when there is one.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
