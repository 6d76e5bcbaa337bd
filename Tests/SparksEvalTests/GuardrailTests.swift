import Testing

@testable import SparksEval

@Suite("Self-build guardrails")
struct GuardrailTests {
    private func check(
        output: String = "", paths: [String] = [], lines: [String] = [], detached: Bool = true
    ) -> [GuardrailViolation] {
        SelfBuildGuardrails.check(dispatchOutput: output, changedPaths: paths, addedLines: lines, worktreeDetached: detached)
    }

    @Test func cleanDispatchHasNoViolations() {
        let violations = check(
            output: "ran swift test\nall 12 tests passed\ngit status --short", paths: ["Sources/App/Router.swift", "README.md"],
            lines: ["let timeout = 30", "let message = \"hello world\"", "// the token bucket refills"])
        #expect(violations.isEmpty)
    }

    @Test func attachedWorktreeIsAViolation() {
        #expect(check(detached: false).map(\.code) == [.worktreeNotDetached])
        #expect(check(detached: true).isEmpty)
        #expect(check(detached: false).first?.fullCode == "policy.guardrail.worktree_not_detached")
    }

    @Test(arguments: ["git reset --hard", "git checkout --", "git clean -fd", "rm -rf /", "rm -rf *"])
    func destructiveCommandIsAViolation(_ command: String) {
        let violations = check(output: "$ \(command) HEAD~1\ndone")
        #expect(violations.map(\.code) == [.destructiveGitOrShell])
        #expect(violations.first?.detail.contains(command) == true)
        #expect(violations.first?.fullCode == "policy.guardrail.destructive_git_or_shell")
    }

    @Test func safeGitCommandsAreNotDestructive() {
        #expect(check(output: "git reset --soft HEAD~1\ngit checkout main\ngit clean -n\nrm -rf build").isEmpty)
    }

    @Test(arguments: [".env", "config/prod.env", "Secrets/keys.json", "deploy/CREDENTIALS.yml", "auth/TokenStore.swift"])
    func sensitivePathIsAViolation(_ path: String) {
        let violations = check(paths: ["Sources/ok.swift", path])
        #expect(violations.map(\.code) == [.sensitiveFileChanged])
        #expect(violations.first?.detail.contains(path) == true)
    }

    @Test func ordinaryPathsAreNotSensitive() {
        #expect(check(paths: ["env/README.md", ".envrc", "Sources/Environment.swift", "docs/security.md"]).isEmpty)
    }

    @Test(arguments: [
        ("let password = \"hunter2hunter2\"", "password", "hunter2hunter2"),
        ("API_KEY: 'abcdefgh'", "api_key", "abcdefgh"),
        ("\"apiKey\": \"0123456789abcdef\"", "apikey", "0123456789abcdef"),
        ("GITHUB_TOKEN=\"tok-value-123\"", "token", "tok-value-123"),
        ("client.secret = 'a-very-long-secret-value'", "secret", "a-very-long-secret-value"),
    ])
    func credentialAssignmentIsAViolationWithoutTheValue(_ line: String, key: String, literal: String) throws {
        let violations = check(lines: ["let a = 1", line])
        #expect(violations.map(\.code) == [.secretLikeDiff])
        let detail = try #require(violations.first?.detail)
        #expect(detail == "added line 2 assigns a \(literal.count)-character literal to \(key)")
        #expect(!detail.contains(literal))
        #expect(violations.first?.fullCode == "policy.guardrail.secret_like_diff")
    }

    @Test func shortOrUnquotedAssignmentsAreNotSecrets() {
        #expect(check(lines: ["password = \"short\"", "token = readToken()", "let secretCount = 12345678"]).isEmpty)
    }

    @Test func providerTokensAreViolationsWithoutTheValue() throws {
        let github = "ghp_" + String(repeating: "A1b2", count: 9)
        let openAI = "sk-" + String(repeating: "x9Y8", count: 6)
        let violations = check(lines: ["curl -H \"Authorization: \(github)\"", "OPENAI=\(openAI)"])
        #expect(violations.map(\.code) == [.secretLikeDiff, .secretLikeDiff])
        #expect(violations[0].detail == "added line 1 contains a 40-character GitHub token (ghp_…)")
        #expect(violations[1].detail == "added line 2 contains a 27-character API key (sk-…)")
        for violation in violations {
            #expect(!violation.detail.contains(github) && !violation.detail.contains(openAI))
            #expect(!violation.detail.contains("A1b2") && !violation.detail.contains("x9Y8"))
        }
    }

    @Test func shortOrEmbeddedTokenPrefixesAreNotSecrets() {
        // 19 characters in total: one short of the threshold.
        let shortGitHub = "ghp_" + String(repeating: "a", count: 15)
        #expect(check(lines: [shortGitHub, "sk-short", "task-abcdefghijklmnopqrstuvwxyz"]).isEmpty)
        #expect(check(lines: [shortGitHub + "a"]).count == 1)
    }

    @Test func violationsComeInStableOrder() {
        let violations = check(
            output: "git clean -fd", paths: [".env"], lines: ["password = \"12345678\""], detached: false)
        #expect(violations.map(\.code) == [.worktreeNotDetached, .destructiveGitOrShell, .sensitiveFileChanged, .secretLikeDiff])
    }
}
