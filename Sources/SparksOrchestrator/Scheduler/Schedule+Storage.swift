import Foundation

/// The stored form of a schedule: two text columns, `kind` and `data`, readable in `sqlite3`.
///
/// | kind    | data                                  |
/// |---------|---------------------------------------|
/// | `cron`  | `TZ=Europe/Berlin 0 9 * * MON-FRI`    |
/// | `every` | `300 jitter=0.1`                      |
/// | `at`    | `2026-12-01T09:00:00.25Z` (UTC)       |
///
/// `Schedule(kind:data:)` gives back a schedule equal to the one stored, to the bit for `at`
/// instants and jitter values.
extension Schedule {
    /// Which case a schedule is, as stored in the `kind` column.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case cron, every, at
    }

    /// The `kind` column.
    public var kind: Kind {
        switch self {
        case .cron: .cron
        case .every: .every
        case .at: .at
        }
    }

    /// The `data` column: everything `Schedule(kind:data:)` needs besides the kind.
    public var data: String {
        switch self {
        case .cron(let expression, let timeZone):
            return "TZ=\(timeZone.identifier) \(expression.description)"
        case .every(let seconds, let jitter):
            return "\(seconds) jitter=\(jitter.description)"
        case .at(let instant):
            return RFC3339.format(instant)
        }
    }

    /// Rebuilds a stored schedule; `kind` is `cron`, `every` or `at`.
    public init(kind: String, data: String) throws(ScheduleError) {
        guard let known = Kind(rawValue: kind) else {
            throw ScheduleError(.storedFormInvalid, "unknown schedule kind \"\(kind)\"; expected cron, every or at")
        }
        try self.init(kind: known, data: data)
    }

    /// Rebuilds a stored schedule from its kind and `data` column.
    public init(kind: Kind, data: String) throws(ScheduleError) {
        func invalid(_ detail: String) -> ScheduleError {
            ScheduleError(.storedFormInvalid, "stored \(kind.rawValue) schedule \"\(data)\" is invalid: \(detail)")
        }
        switch kind {
        case .cron:
            guard data.hasPrefix("TZ="), let space = data.firstIndex(of: " ") else {
                throw invalid("expected \"TZ=<zone> <expression>\"")
            }
            let zoneName = String(data[data.index(data.startIndex, offsetBy: 3)..<space])
            guard let zone = TimeZone(identifier: zoneName) else { throw invalid("unknown time zone \"\(zoneName)\"") }
            do {
                self = .cron(try CronExpression(String(data[data.index(after: space)...])), timeZone: zone)
            } catch {
                throw invalid(error.message)
            }
        case .every:
            let parts = data.split(separator: " ")
            guard parts.count == 2, let seconds = Int(parts[0]), seconds >= 1, parts[1].hasPrefix("jitter="),
                  let jitter = Double(parts[1].dropFirst("jitter=".count)), jitter.isFinite, jitter >= 0, jitter < 1
            else { throw invalid("expected \"<seconds ≥ 1> jitter=<0 ≤ fraction < 1>\"") }
            self = .every(seconds: seconds, jitter: jitter)
        case .at:
            guard let instant = RFC3339.parseExact(data) else { throw invalid("expected a UTC time like 2026-12-01T09:00:00Z") }
            self = .at(instant)
        }
    }
}
