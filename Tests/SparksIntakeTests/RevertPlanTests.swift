import Foundation
import SparksIntake
import Testing

@Suite struct RevertPlanTests {
    static let pr = "https://github.com/acme/widgets/pull/42"
    static let lookup = ["gh", "pr", "view", pr, "--json", "mergeCommit,baseRefName"]

    static func monitor(_ runner: ScriptedCommandRunner) -> CIMonitor {
        CIMonitor(dependencies: CIMonitorDependencies(runner: runner))
    }

    @Test func planListsTheCommandsAsData() throws {
        let plan = try Self.monitor(ScriptedCommandRunner()).revertPlan(mergedPR: Self.pr)
        #expect(plan.number == 42)
        #expect(plan.branch == "revert/42")
        #expect([plan.lookup.executable] + plan.lookup.arguments == Self.lookup)
        let steps = plan.resolved(mergeCommit: "abc123", baseBranch: "main").map { [$0.executable] + $0.arguments }
        #expect(
            steps == [
                ["git", "fetch", "origin", "main"],
                ["git", "checkout", "-b", "revert/42", "origin/main"],
                ["git", "revert", "--no-edit", "-m", "1", "abc123"],
                ["git", "push", "-u", "origin", "revert/42"],
                [
                    "gh", "pr", "create", "--base", "main", "--head", "revert/42", "--title", "Revert #42", "--body",
                    "Reverts \(Self.pr) (merge commit abc123): its changes are being rolled back.",
                ],
            ])
        // Unresolved, the plan still says where the SHA goes.
        #expect(plan.steps[2].arguments.last == RevertPlan.mergeCommitPlaceholder)
    }

    @Test func planRefusesAURLWithoutANumber() {
        let monitor = Self.monitor(ScriptedCommandRunner())
        #expect(caught { _ = try monitor.revertPlan(mergedPR: "https://github.com/acme/widgets") }?.code == .ciCommand)
        #expect(caught { _ = try monitor.revertPlan(mergedPR: "https://github.com/acme/widgets/pull/") }?.code == .ciCommand)
        #expect(caught { _ = try monitor.revertPlan(mergedPR: "https://github.com/acme/widgets/pull/7/files") } == nil)
    }

    @Test func opensTheRevertPullRequest() async {
        let runner = ScriptedCommandRunner()
        runner.on(Self.lookup, .ok(#"{"baseRefName":"main","mergeCommit":{"oid":"0f3e9b2c"}}"#))
        runner.on(["git", "fetch", "origin", "main"], .ok(""))
        runner.on(["git", "checkout", "-b", "revert/42", "origin/main"], .ok(""))
        runner.on(["git", "revert", "--no-edit", "-m", "1", "0f3e9b2c"], .ok("[revert/42 1a2b3c4] Revert \"Fix crash\"\n"))
        runner.on(["git", "push", "-u", "origin", "revert/42"], .ok(""))
        runner.on(
            [
                "gh", "pr", "create", "--base", "main", "--head", "revert/42", "--title", "Revert #42", "--body",
                "Reverts \(Self.pr) (merge commit 0f3e9b2c): its changes are being rolled back.",
            ], .ok("Creating pull request for revert/42 into main\n\nhttps://github.com/acme/widgets/pull/43\n"))

        let result = await Self.monitor(runner).openRevertPR(mergedPR: Self.pr, in: "/tmp/revert-worktree")

        #expect(result.opened)
        #expect(result.url == "https://github.com/acme/widgets/pull/43")
        #expect(result.mergeCommit == "0f3e9b2c")
        #expect(result.branch == "revert/42")
        #expect(result.error == nil)
        #expect(runner.calls.count == 6)
        #expect(runner.calls.allSatisfy { $0.directory == "/tmp/revert-worktree" })
    }

    @Test func conflictingRevertIsAbortedAndReported() async {
        let runner = ScriptedCommandRunner()
        runner.on(Self.lookup, .ok(#"{"baseRefName":"main","mergeCommit":{"oid":"0f3e9b2c"}}"#))
        runner.on(["git", "fetch", "origin", "main"], .ok(""))
        runner.on(["git", "checkout", "-b", "revert/42", "origin/main"], .ok(""))
        runner.on(
            ["git", "revert", "--no-edit", "-m", "1", "0f3e9b2c"],
            .failed(1, "error: could not revert 0f3e9b2c... Fix crash\nCONFLICT (content): Merge conflict in Sources/App.swift"))
        runner.on(["git", "revert", "--abort"], .ok(""))

        let result = await Self.monitor(runner).openRevertPR(mergedPR: Self.pr, in: "/tmp/w")

        #expect(!result.opened)
        #expect(result.error?.code == .ciCommand)
        #expect(result.error?.message.contains("Merge conflict") == true)
        #expect(runner.count(["git", "revert", "--abort"]) == 1)
        #expect(runner.count(["git", "push", "-u", "origin", "revert/42"]) == 0)
    }

    @Test func unmergedPullRequestHasNothingToRevert() async {
        let runner = ScriptedCommandRunner()
        runner.on(Self.lookup, .ok(#"{"baseRefName":"main","mergeCommit":null}"#))
        let result = await Self.monitor(runner).openRevertPR(mergedPR: Self.pr, in: "/tmp/w")
        #expect(!result.opened)
        #expect(result.error?.code == .ciCommand)
        #expect(runner.calls.count == 1)
    }
}
