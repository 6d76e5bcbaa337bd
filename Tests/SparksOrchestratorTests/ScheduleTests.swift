import Foundation
import SparksOrchestrator
import Testing

private func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "bad test timestamp \(text)")
}

private func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier))
}

private let utc = TimeZone(identifier: "UTC") ?? .gmt

/// A tiny seeded generator (SplitMix64) so jitter tests are repeatable.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("300", 300), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("2h30m10s", 9010), ("1d", 86_400),
        ("1d12h", 129_600), (" 1h 30m ", 5400), ("0s", 0), ("2H", 7200),
    ])
    func readsDurations(text: String, seconds: Int) throws {
        #expect(try DurationParser.seconds(text) == seconds)
    }

    @Test func explainsWhatADurationLooksLike() {
        #expect(throws: DurationError(input: "5x", message: "\"5x\" is not a duration; use e.g. 90s, 5m, 2h30m, 1d")) {
            try DurationParser.seconds("5x")
        }
        for bad in ["", "h", "1.5h", "30m1h", "1h1h", "5m30", "-5m", "99999999999999999999s"] {
            #expect(throws: DurationError.self, "\(bad)") { try DurationParser.seconds(bad) }
        }
    }

    @Test func formatsWhatItReadsBack() throws {
        #expect(DurationParser.format(9010) == "2h30m10s")
        #expect(DurationParser.format(86_400) == "1d")
        #expect(DurationParser.format(0) == "0s")
        for seconds in [1, 59, 60, 3599, 3600, 86_399, 90_061] {
            #expect(try DurationParser.seconds(DurationParser.format(seconds)) == seconds)
        }
    }
}

@Suite struct ScheduleParsingTests {
    @Test func parsesCronWithAnIANAZoneDefaultingToUTC() throws {
        let berlin = try Schedule.parse(cron: "0 9 * * MON-FRI", timeZone: "Europe/Berlin")
        #expect(berlin == .cron(try CronExpression("0 9 * * MON-FRI"), timeZone: try zone("Europe/Berlin")))
        #expect(try Schedule.parse(cron: "@daily", timeZone: nil) == .cron(try CronExpression("@daily"), timeZone: utc))
        #expect(try Schedule.parse(cron: "@daily", timeZone: "europe/berlin")
            == .cron(try CronExpression("@daily"), timeZone: try zone("Europe/Berlin")))
    }

    @Test func namesAnUnknownZoneOrABadExpression() {
        #expect {
            try Schedule.parse(cron: "0 9 * * *", timeZone: "Mars/Olympus")
        } throws: { error in
            let error = error as? ScheduleError
            return error?.code == .timeZoneUnknown && error?.message.contains("\"Mars/Olympus\"") == true
        }
        #expect {
            try Schedule.parse(cron: "0 99 * * *", timeZone: nil)
        } throws: { error in
            let error = error as? ScheduleError
            return error?.code == .cronInvalid && error?.message == "hour field: 99 is out of range 0-23"
                && error?.cause is CronError
        }
    }

    @Test func parsesIntervalsAndChecksJitter() throws {
        #expect(try Schedule.parse(every: "300", jitter: 0) == .every(seconds: 300, jitter: 0))
        #expect(try Schedule.parse(every: "1h30m", jitter: 0.1) == .every(seconds: 5400, jitter: 0.1))
        #expect(throws: ScheduleError.self) { try Schedule.parse(every: "0s", jitter: 0) }
        #expect(throws: ScheduleError.self) { try Schedule.parse(every: "5m", jitter: 1) }
        #expect(throws: ScheduleError.self) { try Schedule.parse(every: "5m", jitter: -0.1) }
        #expect(throws: ScheduleError.self) { try Schedule.parse(every: "5 minutes", jitter: 0) }
    }

    @Test(arguments: [
        ("2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z"),
        ("2026-12-01t09:00:00z", "2026-12-01T09:00:00Z"),
        ("2026-12-01 09:00:00Z", "2026-12-01T09:00:00Z"),
        ("2026-12-01T10:00:00+01:00", "2026-12-01T09:00:00Z"),
        ("2026-12-01T04:30:00-0430", "2026-12-01T09:00:00Z"),
        ("2026-12-01T09:00Z", "2026-12-01T09:00:00Z"),
    ])
    func parsesRFC3339Times(text: String, expected: String) throws {
        let now = try instant("2026-01-01T00:00:00Z")
        #expect(try Schedule.parse(at: text, now: now) == .at(try instant(expected)))
    }

    @Test func keepsFractionalSecondsAndReadsRelativeDelays() throws {
        let now = try instant("2026-01-01T00:00:00Z")
        let fractional = try instant("2026-12-01T09:00:00Z").addingTimeInterval(0.25)
        #expect(try Schedule.parse(at: "2026-12-01T10:00:00.250+01:00", now: now) == .at(fractional))
        #expect(try Schedule.parse(at: "2h30m", now: now) == .at(now.addingTimeInterval(9000)))
        #expect(try Schedule.parse(at: "+90s", now: now) == .at(now.addingTimeInterval(90)))
    }

    @Test func refusesBadAndPastTimes() throws {
        let now = try instant("2026-06-01T00:00:00Z")
        for (text, code) in [
            ("2026-02-30T00:00:00Z", ScheduleError.Code.timeInvalid), ("2026-12-01T09:00:00", .timeInvalid),
            ("tomorrow", .timeInvalid), ("2026-01-01T00:00:00Z", .timeInPast), ("0s", .timeInPast),
        ] {
            #expect(performing: { try Schedule.parse(at: text, now: now) }, throws: { ($0 as? ScheduleError)?.code == code })
        }
    }
}

@Suite struct ScheduleRunTests {
    @Test func everyStaysWithinTheJitterBoundsAndSpreadsOut() throws {
        let schedule = Schedule.every(seconds: 300, jitter: 0.1)
        let start = try instant("2026-01-01T00:00:00Z")
        var rng = SplitMix64(state: 42)
        let gaps = (0..<1000).compactMap { _ in schedule.nextRun(after: start, using: &rng)?.timeIntervalSince(start) }
        #expect(gaps.count == 1000)
        #expect(gaps.allSatisfy { (270...330).contains($0) })
        #expect((gaps.min() ?? 300) < 275 && (gaps.max() ?? 300) > 325)
        var same = SplitMix64(state: 42)
        #expect(schedule.nextRun(after: start, using: &same)?.timeIntervalSince(start) == gaps.first)
        var any = SplitMix64(state: 7)
        #expect(Schedule.every(seconds: 300, jitter: 0).nextRun(after: start, using: &any) == start.addingTimeInterval(300))
    }

    @Test func oneShotRunsOnlyBeforeItsTime() throws {
        let when = try instant("2026-12-01T09:00:00Z")
        var rng = SplitMix64(state: 1)
        #expect(Schedule.at(when).nextRun(after: when.addingTimeInterval(-1), using: &rng) == when)
        #expect(Schedule.at(when).nextRun(after: when, using: &rng) == nil)
    }

    @Test func cronUsesItsTimeZone() throws {
        var rng = SplitMix64(state: 1)
        let schedule = try Schedule.parse(cron: "0 9 * * *", timeZone: "Europe/Berlin")
        let nine = try instant("2026-07-15T07:00:00Z")
        #expect(schedule.nextRun(after: try instant("2026-07-15T00:00:00Z"), using: &rng) == nine)
    }
}

@Suite struct ScheduleStorageTests {
    @Test func roundTripsEveryKindLosslessly() throws {
        let schedules: [Schedule] = [
            .cron(try CronExpression("0 0 9 * * MON-FRI *"), timeZone: try zone("Europe/Berlin")),
            .cron(try CronExpression("@hourly"), timeZone: utc),
            .every(seconds: 300, jitter: 0.1),
            .every(seconds: 5400, jitter: 1.0 / 3.0),
            .at(try instant("2026-12-01T09:00:00Z")),
            .at(Date(timeIntervalSinceReferenceDate: 812_345_678.123_456_7)),
            .at(Date(timeIntervalSince1970: -86_400.5)),
        ]
        for schedule in schedules {
            let stored = try Schedule(kind: schedule.kind.rawValue, data: schedule.data)
            #expect(stored == schedule, "\(schedule.kind) \(schedule.data)")
        }
        #expect(schedules[0].data == "TZ=Europe/Berlin 0 0 9 * * MON-FRI *")
        #expect(schedules[2].data == "300 jitter=0.1")
        #expect(schedules[4].data == "2026-12-01T09:00:00Z")
    }

    @Test func refusesDamagedRows() {
        for (kind, data) in [
            ("weekly", "x"), ("cron", "0 9 * * *"), ("cron", "TZ=Nowhere/Land 0 9 * * *"), ("cron", "TZ=UTC 0 99 * * *"),
            ("every", "300"), ("every", "0 jitter=0"), ("every", "300 jitter=2"), ("at", "2026-12-01T09:00:00+01:00"),
        ] {
            #expect(performing: { try Schedule(kind: kind, data: data) },
                    throws: { ($0 as? ScheduleError)?.code == .storedFormInvalid })
        }
    }
}

@Suite struct MissedRunTests {
    @Test func runOnceFiresOnceAndCountsWhatWasMissed() throws {
        let hourly = try Schedule.parse(cron: "0 * * * *", timeZone: nil)
        var rng = SplitMix64(state: 3)
        let due = try instant("2026-01-01T10:00:00Z")
        let now = try instant("2026-01-01T13:30:00Z")
        let fourteen = try instant("2026-01-01T14:00:00Z")
        // 10:00, 11:00, 12:00 and 13:00 came due while down; either way the next run is 14:00.
        let decision = hourly.catchUp(due: due, now: now, policy: .runOnce, using: &rng)
        #expect(decision == CatchUp(fireNow: true, missedRuns: 4, missedRunsCapped: false, nextRun: fourteen))
        let skipped = hourly.catchUp(due: due, now: now, policy: .skip, using: &rng)
        #expect(skipped == CatchUp(fireNow: false, missedRuns: 4, missedRunsCapped: false, nextRun: fourteen))
    }

    @Test func anOrdinaryLateTickStillFiresAndAFutureRunWaits() throws {
        let hourly = try Schedule.parse(cron: "0 * * * *", timeZone: nil)
        var rng = SplitMix64(state: 3)
        let due = try instant("2026-01-01T10:00:00Z")
        let tick = hourly.catchUp(due: due, now: due.addingTimeInterval(2), policy: .skip, using: &rng)
        let eleven = try instant("2026-01-01T11:00:00Z")
        #expect(tick.fireNow && tick.missedRuns == 0 && tick.nextRun == eleven)
        let early = hourly.catchUp(due: due, now: due.addingTimeInterval(-5), policy: .runOnce, using: &rng)
        #expect(early == CatchUp(fireNow: false, missedRuns: 0, missedRunsCapped: false, nextRun: due))
    }

    @Test func oneShotsAndIntervalsAfterDowntime() throws {
        var rng = SplitMix64(state: 9)
        let due = try instant("2026-01-01T10:00:00Z")
        let now = try instant("2026-01-01T11:00:00Z")
        #expect(Schedule.at(due).catchUp(due: due, now: now, policy: .runOnce, using: &rng)
            == CatchUp(fireNow: true, missedRuns: 1, missedRunsCapped: false, nextRun: nil))
        #expect(Schedule.at(due).catchUp(due: due, now: now, policy: .skip, using: &rng)
            == CatchUp(fireNow: false, missedRuns: 1, missedRunsCapped: false, nextRun: nil))
        let every = Schedule.every(seconds: 300, jitter: 0)
        #expect(every.catchUp(due: due, now: now, policy: .skip, using: &rng)
            == CatchUp(fireNow: false, missedRuns: 13, missedRunsCapped: false, nextRun: now.addingTimeInterval(300)))
    }

    @Test func stopsCountingAtTheLimit() throws {
        var rng = SplitMix64(state: 9)
        let due = try instant("2026-01-01T00:00:00Z")
        let now = try instant("2026-01-31T00:00:00Z")
        let everySecond = try Schedule.parse(cron: "* * * * * *", timeZone: "Europe/Berlin")
        let decision = everySecond.catchUp(due: due, now: now, policy: .runOnce, using: &rng)
        #expect(decision.missedRuns == 1000 && decision.missedRunsCapped && decision.fireNow)
        #expect(decision.nextRun == now.addingTimeInterval(1))
        let often = Schedule.every(seconds: 1, jitter: 0).catchUp(due: due, now: now, policy: .skip, using: &rng)
        #expect(often.missedRuns == 1000 && often.missedRunsCapped)
        #expect(MissedRunPolicy(rawValue: "run_once") == .runOnce && MissedRunPolicy(rawValue: "skip") == .skip)
    }
}
