import Foundation

/// Proleptic Gregorian calendar arithmetic on plain integers, so cron searches and RFC 3339
/// parsing need no `Calendar` (which is slow and has its own ideas about nonexistent times).
///
/// A "wall" time is a count of seconds since 1970-01-01 00:00 on a clock that never changes its
/// offset: the local date and time as written, with no time zone attached.
enum CivilTime {
    static let secondsPerDay = 86_400

    /// Days since 1970-01-01 for a civil date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date for a count of days since 1970-01-01 (`civil_from_days`).
    static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday.
    static func weekday(days: Int) -> Int {
        let w = (days + 4) % 7
        return w < 0 ? w + 7 : w
    }

    /// Wall seconds for a civil date and time of day.
    static func wall(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int {
        days(year: year, month: month, day: day) * secondsPerDay + hour * 3600 + minute * 60 + second
    }

    /// Splits wall seconds into whole days and the seconds into that day (both floored).
    static func split(wall: Int) -> (days: Int, secondOfDay: Int) {
        let days = wall >= 0 ? wall / secondsPerDay : (wall - secondsPerDay + 1) / secondsPerDay
        return (days, wall - days * secondsPerDay)
    }
}
