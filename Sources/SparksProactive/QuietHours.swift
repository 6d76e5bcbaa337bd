import Foundation

/// A daily window of local hours in which only urgent pulses reach the user, written `22-8` or
/// `off`.
///
/// With `start <= end` the window is `[start, end)` on one day (`9-17`; `5-5` is empty). With
/// `start > end` it wraps midnight: `22-8` covers 22:00–07:59.
public struct QuietHours: Sendable, Hashable, Codable, CustomStringConvertible {
    /// First quiet hour and first hour after the window, 0–23; nil when quiet hours are off.
    public let window: (start: Int, end: Int)?

    /// No quiet hours.
    public static let off = QuietHours(uncheckedWindow: nil)

    /// A window from `start` up to (not including) `end`, both 0–23.
    public init(start: Int, end: Int) throws(ProactiveError) {
        guard (0...23).contains(start), (0...23).contains(end) else {
            throw ProactiveError(
                .quietHoursInvalid, input: "\(start)-\(end)",
                message: "Quiet hours \(start)-\(end) are out of range: hours run 0–23.")
        }
        self.init(uncheckedWindow: (start, end))
    }

    private init(uncheckedWindow: (start: Int, end: Int)?) {
        self.window = uncheckedWindow
    }

    /// Parses `START-END` (hours 0–23, e.g. `22-8`) or `off`.
    public init(parsing text: String) throws(ProactiveError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "off" {
            self = .off
            return
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let start = Int(parts[0]), let end = Int(parts[1]),
            (0...23).contains(start), (0...23).contains(end)
        else {
            throw ProactiveError(
                .quietHoursInvalid, input: text,
                message: "Quiet hours '\(text)' are not START-END with hours 0–23 (e.g. 22-8), or off.")
        }
        self.init(uncheckedWindow: (start, end))
    }

    /// Whether the local `hour` (0–23) falls inside the window.
    public func contains(hour: Int) -> Bool {
        guard let (start, end) = window else { return false }
        if start <= end { return hour >= start && hour < end }
        return hour >= start || hour < end
    }

    /// Whether `date`, read as a wall-clock hour in `timeZone`, falls inside the window.
    public func contains(_ date: Date, in timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return contains(hour: calendar.component(.hour, from: date))
    }

    /// `22-8` or `off`: the same text `init(parsing:)` reads.
    public var description: String {
        guard let (start, end) = window else { return "off" }
        return "\(start)-\(end)"
    }

    public static func == (lhs: QuietHours, rhs: QuietHours) -> Bool {
        lhs.window?.start == rhs.window?.start && lhs.window?.end == rhs.window?.end
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(window?.start)
        hasher.combine(window?.end)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
