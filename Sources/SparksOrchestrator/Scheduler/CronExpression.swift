import Foundation

/// A cron expression: when a scheduled job fires.
///
/// Accepted forms:
/// - 5 fields, Unix cron: `minute hour day-of-month month day-of-week` (fires at second 0);
/// - 6 fields, seconds first: `second minute hour day-of-month month day-of-week`;
/// - 7 fields, year last: `second minute hour day-of-month month day-of-week year` (1970-2099);
/// - macros: `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`.
///
/// Each field takes `*`, numbers, lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (from
/// `a` to the field's maximum). Months take `JAN`-`DEC`, days of the week `SUN`-`SAT` (any case,
/// ranges too: `MON-FRI`); day-of-week 0 and 7 are both Sunday. `?` means "any" in day-of-month
/// and day-of-week.
///
/// Days follow Vixie cron: when both day-of-month and day-of-week are restricted (neither is written
/// as a bare `*` or `?`), a day matches when either matches — `0 0 13 * FRI` fires on every 13th
/// and every Friday; otherwise a day must match both.
///
/// Times are wall-clock times in the time zone given to ``next(after:in:)``; see there for how
/// daylight-saving changes are handled.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written, with surrounding and repeated whitespace removed. Parsing it
    /// again gives an equal expression.
    public let description: String

    let seconds: CronBits
    let minutes: CronBits
    let hours: CronBits
    let daysOfMonth: CronBits
    let months: CronBits
    let daysOfWeek: CronBits
    /// Allowed years, ascending; nil when any year will do.
    let years: [Int]?
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Whether the job names fixed wall-clock times (neither its minute nor its hour field starts
    /// with `*`), as opposed to recurring through the day. Vixie cron makes the same split, and it
    /// decides what happens when a daylight-saving change skips or repeats wall-clock times.
    public let firesAtFixedTimes: Bool

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses a cron expression, or says which field is wrong and what that field allows.
    public init(_ text: String) throws(CronError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard !words.isEmpty else {
            throw CronError(
                field: nil, token: nil,
                message: "empty cron expression; write 5 fields like \"0 9 * * MON-FRI\" or a macro like @daily")
        }
        var fields = words
        if words.count == 1, words[0].hasPrefix("@") {
            guard let expansion = Self.macros[words[0].lowercased()] else {
                throw CronError(
                    field: nil, token: words[0],
                    message: "unknown macro \(words[0]); use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
            }
            fields = expansion.split(separator: " ").map(String.init)
        }
        guard (5...7).contains(fields.count) else {
            throw CronError(
                field: nil, token: nil,
                message: "expected 5, 6 or 7 fields, got \(fields.count) (minute hour day-of-month month day-of-week, "
                    + "optionally with seconds first and a year last)")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }

        let second = try CronFieldSpec.second.parse(fields[0])
        let minute = try CronFieldSpec.minute.parse(fields[1])
        let hour = try CronFieldSpec.hour.parse(fields[2])
        let dayOfMonth = try CronFieldSpec.dayOfMonth.parse(fields[3])
        let month = try CronFieldSpec.month.parse(fields[4])
        let dayOfWeek = try CronFieldSpec.dayOfWeek.parse(fields[5])
        let year = fields.count == 7 ? try CronFieldSpec.year.parse(fields[6]) : nil

        description = words.joined(separator: " ")
        seconds = CronBits(second.values)
        minutes = CronBits(minute.values)
        hours = CronBits(hour.values)
        daysOfMonth = CronBits(dayOfMonth.values)
        months = CronBits(month.values)
        daysOfWeek = CronBits(dayOfWeek.values)
        years = year.flatMap { $0.isUnrestricted ? nil : $0.values }
        dayOfMonthRestricted = !dayOfMonth.isUnrestricted
        dayOfWeekRestricted = !dayOfWeek.isUnrestricted
        firesAtFixedTimes = !minute.startsWithStar && !hour.startsWithStar
    }

    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }

    /// Whether the wall-clock second containing `date`, in `timeZone`, is one the expression names.
    public func matches(_ date: Date, in timeZone: TimeZone) -> Bool {
        let instant = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = CivilTime.split(wall: instant + timeZone.secondsFromGMT(for: date))
        let (year, month, day) = CivilTime.date(days: days)
        return matches(year: year) && months.contains(month) && dayMatches(year: year, month: month, day: day)
            && hours.contains(secondOfDay / 3600) && minutes.contains(secondOfDay / 60 % 60)
            && seconds.contains(secondOfDay % 60)
    }

    func matches(year: Int) -> Bool {
        years.map { $0.contains(year) } ?? true
    }

    /// The day-of-month/day-of-week rule: OR when both are restricted, AND otherwise.
    func dayMatches(year: Int, month: Int, day: Int) -> Bool {
        let weekday = CivilTime.weekday(days: CivilTime.days(year: year, month: month, day: day))
        let byMonth = daysOfMonth.contains(day)
        let byWeek = daysOfWeek.contains(weekday)
        return dayOfMonthRestricted && dayOfWeekRestricted ? byMonth || byWeek : byMonth && byWeek
    }
}
