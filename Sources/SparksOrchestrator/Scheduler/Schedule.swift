import Foundation

/// When a job runs: on a cron expression in a time zone, every so often, or once.
public enum Schedule: Sendable, Hashable {
    /// Whenever the expression matches the wall clock of `timeZone`.
    case cron(CronExpression, timeZone: TimeZone)
    /// Repeatedly, each run `seconds · U(1 − jitter, 1 + jitter)` after the previous one, so jobs
    /// started together drift apart. `seconds` ≥ 1 and `0 ≤ jitter < 1`; the `parse` functions
    /// enforce this, and ``nextRun(after:using:)`` clamps values that break it.
    case every(seconds: Int, jitter: Double)
    /// Once, at this instant.
    case at(Date)

    /// The time zone used when none is given.
    public static let defaultTimeZone = TimeZone(identifier: "UTC") ?? .gmt

    /// The next time to run strictly after `date`, or nil when the schedule is over (a one-shot
    /// that has passed, a cron expression that no longer matches). `rng` is used for jitter only.
    public func nextRun(after date: Date, using rng: inout some RandomNumberGenerator) -> Date? {
        switch self {
        case .cron(let expression, let timeZone):
            return expression.next(after: date, in: timeZone)
        case .every(let seconds, let jitter):
            let interval = TimeInterval(max(seconds, 1))
            let spread = jitter.isFinite ? min(max(jitter, 0), 0.99) : 0
            let factor = spread > 0 ? Double.random(in: (1 - spread)...(1 + spread), using: &rng) : 1
            return date.addingTimeInterval(interval * factor)
        case .at(let instant):
            return instant > date ? instant : nil
        }
    }

    /// The next run after `date` with the system's random numbers for jitter.
    public func nextRun(after date: Date) -> Date? {
        var rng = SystemRandomNumberGenerator()
        return nextRun(after: date, using: &rng)
    }
}

extension Schedule {
    /// A cron schedule from command-line input. `timeZone` is an IANA name such as
    /// `Europe/Berlin`; nil or empty means UTC.
    public static func parse(cron: String, timeZone: String?) throws(ScheduleError) -> Schedule {
        let zone = try Self.timeZone(named: timeZone)
        do {
            return .cron(try CronExpression(cron), timeZone: zone)
        } catch {
            throw ScheduleError(.cronInvalid, error.message, cause: error)
        }
    }

    /// An interval schedule from `300` (seconds) or a duration like `5m`, `1h30m`, `1d`, with
    /// `jitter` as a fraction of the interval (0.1 = ±10 %).
    public static func parse(every: String, jitter: Double = 0) throws(ScheduleError) -> Schedule {
        let seconds: Int
        do {
            seconds = try DurationParser.seconds(every)
        } catch {
            throw ScheduleError(.durationInvalid, error.message, cause: error)
        }
        guard seconds >= 1 else {
            throw ScheduleError(.intervalInvalid, "the interval must be at least 1 second, got \"\(every)\"")
        }
        guard jitter.isFinite, jitter >= 0, jitter < 1 else {
            throw ScheduleError(.jitterInvalid, "jitter must be at least 0 and below 1 (0.1 means ±10 %), got \(jitter)")
        }
        return .every(seconds: seconds, jitter: jitter)
    }

    /// A one-shot schedule from an RFC 3339 time (`2026-12-01T09:00:00Z`, `…T10:00:00.5+01:00`)
    /// or a delay from `now` (`2h30m`, `90s`). The time must lie after `now`.
    public static func parse(at text: String, now: Date) throws(ScheduleError) -> Schedule {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let instant: Date
        if let date = RFC3339.parse(trimmed) {
            instant = date
        } else if trimmed.contains(where: { $0 == "-" || $0 == ":" }) {
            throw ScheduleError(
                .timeInvalid,
                "\"\(text)\" is not an RFC 3339 time; write e.g. 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00 "
                    + "(a date, T, a time and a UTC offset)")
        } else if let seconds = try? DurationParser.seconds(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed) {
            instant = now.addingTimeInterval(TimeInterval(seconds))
        } else {
            throw ScheduleError(
                .timeInvalid, "\"\(text)\" is not a time; use RFC 3339 like 2026-12-01T09:00:00Z or a delay like 2h30m")
        }
        guard instant > now else {
            throw ScheduleError(
                .timeInPast, "\(RFC3339.format(instant)) is not in the future (now is \(RFC3339.format(now))); pick a later time")
        }
        return .at(instant)
    }

    /// Looks up an IANA time zone name (`Europe/Berlin`; case is forgiven); nil or empty is UTC.
    public static func timeZone(named name: String?) throws(ScheduleError) -> TimeZone {
        let trimmed = name?.trimmingCharacters(in: .whitespaces) ?? ""
        if trimmed.isEmpty || trimmed.uppercased() == "UTC" || trimmed == "Z" { return defaultTimeZone }
        if let zone = TimeZone(identifier: trimmed) { return zone }
        if let known = TimeZone.knownTimeZoneIdentifiers.first(where: { $0.caseInsensitiveCompare(trimmed) == .orderedSame }),
           let zone = TimeZone(identifier: known) {
            return zone
        }
        throw ScheduleError(.timeZoneUnknown, "unknown time zone \"\(trimmed)\"; use an IANA name like Europe/Berlin or UTC")
    }
}

extension Schedule: CustomStringConvertible {
    /// For people: `cron "0 9 * * MON-FRI" (Europe/Berlin)`, `every 5m ±10%`, `at 2026-12-01T09:00:00Z`.
    public var description: String {
        switch self {
        case .cron(let expression, let timeZone):
            return "cron \"\(expression)\" (\(timeZone.identifier))"
        case .every(let seconds, let jitter):
            let percent = jitter * 100
            let shown = percent == percent.rounded() ? String(Int(percent)) : String(format: "%.1f", percent)
            let spread = jitter > 0 ? " ±\(shown)%" : ""
            return "every \(DurationParser.format(seconds))\(spread)"
        case .at(let instant):
            return "at \(RFC3339.format(instant))"
        }
    }
}
