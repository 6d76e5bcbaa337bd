import Foundation

/// What `/watch [secs]` and `sparks watch` show: new activity for a bounded time, optionally only
/// the entries one alert rule matches, one line per entry.
public struct WatchFilter: Sendable, Hashable {
    /// Seconds watched when none are given.
    public static let defaultSeconds = 300
    /// Longest watch; longer requests are cut to this with a `note`.
    public static let maxSeconds = 3600
    /// How often a front-end polls the log while watching.
    public static let pollSeconds = 2

    /// How long the watch lasts, 1…`maxSeconds`.
    public let seconds: Int
    /// Set when the requested duration was changed to fit; worth showing to the user.
    public let note: String?
    /// Only entries this rule matches are shown (its `enabled` flag is not consulted); nil shows all.
    public let rule: AlertRule?
    /// The zone the lines' times are shown in.
    public let timeZone: TimeZone
    public let format: ReviewFormat

    /// A watch of `seconds` (default 300), clamped to 1…3600 with a `note` saying so.
    public init(seconds: Int? = nil, rule: AlertRule? = nil, timeZone: TimeZone, format: ReviewFormat = .plain) {
        let asked = seconds ?? Self.defaultSeconds
        if asked > Self.maxSeconds {
            self.seconds = Self.maxSeconds
            self.note = "Watching for \(Self.maxSeconds) s, the maximum (asked for \(asked) s)."
        } else if asked < 1 {
            self.seconds = 1
            self.note = "Watching for 1 s, the minimum (asked for \(asked) s)."
        } else {
            self.seconds = asked
            self.note = nil
        }
        self.rule = rule
        self.timeZone = timeZone
        self.format = format
    }

    /// Parses the arguments of `/watch` (the `/watch` or `/watch@bot` word may be included):
    /// nothing, or a whole number of seconds.
    ///
    /// - Throws: `ReviewError` `watch_invalid` for anything but one whole number of at least 1.
    public init(
        parsing text: String, rule: AlertRule? = nil, timeZone: TimeZone, format: ReviewFormat = .plain
    ) throws(ReviewError) {
        let words = CommandWords.arguments((try? CommandWords.split(text)) ?? [text], command: "watch")
        if words.isEmpty {
            self.init(rule: rule, timeZone: timeZone, format: format)
            return
        }
        guard words.count == 1, let seconds = Int(words[0]), seconds >= 1 else {
            throw ReviewError(
                .watchInvalid, field: "seconds", input: text,
                message:
                    "'\(words.joined(separator: " "))' is not a number of seconds. Use /watch [secs] with 1–\(Self.maxSeconds), e.g. /watch 600."
            )
        }
        self.init(seconds: seconds, rule: rule, timeZone: timeZone, format: format)
    }

    /// When a watch started at `start` ends.
    public func deadline(from start: Date) -> Date {
        start.addingTimeInterval(TimeInterval(seconds))
    }

    /// Whether `entry` passes the rule filter.
    public func accepts(_ entry: ActivityEntry) -> Bool {
        rule?.matches(entry) ?? true
    }

    /// One line per accepted entry, oldest first: `HH:mm:ss kind spark summary`, with `-` for a
    /// missing spark and the tool name standing in for an empty summary. Lines are escaped for
    /// `format`.
    public func lines(for entries: [ActivityEntry]) -> [String] {
        entries.filter(accepts).sorted { ($0.at, $0.id) < ($1.at, $1.id) }.map { entry in
            let spark = entry.spark.flatMap { $0.isEmpty ? nil : $0 } ?? "-"
            var summary = ReviewText.oneLine(entry.summary)
            if summary.isEmpty { summary = entry.toolName ?? "" }
            let line = "\(ReviewText.clock(entry.at, in: timeZone)) \(entry.kind.rawValue) \(spark) \(summary)"
            return format.escape(line)
        }
    }
}
