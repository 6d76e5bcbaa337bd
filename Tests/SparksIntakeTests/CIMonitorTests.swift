import Foundation
import SparksIntake
import Synchronization
import Testing

@Suite struct CIMonitorTests {
    static let pr = "https://github.com/acme/widgets/pull/42"
    static let dir = "/work/checkout"

    static let headBranch = ["gh", "pr", "view", pr, "--json", "headRefName"]
    static let rollup = ["gh", "pr", "view", pr, "--json", "statusCheckRollup"]
    static let checks = ["gh", "pr", "checks", pr, "--json", "name,state,link"]
    static let merge = ["gh", "pr", "merge", pr, "--squash", "--delete-branch"]
    static let mergedAt = ["gh", "pr", "view", pr, "--json", "mergedAt"]

    static let failingRollup = CommandResult.ok(
        #"{"statusCheckRollup":[{"__typename":"CheckRun","name":"build","status":"COMPLETED","conclusion":"SUCCESS"},"#
            + #"{"__typename":"CheckRun","name":"test","status":"COMPLETED","conclusion":"FAILURE"}]}"#)
    static let pendingRollup = CommandResult.ok(
        #"{"statusCheckRollup":[{"__typename":"CheckRun","name":"test","status":"IN_PROGRESS","conclusion":null}]}"#)
    static let passingRollup = CommandResult.ok(
        #"{"statusCheckRollup":[{"__typename":"CheckRun","name":"test","status":"COMPLETED","conclusion":"SUCCESS"},"#
            + #"{"__typename":"StatusContext","context":"ci/jenkins","state":"SUCCESS"}]}"#)
    static let emptyRollup = CommandResult.ok(#"{"statusCheckRollup":[]}"#)

    /// Records heal requests and answers with a fixed result.
    final class HealRecorder: Sendable {
        private let requests = Mutex<[HealRequest]>([])
        let pushed: Bool
        init(pushed: Bool = true) { self.pushed = pushed }
        var received: [HealRequest] { requests.withLock { $0 } }
        @Sendable func heal(_ request: HealRequest) async -> HealResult {
            requests.withLock { $0.append(request) }
            return HealResult(pushed: pushed, detail: "fixed the parser")
        }
    }

    static func monitor(
        _ runner: ScriptedCommandRunner, clock: VirtualClock, healer: HealRecorder = HealRecorder(),
        settings: CIMonitorSettings
    ) -> CIMonitor {
        CIMonitor(
            settings: settings,
            dependencies: CIMonitorDependencies(runner: runner, sleep: clock.sleep, now: clock.now, heal: healer.heal))
    }

    static func scriptedRunner() -> ScriptedCommandRunner {
        let runner = ScriptedCommandRunner()
        runner.on(headBranch, .ok(#"{"headRefName":"sparks/fix-42"}"#))
        return runner
    }

    @Test func healsOnceThenPassesAndMerges() async throws {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.failingRollup, Self.pendingRollup, Self.passingRollup)
        // `gh pr checks` exits 1 when a check failed but still prints its JSON.
        runner.on(
            Self.checks,
            .failed(
                1, "",
                stdout: #"[{"name":"build","state":"SUCCESS","link":"https://github.com/acme/widgets/actions/runs/111/job/1"},"#
                    + #"{"name":"test","state":"FAILURE","link":"https://github.com/acme/widgets/actions/runs/9876/job/5432"}]"#))
        let longLog = String(repeating: "test\tRun swift test\tcompiling…\n", count: 400) + "FAIL: testParseEmptyConfig"
        runner.on(["gh", "run", "view", "9876", "--log-failed"], .ok(longLog))
        runner.on(Self.merge, .ok(""))
        let clock = VirtualClock()
        let healer = HealRecorder(pushed: true)
        let settings = CIMonitorSettings(heal: true, autoMerge: true, autonomyAllowsMerge: true)

        let report = await Self.monitor(runner, clock: clock, healer: healer, settings: settings).run(pr: Self.pr, in: Self.dir)

        #expect(report.status == .healSucceeded)
        #expect(report.status.rawValue == "heal_succeeded")
        #expect(report.healAttempts == 1)
        #expect(report.merged)
        #expect(report.mergeRefused == nil)
        let request = try #require(healer.received.first)
        #expect(healer.received.count == 1)
        #expect(request.pr == Self.pr)
        #expect(request.headBranch == "sparks/fix-42")
        #expect(runner.count(Self.headBranch) == 1)
        #expect(request.failingChecks == ["test"])
        #expect(request.attempt == 1)
        #expect(request.logsTail.count == 4000)
        #expect(request.logsTail.hasSuffix("FAIL: testParseEmptyConfig\n"))
        // Only the failing check's run is fetched, and the merge runs once with the agreed flags.
        #expect(runner.count(["gh", "run", "view", "111", "--log-failed"]) == 0)
        #expect(runner.count(Self.merge) == 1)
        #expect(runner.calls.allSatisfy { $0.directory == Self.dir })
        #expect(clock.sleeps == [.seconds(45), .seconds(45)])
    }

    @Test func failingWithHealOffEndsCIFailed() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.pendingRollup, Self.failingRollup)
        let healer = HealRecorder()
        let report = await Self.monitor(
            runner, clock: VirtualClock(), healer: healer,
            settings: CIMonitorSettings(heal: false, autoMerge: true, autonomyAllowsMerge: true)
        ).run(pr: Self.pr, in: Self.dir)

        #expect(report.status == .ciFailed)
        #expect(report.healAttempts == 0)
        #expect(healer.received.isEmpty)
        #expect(!report.merged)
        #expect(report.mergeRefused?.contains("ci_failed") == true)
        #expect(runner.count(Self.checks) == 0)
        #expect(runner.count(Self.merge) == 0)
        #expect(runner.count(Self.headBranch) == 0)
        #expect(report.log.contains("failing checks: test"))
    }

    @Test func stillFailingAfterTwoHealsEndsHealExhausted() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.failingRollup)
        runner.on(Self.checks, .failed(1, "", stdout: "[]"))
        let healer = HealRecorder(pushed: true)
        let report = await Self.monitor(
            runner, clock: VirtualClock(), healer: healer,
            settings: CIMonitorSettings(
                heal: true, maxHeal: 2, autoMerge: true,
                autonomyAllowsMerge: true)
        ).run(pr: Self.pr, in: Self.dir)

        #expect(report.status == .healExhausted)
        #expect(report.status.rawValue == "heal_exhausted")
        #expect(report.healAttempts == 2)
        #expect(healer.received.map(\.attempt) == [1, 2])
        #expect(healer.received.allSatisfy { $0.logsTail.isEmpty && $0.failingChecks == ["test"] })
        #expect(runner.count(Self.rollup) == 3)
        #expect(!report.merged)
        #expect(runner.count(Self.merge) == 0)
    }

    @Test func noChecksEndsNoChecksAfterGraceAndRefusesMerge() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.emptyRollup)
        let clock = VirtualClock()
        let report = await Self.monitor(
            runner, clock: clock,
            settings: CIMonitorSettings(autoMerge: true, autonomyAllowsMerge: true, noChecksGrace: .seconds(300))
        ).run(pr: Self.pr, in: Self.dir)

        #expect(report.status == .noChecks)
        #expect(report.status.rawValue == "no_checks")
        #expect(!report.merged)
        #expect(report.mergeRefused?.contains("no CI checks") == true)
        #expect(runner.count(Self.merge) == 0)
        // Waited out the grace period (7 polls of 45 s), not the 20-minute timeout.
        #expect(clock.elapsed == .seconds(315))
    }

    @Test func checksThatAppearWithinGraceAreWaitedFor() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.emptyRollup, Self.emptyRollup, Self.pendingRollup, Self.passingRollup)
        let report = await Self.monitor(runner, clock: VirtualClock(), settings: CIMonitorSettings())
            .run(pr: Self.pr, in: Self.dir)
        #expect(report.status == .ciPassed)
        #expect(report.mergeRefused == nil)
        #expect(runner.count(Self.rollup) == 4)
    }

    @Test func autonomyRefusesMerge() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.passingRollup)
        let report = await Self.monitor(
            runner, clock: VirtualClock(), settings: CIMonitorSettings(autoMerge: true, autonomyAllowsMerge: false)
        ).run(pr: Self.pr, in: Self.dir)

        #expect(report.status == .ciPassed)
        #expect(!report.merged)
        #expect(report.mergeRefused?.contains("autonomy") == true)
        #expect(runner.count(Self.merge) == 0)
    }

    @Test func withoutAutoMergeNothingMergesAndNothingIsRefused() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.passingRollup)
        let report = await Self.monitor(runner, clock: VirtualClock(), settings: CIMonitorSettings(autonomyAllowsMerge: true))
            .run(pr: Self.pr, in: Self.dir)
        #expect(report.status == .ciPassed)
        #expect(!report.merged)
        #expect(report.mergeRefused == nil)
        #expect(runner.count(Self.merge) == 0)
    }

    @Test func pendingForeverEndsTimeoutExactlyAtTheLimit() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.pendingRollup)
        let clock = VirtualClock()
        let report = await Self.monitor(
            runner, clock: clock, settings: CIMonitorSettings(pollInterval: .seconds(45), timeout: .seconds(1200))
        ).run(pr: Self.pr, in: Self.dir)

        #expect(report.status == .timeout)
        #expect(clock.elapsed == .seconds(1200))
        // 26 full intervals, then only the 30 s left.
        #expect(clock.sleeps.count == 27)
        #expect(clock.sleeps.last == .seconds(30))
    }

    @Test func commandErrorsCountAsPending() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, .failed(1, "HTTP 502: Bad Gateway"), Self.passingRollup)
        let report = await Self.monitor(runner, clock: VirtualClock(), settings: CIMonitorSettings())
            .run(pr: Self.pr, in: Self.dir)
        #expect(report.status == .ciPassed)
        #expect(report.log.contains { $0.contains("will retry") && $0.contains("HTTP 502") })
    }

    @Test func mergeFailureIsCheckedAgainstMergedAt() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.passingRollup)
        runner.on(Self.merge, .failed(1, "failed to delete local branch sparks/fix-42: checked out in a worktree"))
        runner.on(Self.mergedAt, .ok(#"{"mergedAt":"2025-05-02T11:00:00Z"}"#))
        let merged = await Self.monitor(
            runner, clock: VirtualClock(), settings: CIMonitorSettings(autoMerge: true, autonomyAllowsMerge: true)
        ).run(pr: Self.pr, in: Self.dir)
        #expect(merged.merged)
        #expect(merged.mergeRefused == nil)

        let refused = Self.scriptedRunner()
        refused.on(Self.rollup, Self.passingRollup)
        refused.on(Self.merge, .failed(1, "Pull request is not mergeable: the base branch policy prohibits the merge"))
        refused.on(Self.mergedAt, .ok(#"{"mergedAt":null}"#))
        let report = await Self.monitor(
            refused, clock: VirtualClock(), settings: CIMonitorSettings(autoMerge: true, autonomyAllowsMerge: true)
        ).run(pr: Self.pr, in: Self.dir)
        #expect(!report.merged)
        #expect(report.mergeRefused?.contains("base branch policy") == true)
    }

    @Test func cancelledSleepEndsCancelled() async {
        let runner = Self.scriptedRunner()
        runner.on(Self.rollup, Self.pendingRollup)
        struct Cancelled: Error {}
        let monitor = CIMonitor(
            dependencies: CIMonitorDependencies(runner: runner, sleep: { _ in throw Cancelled() }, now: { ContinuousClock.now }))
        let report = await monitor.run(pr: Self.pr, in: Self.dir)
        #expect(report.status == .cancelled)
    }

    @Test func pollIntervalHasAFloor() {
        #expect(CIMonitorSettings(pollInterval: .seconds(1)).pollInterval == .seconds(5))
        var settings = CIMonitorSettings()
        settings.pollInterval = .milliseconds(10)
        #expect(settings.pollInterval == .seconds(5))
        #expect(CIMonitorSettings().pollInterval == .seconds(45))
        #expect(CIMonitorSettings().timeout == .seconds(1200))
        #expect(CIMonitorSettings().maxHeal == 2)
        #expect(CIMonitorSettings().noChecksGrace == .seconds(300))
    }
}
