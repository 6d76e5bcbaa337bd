import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore
import SparksTesting
import SparksTools
import Testing

/// `coding_cli`: a spark hands a step to a coding CLI, which runs inside the task's sandbox in its
/// workspace; each run is recorded, and the record orders the CLIs per repository and lane.
@Suite(.timeLimit(.minutes(5))) struct CodingCLITests {
    static let apiKey = "sk-ant-test-0123456789abcdefghij"

    /// Fake `claude` and `codex` executables, readable by the sandbox's user.
    func fakeCLIs() throws -> TemporaryDirectory {
        let bin = try TemporaryDirectory(prefix: "fake-cli")
        _ = try bin.write("claude", """
            #!/bin/sh
            # Claude Code's print mode: claude -p PROMPT --output-format json …
            printf '%s\\n' "$2" > CLI_PROMPT.txt
            printf 'Contributions welcome: run make test first.\\n' > CONTRIBUTING.md
            if [ -n "$ANTHROPIC_API_KEY" ]; then key="$ANTHROPIC_API_KEY"; else key=none; fi
            printf '{"type":"result","subtype":"success","is_error":false,"result":"Added CONTRIBUTING.md (key %s)"}\\n' "$key"
            """)
        _ = try bin.write("codex", """
            #!/bin/sh
            echo "codex: the model refused the request" >&2
            exit 3
            """)
        for name in ["claude", "codex"] { chmod(bin.file(name), 0o755) }
        chmod(bin.path, 0o755)
        return bin
    }

    func config(_ bin: TemporaryDirectory) -> String {
        """
        [coding_cli]
        bin_dir = "\(bin.path)"
        env = ["ANTHROPIC_API_KEY=\(Self.apiKey)"]

        [[sparks]]
        name = "delegator"
        description = "Hands coding steps to a coding CLI."
        tools = ["coding_cli", "file_read", "git"]
        cli_tool = "claude_code"
        """
    }

    @Test func aSparkDelegatesAStepToTheCLIInsideTheSandbox() async throws {
        let bin = try fakeCLIs()
        let replies: [ScriptedReply] = [
            .toolCall("coding_cli", #"{"task":"Add a CONTRIBUTING.md that says to run make test first."}"#),
            .text("The CLI added CONTRIBUTING.md."),
            .toolCall("coding_cli", #"{"task":"Add a CHANGELOG.md."}"#),
            .text("The CLI failed; nothing changed."),
        ]
        try await withHarness(replies: replies, config: config(bin)) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "cli-repo")
            let outcome = try await harness.orchestrator.dispatch(.init(goal: "Add a CONTRIBUTING.md", spark: "delegator",
                                                                         repository: repo.path))
            #expect(outcome.status == .succeeded, "\(outcome.summary)")
            let record = try #require(try harness.store.task(idPrefix: outcome.taskID.uuidString))
            let workspace = try #require(record.workspace)
            // The CLI ran in the task's workspace (not the source repository) and got the instruction.
            #expect(FileManager.default.fileExists(atPath: workspace + "/CONTRIBUTING.md"))
            #expect(!FileManager.default.fileExists(atPath: repo.path + "/CONTRIBUTING.md"))
            #expect((try? String(contentsOfFile: workspace + "/CLI_PROMPT.txt", encoding: .utf8))?.contains("run make test first") == true)
            // Its answer reached the model, with the API key it was given redacted.
            let observation = harness.server.chatRequests[1].body?.canonicalText ?? ""
            #expect(observation.contains("[claude_code] Added CONTRIBUTING.md"))
            #expect(!observation.contains(Self.apiKey))
            #expect(observation.contains("REDACTED"))
            let stats = try harness.store.cliToolStats(repo: record.repoLabel, lane: record.lane)
            #expect(stats.map(\.cli) == ["claude_code"])
            #expect(stats.first?.successes == 1)

            // The task asks for codex, which fails: a tool error for the model, and a failed run on record.
            var request = Orchestrator.DispatchRequest(goal: "Add a CHANGELOG.md", spark: "delegator", repository: repo.path)
            request.cliTool = "codex"
            _ = try await harness.orchestrator.dispatch(request)
            let failed = harness.server.chatRequests[3].body?.canonicalText ?? ""
            #expect(failed.contains("codex failed"))
            #expect(failed.contains("the model refused the request"))
            let after = try harness.store.cliToolStats(repo: record.repoLabel, lane: record.lane)
            let codex = try #require(after.first { $0.cli == "codex" })
            #expect(codex.runs == 1)
            #expect(codex.successes == 0)
        }
    }

    @Test func theCLIsAreOrderedByTheirRecordInTheRepositoryAndLane() {
        let configured: [CodingCLI] = [.claudeCode, .codex, .opencode]
        // No record yet: the configured order, the preferred one first.
        #expect(CodingCLIContext.rank(preferred: nil, configured: configured, stats: []) == configured)
        #expect(CodingCLIContext.rank(preferred: .opencode, configured: configured, stats: []) == [.opencode, .claudeCode, .codex])
        // Codex succeeded 4 of 4, Claude Code 1 of 3: codex first. Opencode's 2 runs are too few to count.
        let stats: [(cli: CodingCLI, runs: Int, successes: Int)] = [(.claudeCode, 3, 1), (.codex, 4, 4), (.opencode, 2, 2)]
        #expect(CodingCLIContext.rank(preferred: nil, configured: configured, stats: stats) == [.codex, .claudeCode, .opencode])
        // A CLI the task or spark names still comes first.
        #expect(CodingCLIContext.rank(preferred: .claudeCode, configured: configured, stats: stats) == [.claudeCode, .codex, .opencode])
    }

    @Test func claudeCodesJSONAnswerIsRead() {
        let ok = CodingCLI.claudeCode.answer(from: "warning: x\n{\"type\":\"result\",\"is_error\":false,\"result\":\"Done\"}\n")
        #expect(ok.text == "Done")
        #expect(!ok.failed)
        #expect(CodingCLI.claudeCode.answer(from: #"{"type":"result","subtype":"error_max_turns","is_error":true,"result":"x"}"#).failed)
        #expect(CodingCLI.codex.answer(from: " plain text \n").text == "plain text")
        #expect(CodingCLI.codex.arguments(prompt: "p") == ["codex", "exec", "--full-auto", "--skip-git-repo-check", "p"])
    }
}
