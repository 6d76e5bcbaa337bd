import Foundation
import SparksCore
import SparksTesting
import Testing

/// `sparks self-build run` end to end: the scripted model edits a real repository's detached
/// worktree, the maintenance command runs in the sandbox, the branch is pushed to a real (bare)
/// origin, and `gh` is a fake on PATH that records what it was asked.
@Suite struct SelfBuildCommandTests {
    struct Setup {
        let home: TemporaryDirectory
        let github: GitHubFixture
        var repo: TemporaryDirectory { github.repo }
        var origin: TemporaryDirectory { github.origin }
        var ghCalls: [String] { github.ghCalls }

        init() throws {
            home = try TemporaryDirectory(prefix: "sb-home")
            github = try GitHubFixture(prefix: "sb", files: ["README.md": "# App\n\nStatus: brokne\n"])
            try github.installGH("""
                [ "$1 $2" = "pr create" ] && echo "https://github.com/acme/app/pull/7"
                exit 0
                """)
        }

        func sparks(_ baseURL: String) -> SparksBinary {
            SparksBinary(home: home, baseURL: baseURL, extra: ["PATH": github.bin.path + ":/usr/bin:/bin"])
        }
    }

    @Test func autoWithoutAGreenRunOpensAPullRequestAndNeverMerges() async throws {
        let setup = try Setup()
        let server = ScriptedLLMServer(replies: [
            .toolCall("file_edit", #"{"path":"README.md","old":"Status: brokne","new":"Status: fixed"}"#),
            .text("Fixed the status line in README.md."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let out = setup.home.path + "/reports"
        let result = try await setup.sparks(server.baseURL).run([
            "self-build", "run", "--repo", setup.repo.path, "--ticket", "fix the status typo in README.md",
            "--promote-mode", "auto", "--allow-auto-promote", "--out", out,
        ], in: setup.repo.path, timeout: 180)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("promotion=open_pr"), "\(result.stdout)")
        // No maintenance command ran, so nothing was verified: a PR, not a merge.
        #expect(setup.ghCalls.count == 1)
        #expect(setup.ghCalls.first?.hasPrefix("pr create --base main --head selfbuild/") == true, "\(setup.ghCalls)")
        #expect(!setup.ghCalls.contains { $0.hasPrefix("pr merge") })
        let branches = try setup.origin.git("branch", "--list", "selfbuild/*")
        let branch = branches.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(branch.hasPrefix("selfbuild/"))
        #expect(try setup.origin.git("show", "\(branch):README.md").contains("Status: fixed"))
        #expect(setup.repo.read("README.md")?.contains("brokne") == true, "the main checkout is untouched")
        let reports = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(reports.contains { $0.hasSuffix(".md") } && reports.contains { $0.hasSuffix(".json") })
        #expect(try setup.repo.git("worktree", "list").split(separator: "\n").count == 1, "the worktree was removed")
    }

    @Test func aSecretInTheDiffBlocksPromotion() async throws {
        let setup = try Setup()
        let server = ScriptedLLMServer(replies: [
            .toolCall("file_write", #"{"path":"config.py","content":"api_key = \"sk-live-0123456789abcdefghij\"\n"}"#),
            .text("Added the config."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let result = try await setup.sparks(server.baseURL).run([
            "self-build", "run", "--repo", setup.repo.path, "--ticket", "add a config file", "--promote-mode", "pr",
            "--maintenance", "test -f config.py", "--out", setup.home.path + "/reports",
        ], in: setup.repo.path, timeout: 180)
        #expect(result.exitCode == 1, "the critic fails: stderr \(result.stderr)")
        #expect(result.stdout.contains("promotion=blocked"))
        #expect(result.stderr.contains("policy.guardrail.secret_like_diff"))
        #expect(!result.stderr.contains("0123456789abcdefghij"), "the secret is never repeated")
        #expect(setup.ghCalls.isEmpty)
        #expect(try setup.origin.git("branch", "--list", "selfbuild/*").isEmpty)
    }
}
