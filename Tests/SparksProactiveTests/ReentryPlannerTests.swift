import Foundation
import Testing

@testable import SparksProactive

@Suite struct ReentryPlannerTests {
    let start = utc(2025, 3, 10, 12)

    @Test func dueSpreadsTheDelayByJitter() {
        // delay 7200, jitter 0.7: from 7200 − 5040 = 2160 to 7200 + 5040 = 12240 seconds.
        let earliest = ReentryPlanner.due(after: start, delay: 7200, jitter: 0.7, random: constant(0))
        let middle = ReentryPlanner.due(after: start, delay: 7200, jitter: 0.7, random: constant(0.5))
        let quarter = ReentryPlanner.due(after: start, delay: 7200, jitter: 0.7, random: constant(0.25))
        let latest = ReentryPlanner.due(after: start, delay: 7200, jitter: 0.7, random: constant(almostOne))
        #expect(earliest.timeIntervalSince(start) == 2160)
        #expect(middle.timeIntervalSince(start) == 7200)
        #expect(quarter.timeIntervalSince(start) == 4680)
        #expect(abs(latest.timeIntervalSince(start) - 12240) < 1e-6)
    }

    @Test func noJitterMeansExactDelay() {
        #expect(ReentryPlanner.due(after: start, delay: 600, jitter: 0, random: constant(0.9)).timeIntervalSince(start) == 600)
    }

    @Test func jitterIsClampedSoTheResultIsNeverInThePast() {
        let due = ReentryPlanner.due(after: start, delay: 600, jitter: 3, random: constant(0))
        #expect(due == start)
    }

    @Test func shouldPlanNeedsTwoTurnsAndWinsThirtyPercentTimesSpontaneity() {
        let none = ScriptedRandom([])
        #expect(!ReentryPlanner.shouldPlan(turns: 1, spontaneity: 1, random: none.source))
        #expect(none.drawn == 0)

        // spontaneity 0.5 → chance 0.15.
        #expect(ReentryPlanner.shouldPlan(turns: 2, spontaneity: 0.5, random: constant(0.149)))
        #expect(!ReentryPlanner.shouldPlan(turns: 2, spontaneity: 0.5, random: constant(0.15)))
        // spontaneity 1 → chance 0.3.
        #expect(ReentryPlanner.shouldPlan(turns: 10, spontaneity: 1, random: constant(0.29)))
        #expect(!ReentryPlanner.shouldPlan(turns: 10, spontaneity: 1, random: constant(0.31)))
        // spontaneity 0 → never.
        #expect(!ReentryPlanner.shouldPlan(turns: 10, spontaneity: 0, random: constant(0)))
    }

    @Test func idleAfterTheThreshold() {
        #expect(!ReentryPlanner.isIdle(since: start, now: start.addingTimeInterval(1799), threshold: 1800))
        #expect(ReentryPlanner.isIdle(since: start, now: start.addingTimeInterval(1800), threshold: 1800))
    }
}
