import Foundation

/// Why a proactive setting (quiet hours, time zone) was refused.
public struct ProactiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes: scripts and event payloads carry them.
    public enum Code: String, Sendable, Hashable {
        case quietHoursInvalid = "quiet_hours_invalid"
        case timeZoneUnknown = "time_zone_unknown"
    }

    public let code: Code
    /// The text as given.
    public let input: String
    /// What was wrong and what to do about it.
    public let message: String

    public init(_ code: Code, input: String, message: String) {
        self.code = code
        self.input = input
        self.message = message
    }

    public var description: String { message }
}

/// Resolves IANA time-zone names, the one place that decides what counts as a valid zone.
public enum ProactiveTimeZone {
    /// The zone named `identifier` (e.g. `Europe/Berlin`, `UTC`).
    ///
    /// - Throws: `ProactiveError` with code `time_zone_unknown` when Foundation does not know the
    ///   name (names are case-sensitive: `utc` is refused, `UTC` is accepted).
    public static func resolve(_ identifier: String) throws(ProactiveError) -> TimeZone {
        let name = identifier.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, let zone = TimeZone(identifier: name) else {
            throw ProactiveError(
                .timeZoneUnknown, input: identifier,
                message: "Unknown time zone '\(identifier)'. Use an IANA name such as Europe/Berlin or UTC.")
        }
        return zone
    }
}
