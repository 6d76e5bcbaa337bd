import Foundation
import SparksCore
import SparksTesting
import Testing

/// `sparks ci-monitor` with a fake `gh` on PATH whose checks fail until the PR's branch (in a real
/// bare origin) holds the fix; the scripted model makes the fix.
@Suite struct CIMonitorCommandTests {
    struct Setup {
        let home: TemporaryDirectory
        let github: GitHubFixture
        var repo: TemporaryDirectory { github.repo }
        var origin: TemporaryDirectory { github.origin }
        var ghCalls: [String] { github.ghCalls }

        init() throws {
            home = try TemporaryDirectory(prefix: "ci-home")
            github = try GitHubFixture(prefix: "ci", files: ["app.txt": "status: broken\n"], branches: ["main", "feature"])
            let passing = #"{"statusCheckRollup":[{"__typename":"CheckRun","name":"test","status":"COMPLETED","conclusion":"SUCCESS"}]}"#
            let failing = #"{"statusCheckRollup":[{"__typename":"CheckRun","name":"test","status":"COMPLETED","conclusion":"FAILURE"}]}"#
            try github.installGH("""
                case "$1 $2" in
                "pr view")
                    case "$*" in
                    *headRefName*) echo '{"headRefName":"feature"}' ;;
                    *mergeCommit*) echo '{"mergeCommit":{"oid":"'"$(git -C "\(github.origin.path)" rev-parse main)"'"},"baseRefName":"main"}' ;;
                    *statusCheckRollup*)
                        if [ "$FAKE_GH_MODE" = nochecks ]; then echo '{"statusCheckRollup":[]}'
                        elif [ "$FAKE_GH_MODE" = passing ]; then echo '\(passing)'
                        elif git -C "\(github.origin.path)" show feature:app.txt | grep -q fixed; then echo '\(passing)'
                        else echo '\(failing)'; fi ;;
                    *mergedAt*) echo '{"mergedAt":null}' ;;
                    esac ;;
                "pr checks") echo '[{"name":"test","state":"FAILURE","link":"https://github.com/acme/app/actions/runs/42/job/1"}]'; exit 1 ;;
                "run view") echo "test failed: app.txt says broken, expected fixed" ;;
                "pr merge") exit 0 ;;
                "run list")
                    if [ "$FAKE_GH_RUNS" = failing ]; then echo '[{"name":"deploy","status":"completed","conclusion":"failure"}]'
                    else echo '[{"name":"deploy","status":"completed","conclusion":"success"}]'; fi ;;
                "pr create") echo "Creating pull request"; echo "https://github.com/acme/app/pull/8" ;;
                esac
                """)
        }

        func sparks(_ baseURL: String, extra: [String: String] = [:]) -> SparksBinary {
            SparksBinary(home: home, baseURL: baseURL, extra: ["PATH": github.bin.path + ":/usr/bin:/bin"].merging(extra) { _, new in new })
        }
    }

    @Test func aFailingCheckIsHealedOnceThenMerged() async throws {
        let setup = try Setup()
        let server = ScriptedLLMServer(replies: [
            .toolCall("file_edit", #"{"path":"app.txt","old":"status: broken","new":"status: fixed"}"#),
            .text("Fixed app.txt."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let result = try await setup.sparks(server.baseURL, extra: ["SPARKS_ORCHESTRATOR_AUTONOMY": "4"]).run([
            "ci-monitor", "--pr", "https://github.com/acme/app/pull/7", "--repo", setup.repo.path, "--heal", "--auto-merge",
            "--poll", "5",
        ], timeout: 180)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("status=heal_succeeded heal_attempts=1 merged=true post_merge=passed"), "\(result.stdout)")
        #expect(try setup.origin.git("show", "feature:app.txt") == "status: fixed\n")
        // The fix task saw the failing log.
        let context = server.chatRequests.first?.messages.first { $0["role"] == "user" }?["content"]?.stringValue ?? ""
        #expect(context.contains("app.txt says broken, expected fixed"))
        #expect(setup.ghCalls.contains { $0.hasPrefix("pr merge https://github.com/acme/app/pull/7 --squash --delete-branch") })
    }

    @Test func aPullRequestWithNoChecksIsNeverMerged() async throws {
        let setup = try Setup()
        let server = ScriptedLLMServer(replies: [])
        try await server.start()
        defer { Task { await server.stop() } }
        let result = try await setup.sparks(server.baseURL, extra: ["SPARKS_ORCHESTRATOR_AUTONOMY": "4", "FAKE_GH_MODE": "nochecks"]).run([
            "ci-monitor", "--pr", "https://github.com/acme/app/pull/7", "--repo", setup.repo.path, "--auto-merge",
            "--poll", "5", "--no-checks-grace", "1",
        ], timeout: 120)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("status=no_checks"), "\(result.stdout)")
        #expect(result.stderr.contains("not merged"))
        #expect(!setup.ghCalls.contains { $0.hasPrefix("pr merge") })
    }

    @Test func aFailureAfterTheMergeOpensARevertPullRequest() async throws {
        let setup = try Setup()
        // The squash merge as it lands on the base branch.
        try setup.repo.write("app.txt", "status: merged change\n")
        try setup.repo.git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-am", "Add the change (#7)")
        try setup.repo.git("push", "--quiet", "origin", "main")
        let merged = try setup.origin.git("rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = ScriptedLLMServer(replies: [])
        try await server.start()
        defer { Task { await server.stop() } }
        let result = try await setup.sparks(server.baseURL, extra: [
            "SPARKS_ORCHESTRATOR_AUTONOMY": "4", "FAKE_GH_MODE": "passing", "FAKE_GH_RUNS": "failing",
            // The revert commit's author, as a user's git config would give it.
            "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
        ]).run([
            "ci-monitor", "--pr", "https://github.com/acme/app/pull/7", "--repo", setup.repo.path, "--auto-merge",
            "--poll", "5", "--post-merge-watch", "30",
        ], timeout: 120)
        #expect(result.exitCode == 1, "a failure after the merge is a failure: \(result.stderr)")
        #expect(result.stdout.contains("status=ci_passed heal_attempts=0 merged=true post_merge=failed revert_pr=https://github.com/acme/app/pull/8"),
                "\(result.stdout)\n\(result.stderr)")
        // The revert branch is on origin, starts from main and undoes the merge commit.
        #expect(try setup.origin.git("show", "revert/7:app.txt") == "status: broken\n")
        #expect(try setup.origin.git("rev-parse", "revert/7~1").trimmingCharacters(in: .whitespacesAndNewlines) == merged)
        #expect(setup.ghCalls.contains { $0.hasPrefix("pr create --base main --head revert/7 --title Revert #7") })
        // The temporary worktree is gone; the user's checkout is untouched.
        #expect(try setup.repo.git("worktree", "list").split(separator: "\n").count == 1)
        #expect(try setup.repo.git("rev-parse", "--abbrev-ref", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == "main")
    }
}
