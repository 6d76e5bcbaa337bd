import Foundation
import SparksOrchestrator
import Testing

/// An instant from an RFC 3339 literal; tests spell out every expected time in UTC.
private func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "bad test timestamp \(text)")
}

private func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier))
}

private let utc = TimeZone(identifier: "UTC") ?? .gmt

/// The next `count` runs after `start`, in UTC RFC 3339, for compact expectations.
private func runs(_ expression: String, after start: String, in timeZone: TimeZone = utc, count: Int = 1) throws -> [String] {
    let formatter = ISO8601DateFormatter()
    return try CronExpression(expression).nextRuns(after: try instant(start), in: timeZone, count: count)
        .map { formatter.string(from: $0) }
}

@Suite struct CronParsingTests {
    @Test func acceptsFiveSixAndSevenFieldsAndKeepsTheSourceText() throws {
        #expect(try CronExpression("  0   9 * *\tMON-FRI ").description == "0 9 * * MON-FRI")
        #expect(try CronExpression("30 0 9 * * MON-FRI").description == "30 0 9 * * MON-FRI")
        #expect(try CronExpression("0 0 9 * * MON-FRI 2027").description == "0 0 9 * * MON-FRI 2027")
        #expect(try CronExpression("@Daily").description == "@Daily")
        let parsed = try CronExpression("*/5 1-3 ? JAN,jul sun")
        #expect(try CronExpression(parsed.description) == parsed)
    }

    @Test(arguments: [
        ("75 0 * * *", "minute", "75", "minute field: 75 is out of range 0-59"),
        ("0 24 * * *", "hour", "24", "hour field: 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month", "0", "day-of-month field: 0 is out of range 1-31"),
        ("0 0 * 13 *", "month", "13", "month field: 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week", "8", "day-of-week field: 8 is out of range 0-7"),
        ("0 0 * FOO *", "month", "FOO", "month field: \"FOO\" is not a number or a name (1-12 or JAN-DEC)"),
        ("0 0 * * FUNDAY", "day-of-week", "FUNDAY", "day-of-week field: \"FUNDAY\" is not a number or a name (0-7 or SUN-SAT)"),
        ("x 0 * * *", "minute", "x", "minute field: \"x\" is not a number (0-59)"),
        ("*/0 * * * *", "minute", "*/0", "minute field: step \"0\" in \"*/0\" must be a positive whole number"),
        ("*/60 * * * *", "minute", "*/60", "minute field: step 60 in \"*/60\" is larger than the range 0-59"),
        ("50-10 * * * *", "minute", "50-10",
         "minute field: range 50-10 runs backwards; write it from low to high, e.g. as two ranges"),
        ("? * * * *", "minute", "?", "minute field: \"?\" is only allowed in the day-of-month and day-of-week fields; use *"),
        ("1,,2 * * * *", "minute", "1,,2", "minute field: \"1,,2\" has an empty list item"),
        ("0 0 0 1 1 ? 1969", "year", "1969", "year field: 1969 is out of range 1970-2099"),
    ])
    func namesTheFieldAndTokenInErrors(expression: String, field: String, token: String, message: String) {
        #expect {
            try CronExpression(expression)
        } throws: { error in
            guard let error = error as? CronError else { return false }
            return error.field == field && error.token == token && error.message == message && error.code == "cron_invalid"
        }
    }

    @Test func rejectsWrongFieldCountsAndUnknownMacros() {
        #expect(throws: CronError(
            field: nil, token: nil,
            message: "expected 5, 6 or 7 fields, got 4 (minute hour day-of-month month day-of-week, "
                + "optionally with seconds first and a year last)")) { try CronExpression("* * * *") }
        #expect(throws: CronError.self) { try CronExpression("0 0 0 * * * * *") }
        #expect(throws: CronError.self) { try CronExpression("   ") }
        #expect(throws: CronError(
            field: nil, token: "@reboot",
            message: "unknown macro @reboot; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")) {
            try CronExpression("@reboot")
        }
    }

    @Test func readsNamesAndRangesInAnyCase() throws {
        let expression = try CronExpression("0 0 * jan-Mar MON-fri")
        // 2026-01-05 is a Monday, 2026-01-10 a Saturday, 2026-04-06 a Monday in April.
        #expect(expression.matches(try instant("2026-01-05T00:00:00Z"), in: utc))
        #expect(!expression.matches(try instant("2026-01-10T00:00:00Z"), in: utc))
        #expect(!expression.matches(try instant("2026-04-06T00:00:00Z"), in: utc))
        #expect(!expression.matches(try instant("2026-01-05T00:01:00Z"), in: utc))
        // SAT-SUN wraps to Sunday, and 7 is Sunday too.
        #expect(try runs("0 12 * * SAT-SUN", after: "2026-01-05T00:00:00Z", count: 2)
            == ["2026-01-10T12:00:00Z", "2026-01-11T12:00:00Z"])
        #expect(try runs("0 12 * * 7", after: "2026-01-05T00:00:00Z") == ["2026-01-11T12:00:00Z"])
    }

    @Test func expandsSteps() throws {
        #expect(try runs("*/15 * * * *", after: "2026-01-01T10:07:00Z", count: 3)
            == ["2026-01-01T10:15:00Z", "2026-01-01T10:30:00Z", "2026-01-01T10:45:00Z"])
        #expect(try runs("10-40/15 8 * * *", after: "2026-01-01T00:00:00Z", count: 4)
            == ["2026-01-01T08:10:00Z", "2026-01-01T08:25:00Z", "2026-01-01T08:40:00Z", "2026-01-02T08:10:00Z"])
        #expect(try runs("5/20 8 * * *", after: "2026-01-01T00:00:00Z", count: 3)
            == ["2026-01-01T08:05:00Z", "2026-01-01T08:25:00Z", "2026-01-01T08:45:00Z"])
        #expect(try runs("*/20 * * * * *", after: "2026-01-01T10:00:05Z", count: 2)
            == ["2026-01-01T10:00:20Z", "2026-01-01T10:00:40Z"])
    }
}

@Suite struct CronNextRunTests {
    @Test func skipsTheWeekendInFiveAndSevenFieldForms() throws {
        // Friday 2026-01-09, after the 09:00 run.
        #expect(try runs("0 9 * * MON-FRI", after: "2026-01-09T10:00:00Z", count: 2)
            == ["2026-01-12T09:00:00Z", "2026-01-13T09:00:00Z"])
        #expect(try runs("0 0 9 * * MON-FRI *", after: "2026-01-09T10:00:00Z", count: 2)
            == ["2026-01-12T09:00:00Z", "2026-01-13T09:00:00Z"])
    }

    @Test func runsStrictlyAfterTheGivenInstant() throws {
        #expect(try runs("0 9 * * *", after: "2026-01-09T09:00:00Z") == ["2026-01-10T09:00:00Z"])
        let expression = try CronExpression("* * * * * *")
        let start = try instant("2026-01-09T09:00:00Z").addingTimeInterval(0.5)
        #expect(expression.next(after: start, in: utc) == (try instant("2026-01-09T09:00:01Z")))
    }

    @Test func matchesEitherDayFieldWhenBothAreRestricted() throws {
        // Friday the 2nd, Friday the 9th, Tuesday the 13th, Friday the 16th.
        #expect(try runs("0 0 13 * FRI", after: "2026-01-01T00:00:00Z", count: 4)
            == ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"])
        // With one side a bare * or ?, both must match: Friday the 13th comes in February 2026.
        #expect(try runs("0 0 * * FRI", after: "2026-01-01T00:00:00Z") == ["2026-01-02T00:00:00Z"])
        #expect(try runs("0 0 0 13 * ?", after: "2026-01-01T00:00:00Z") == ["2026-01-13T00:00:00Z"])
    }

    @Test func expandsMacros() throws {
        #expect(try runs("@hourly", after: "2026-01-01T10:59:59Z", count: 2) == ["2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z"])
        #expect(try runs("@daily", after: "2026-01-01T10:00:00Z") == ["2026-01-02T00:00:00Z"])
        #expect(try runs("@weekly", after: "2026-01-01T10:00:00Z") == ["2026-01-04T00:00:00Z"])
        #expect(try runs("@monthly", after: "2026-01-01T10:00:00Z") == ["2026-02-01T00:00:00Z"])
        #expect(try runs("@annually", after: "2026-01-01T10:00:00Z") == ["2027-01-01T00:00:00Z"])
    }

    @Test func findsTheNextLeapDay() throws {
        #expect(try runs("0 0 29 2 *", after: "2026-01-01T00:00:00Z", count: 2)
            == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
    }

    @Test func givesUpOnImpossibleDates() throws {
        let start = try instant("2026-01-01T00:00:00Z")
        #expect(try CronExpression("0 0 30 2 *").next(after: start, in: zone("Europe/Berlin")) == nil)
        #expect(try CronExpression("0 0 31 4,6,9,11 *").next(after: start, in: utc) == nil)
    }

    @Test func honoursTheYearField() throws {
        #expect(try runs("0 0 0 1 1 ? 2040", after: "2026-06-01T00:00:00Z") == ["2040-01-01T00:00:00Z"])
        #expect(try runs("0 30 12 * * ? 2027-2028", after: "2028-12-31T13:00:00Z").isEmpty)
        #expect(try runs("0 30 12 * * ? 2027-2028", after: "2026-12-31T13:00:00Z") == ["2027-01-01T12:30:00Z"])
    }

    @Test func evaluatesWallClockTimeInTheTimeZone() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(try runs("0 9 * * *", after: "2026-01-15T00:00:00Z", in: berlin) == ["2026-01-15T08:00:00Z"])
        #expect(try runs("0 9 * * *", after: "2026-07-15T00:00:00Z", in: berlin) == ["2026-07-15T07:00:00Z"])
        #expect(try CronExpression("0 9 * * *").matches(try instant("2026-07-15T07:00:00Z"), in: berlin))
        // Midnight in Berlin is still the previous day in UTC.
        #expect(try runs("0 0 1 * *", after: "2026-02-15T00:00:00Z", in: berlin) == ["2026-02-28T23:00:00Z"])
    }
}

/// Europe/Berlin 2026: clocks jump 02:00 → 03:00 on 29 March (01:00Z) and fall back 03:00 → 02:00
/// on 25 October (01:00Z). America/New_York jumps 02:00 → 03:00 on 8 March (07:00Z).
@Suite struct CronDaylightSavingTests {
    @Test func fixedTimeInTheSpringGapRunsOnceWhenTheGapEnds() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(try runs("30 2 * * *", after: "2026-03-28T12:00:00Z", in: berlin, count: 2)
            == ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
        // Every wall time of the gap coalesces into the one run at 03:00.
        #expect(try runs("0,20,40 2 * * *", after: "2026-03-28T12:00:00Z", in: berlin, count: 2)
            == ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"])
        #expect(try runs("30 2 * * *", after: "2026-03-07T12:00:00Z", in: zone("America/New_York"))
            == ["2026-03-08T07:00:00Z"])
    }

    @Test func recurringJobsSkipWallTimesTheSpringGapRemoves() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(try runs("15 * * * *", after: "2026-03-29T00:20:00Z", in: berlin, count: 2)
            == ["2026-03-29T01:15:00Z", "2026-03-29T02:15:00Z"])
        // A minute field starting with * makes the job recurring too, as in Vixie cron.
        #expect(try runs("*/20 2 * * *", after: "2026-03-28T12:00:00Z", in: berlin) == ["2026-03-30T00:00:00Z"])
    }

    @Test func fixedTimeInTheRepeatedHourRunsOnlyOnce() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(try runs("30 2 * * *", after: "2026-10-24T12:00:00Z", in: berlin, count: 2)
            == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        // Starting inside the second 02:00-03:00, the 02:30 run has already happened.
        #expect(try runs("30 2 * * *", after: "2026-10-25T01:10:00Z", in: berlin) == ["2026-10-26T01:30:00Z"])
    }

    @Test func recurringJobsKeepTheirRhythmThroughTheRepeatedHour() throws {
        #expect(try runs("*/30 * * * *", after: "2026-10-25T00:00:00Z", in: zone("Europe/Berlin"), count: 4)
            == ["2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z"])
    }
}
