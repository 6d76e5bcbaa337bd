import Foundation

extension CronExpression {
    /// How far ``next(after:in:)`` looks before deciding an expression never fires (`0 0 30 2 *`).
    /// Expressions with a year field are searched up to the end of their last year instead.
    public static let searchHorizon: TimeInterval = 5 * 366 * 86_400

    /// The first instant strictly after `date` whose wall-clock time in `timeZone` matches, or nil
    /// when nothing matches within ``searchHorizon`` (or after the last year of a year field).
    ///
    /// Daylight-saving changes (and any other change of a zone's UTC offset), following Vixie cron:
    /// - **Skipped wall times** (spring forward, e.g. 02:00-03:00 on the last Sunday of March in
    ///   Europe/Berlin): a job with fixed times (``firesAtFixedTimes``, e.g. `30 2 * * *`) whose
    ///   time falls in the gap runs once at the first instant after the gap (03:00 local); a job
    ///   recurring through the day (`15 * * * *`, `*/10 * * * *`) skips the missing times.
    /// - **Repeated wall times** (fall back, e.g. 02:00-03:00 happens twice in late October): a
    ///   fixed-time job runs once, at the first occurrence; a recurring job keeps its rhythm in
    ///   real time and so runs in both occurrences (`*/30 * * * *` fires every 30 minutes).
    ///
    /// The search jumps by year, month, day, hour, minute and second, and handles one stretch of
    /// constant UTC offset at a time, so even a fruitless five-year search is cheap.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        let after = date.timeIntervalSince1970
        guard after.isFinite, abs(after) < 1e11 else { return nil }
        var start = Int(after.rounded(.down)) + 1
        var horizon = start + Int(Self.searchHorizon)
        if let lastYear = years?.last {
            // One day of slack covers any UTC offset.
            horizon = max(horizon, CivilTime.wall(year: lastYear + 1, month: 1, day: 1) + CivilTime.secondsPerDay)
        }
        var offset = timeZone.offset(at: start)
        // Wall times before this already happened under a larger offset (we start inside a
        // repeated hour); fixed-time jobs must not run at them again.
        var alreadyPassedUntil = firesAtFixedTimes ? timeZone.repeatedWallTimesEnd(around: start, offset: offset) : nil

        while start < horizon {
            let transition = min(timeZone.transition(after: start) ?? horizon, horizon)
            let offsetAfter = transition < horizon ? timeZone.offset(at: transition) : offset
            var from = start + offset
            if let passed = alreadyPassedUntil { from = max(from, passed) }
            // Fixed-time jobs also look at the wall times a spring-forward gap removes.
            let gapEnd = firesAtFixedTimes && offsetAfter > offset ? transition + offsetAfter : transition + offset
            if let wall = firstMatch(atOrAfter: from, before: gapEnd) {
                let instant = wall >= transition + offset ? transition : wall - offset
                return Date(timeIntervalSince1970: TimeInterval(instant))
            }
            alreadyPassedUntil = firesAtFixedTimes && offsetAfter < offset ? transition + offset : nil
            start = transition
            offset = offsetAfter
        }
        return nil
    }

    /// The next `count` instants after `date`, fewer if the expression stops firing.
    public func nextRuns(after date: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        var runs: [Date] = []
        var cursor = date
        while runs.count < count, let run = next(after: cursor, in: timeZone) {
            runs.append(run)
            cursor = run
        }
        return runs
    }

    /// The first matching wall time in `[start, limit)`, ignoring time zones: fields are advanced
    /// from the largest down, and a field that overflows resets the smaller ones.
    func firstMatch(atOrAfter start: Int, before limit: Int) -> Int? {
        let (days, secondOfDay) = CivilTime.split(wall: start)
        var (year, month, day) = CivilTime.date(days: days)
        var hour = secondOfDay / 3600
        var minute = secondOfDay / 60 % 60
        var second = secondOfDay % 60

        func startOfNextDay() {
            day += 1
            if day > CivilTime.daysInMonth(year: year, month: month) {
                day = 1
                month += 1
                if month > 12 { month = 1; year += 1 }
            }
            (hour, minute, second) = (0, 0, 0)
        }

        while CivilTime.wall(year: year, month: month, day: day, hour: hour, minute: minute, second: second) < limit {
            if !matches(year: year) {
                guard let nextYear = years?.first(where: { $0 > year }) else { return nil }
                (year, month, day, hour, minute, second) = (nextYear, 1, 1, 0, 0, 0)
                continue
            }
            if !months.contains(month) {
                if let nextMonth = months.next(atOrAfter: month) {
                    month = nextMonth
                } else {
                    year += 1
                    month = months.first ?? 1
                }
                (day, hour, minute, second) = (1, 0, 0, 0)
                continue
            }
            if !dayMatches(year: year, month: month, day: day) {
                startOfNextDay()
                continue
            }
            guard let nextHour = hours.next(atOrAfter: hour) else { startOfNextDay(); continue }
            if nextHour != hour { (hour, minute, second) = (nextHour, 0, 0) }
            guard let nextMinute = minutes.next(atOrAfter: minute) else {
                (hour, minute, second) = (hour + 1, 0, 0)
                if hour > 23 { startOfNextDay() }
                continue
            }
            if nextMinute != minute { (minute, second) = (nextMinute, 0) }
            guard let nextSecond = seconds.next(atOrAfter: second) else {
                (minute, second) = (minute + 1, 0)
                if minute > 59 { (hour, minute) = (hour + 1, 0) }
                if hour > 23 { startOfNextDay() }
                continue
            }
            second = nextSecond
            let wall = CivilTime.wall(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            return wall < limit ? wall : nil
        }
        return nil
    }
}

extension TimeZone {
    /// The UTC offset in force at an instant (seconds since 1970).
    fileprivate func offset(at instant: Int) -> Int {
        secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The first instant after `instant` at which the UTC offset changes, if the zone has one.
    fileprivate func transition(after instant: Int) -> Int? {
        var cursor = Date(timeIntervalSince1970: TimeInterval(instant))
        // Foundation reports every offset change (DST and standard-offset changes alike); skip
        // any report that does not actually change the offset.
        for _ in 0..<8 {
            guard let next = nextDaylightSavingTimeTransition(after: cursor) else { return nil }
            let seconds = Int(next.timeIntervalSince1970.rounded())
            if seconds > instant, offset(at: seconds) != offset(at: seconds - 1) { return seconds }
            cursor = next.addingTimeInterval(1)
        }
        return nil
    }

    /// When `instant` lies in the second occurrence of wall times repeated by a recent fall-back,
    /// the wall time at which that repetition ends; nil otherwise.
    fileprivate func repeatedWallTimesEnd(around instant: Int, offset: Int) -> Int? {
        // A repetition lasts at most a few hours, so a change within the last two days covers it.
        var latest: Int?
        var cursor = instant - 2 * CivilTime.secondsPerDay
        while let next = transition(after: cursor), next <= instant {
            latest = next
            cursor = next
        }
        guard let change = latest else { return nil }
        let before = self.offset(at: change - 1)
        return before > offset ? change + before : nil
    }
}
