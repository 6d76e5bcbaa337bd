import Foundation

/// What to do about runs that came due while Sparks was not running.
public enum MissedRunPolicy: String, Sendable, Hashable, CaseIterable {
    /// Let them go: do not run now, wait for the next run in the future.
    case skip
    /// Run once now, however many were missed, then carry on from now.
    case runOnce = "run_once"
}

/// The scheduler's verdict on a job whose stored next run has come.
public struct CatchUp: Sendable, Hashable {
    /// Whether to start the job now.
    public var fireNow: Bool
    /// How many scheduled runs fell in `[due, now]` and were more than the tolerance late,
    /// counted up to the limit (one for a late one-shot, zero when on time or not yet due).
    /// For `every` schedules this counts nominal intervals, without jitter.
    public var missedRuns: Int
    /// True when counting stopped at the limit, so there may have been more.
    public var missedRunsCapped: Bool
    /// The next run to store; nil when the schedule is over.
    public var nextRun: Date?

    public init(fireNow: Bool, missedRuns: Int, missedRunsCapped: Bool, nextRun: Date?) {
        self.fireNow = fireNow
        self.missedRuns = missedRuns
        self.missedRunsCapped = missedRunsCapped
        self.nextRun = nextRun
    }
}

extension Schedule {
    /// Decides what to do with a job whose stored next run is `due`, at `now`.
    ///
    /// - Not yet due (`due > now`): don't fire; keep `due`.
    /// - Due and at most `tolerance` late (an ordinary scheduler tick): fire, whatever the policy.
    /// - More than `tolerance` late (Sparks was down): `.runOnce` fires once; `.skip` does not.
    ///   Either way the next run is computed from `now`, so a backlog never builds up.
    ///
    /// Missed runs are counted up to `countLimit`, so a per-second cron after a month away costs
    /// at most `countLimit` steps.
    public func catchUp(
        due: Date, now: Date, policy: MissedRunPolicy, tolerance: TimeInterval = 60, countLimit: Int = 1000,
        using rng: inout some RandomNumberGenerator
    ) -> CatchUp {
        guard due <= now else {
            return CatchUp(fireNow: false, missedRuns: 0, missedRunsCapped: false, nextRun: due)
        }
        let next = nextRun(after: now, using: &rng)
        guard now.timeIntervalSince(due) > tolerance else {
            return CatchUp(fireNow: true, missedRuns: 0, missedRunsCapped: false, nextRun: next)
        }
        let (missed, capped) = countRuns(from: due, through: now, limit: max(countLimit, 1))
        return CatchUp(fireNow: policy == .runOnce, missedRuns: missed, missedRunsCapped: capped, nextRun: next)
    }

    /// Scheduled runs in `[from, through]`, `from` itself included.
    private func countRuns(from due: Date, through now: Date, limit: Int) -> (count: Int, capped: Bool) {
        switch self {
        case .at:
            return (1, false)
        case .every(let seconds, _):
            let intervals = (now.timeIntervalSince(due) / TimeInterval(max(seconds, 1))).rounded(.down)
            return intervals + 1 > Double(limit) ? (limit, true) : (Int(intervals) + 1, false)
        case .cron(let expression, let timeZone):
            var count = 1
            var cursor = due
            while let run = expression.next(after: cursor, in: timeZone), run <= now {
                guard count < limit else { return (limit, true) }
                count += 1
                cursor = run
            }
            return (count, false)
        }
    }
}
