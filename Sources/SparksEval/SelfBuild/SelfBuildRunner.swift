import Foundation
import Logging
import SparksCore
import SparksOrchestrator
import SparksSandbox
import SparksStore

/// Supervised self-build (§20): a ticket worked on in a detached worktree of a repository, then
/// judged — guardrails, maintenance, critic, review checklist — and promoted only as far as the
/// evidence allows. `auto` never merges without a green verification run.
public struct SelfBuildRunner: Sendable {
    public struct Request: Sendable {
        public var ticket: String
        public var context: String?
        public var repository: String
        public var risk = "low"
        public var waitSecs = 300
        public var spark = "coder"
        /// Run in the sandbox as the task's verify command; their passing is the green run.
        public var maintenance: [String] = []
        public var promoteMode: PromotionMode = .none
        public var allowAutoPromote = false
        public var keepWorktree = false
        public var baseBranch = "main"
        /// Where the worktree goes (`<dir>/<run id>`).
        public var worktreesDirectory: String

        public init(ticket: String, repository: String, worktreesDirectory: String) {
            self.ticket = ticket
            self.repository = repository
            self.worktreesDirectory = worktreesDirectory
        }
    }

    public struct Result: Sendable, Codable {
        public var runID: String
        public var ticket: String
        public var repository: String
        public var worktree: String
        public var taskID: String?
        public var taskStatus: String
        public var taskReason: String?
        public var changedFiles: [String]
        public var changedLines: Int
        public var maintenance: [String]
        public var maintenancePassed: Bool
        public var guardrails: [GuardrailViolation]
        public var critic: CriticScore
        public var checklist: ReviewChecklist
        public var decision: PromotionDecision
        /// What promotion did: the branch pushed, the PR's URL, the merge; or why it failed.
        public var promotion: [String]
        public var promotionFailed: Bool
        /// Success: the critic passed and promotion (if any) did not fail.
        public var ok: Bool { critic.passed && !promotionFailed }
    }

    public let orchestrator: Orchestrator
    public let git: HostGit
    public let logger: Logger
    /// The environment `git push` and `gh` run with (PATH finds `gh`; its own credentials apply).
    public let environment: [String: String]

    public init(orchestrator: Orchestrator, git: HostGit = HostGit(), logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.orchestrator = orchestrator
        self.git = git
        self.logger = logger
        self.environment = environment
    }

    public func run(_ request: Request, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(SparksError) -> Result {
        let runID = SelfBuildRunID.make()
        let worktree = request.worktreesDirectory + "/" + runID
        try FileManager.default.createDirectory(atPath: request.worktreesDirectory, withIntermediateDirectories: true,
                                                 attributes: nil, orThrow: "cannot create \(request.worktreesDirectory)")
        try git.run(["worktree", "add", "--quiet", "--detach", worktree, "HEAD"], in: request.repository)
        progress("self-build \(runID): detached worktree \(worktree)")
        defer {
            if !request.keepWorktree {
                _ = try? git.run(["worktree", "remove", "--force", worktree], in: request.repository, allowFailure: true)
            }
        }
        let context = ["[self_build_run:\(runID)]", request.context ?? "",
                       "Follow the guardrails: avoid destructive git commands, do not print or hardcode secrets."]
            .filter { !$0.isEmpty }.joined(separator: "\n")
        var dispatch = Orchestrator.DispatchRequest(
            goal: request.ticket, spark: request.spark, repository: worktree, context: context, waitSecs: request.waitSecs,
            lane: "self_improvement", risk: request.risk, source: "self_build",
            verify: request.maintenance.isEmpty ? nil : request.maintenance.joined(separator: " && "))
        var outcome = try await orchestrator.dispatch(dispatch)
        var evidence = try collect(outcome)
        if outcome.status == .succeeded && evidence.changed.isEmpty {
            progress("the task succeeded without a change; asking once more for a concrete diff")
            dispatch.context = context + "\nRe-read the files and produce a concrete diff: the last attempt changed nothing."
            outcome = try await orchestrator.dispatch(dispatch)
            evidence = try collect(outcome)
        }
        let detached = (try? git.run(["symbolic-ref", "-q", "HEAD"], in: worktree, allowFailure: false)) == nil
        let guardrails = SelfBuildGuardrails.check(dispatchOutput: evidence.transcript, changedPaths: evidence.changed,
                                                   addedLines: evidence.added, worktreeDetached: detached)
        let verified = request.maintenance.isEmpty ? false : outcome.verifyExitCode == 0
        let maintenancePassed = evidence.diffCheckPassed && (request.maintenance.isEmpty || verified)
        let critic = CriticScore.evaluate(dispatchSucceeded: outcome.status == .succeeded, exitCode: outcome.status == .succeeded ? 0 : 1,
                                          changeCount: evidence.changed.count, maintenancePassed: maintenancePassed,
                                          guardrailsPassed: guardrails.isEmpty)
        let blockers = guardrails.map(\.description) + (critic.passed ? [] : ["critic score \(critic.score) did not pass"])
        let checklist = ReviewChecklist.make(changedFiles: evidence.changed.count, changedLines: evidence.changedLines, blockers: blockers)
        let decision = PromotionPlan.decide(mode: request.promoteMode, risk: request.risk, allowAutoPromote: request.allowAutoPromote,
                                            critic: critic, guardrailViolations: guardrails, hasChanges: !evidence.changed.isEmpty,
                                            checklist: checklist, verificationGreen: verified)
        var result = Result(runID: runID, ticket: request.ticket, repository: request.repository, worktree: worktree,
                            taskID: outcome.taskID.uuidString.lowercased(), taskStatus: outcome.status.rawValue,
                            taskReason: outcome.reason?.rawValue, changedFiles: evidence.changed, changedLines: evidence.changedLines,
                            maintenance: request.maintenance, maintenancePassed: maintenancePassed, guardrails: guardrails,
                            critic: critic, checklist: checklist, decision: decision, promotion: [], promotionFailed: false)
        if decision.action == .openPR || decision.action == .merge {
            do {
                result.promotion = try promote(outcome, runID: runID, request: request, worktree: worktree, merge: decision.action == .merge,
                                               review: SelfBuildReport.markdown(result))
            } catch {
                result.promotion.append("promotion failed: \(error.message)")
                result.promotionFailed = true
            }
        }
        return result
    }

    struct Evidence {
        var changed: [String] = []
        var added: [String] = []
        var changedLines = 0
        var diffCheckPassed = true
        /// What the spark did, for the destructive-command guardrail: its tool calls and answer.
        var transcript = ""
    }

    private func collect(_ outcome: TaskOutcome) throws(SparksError) -> Evidence {
        var evidence = Evidence()
        guard let task = try orchestrator.store.task(idPrefix: outcome.taskID.uuidString), let path = task.workspace,
              let base = task.baseCommit
        else { return evidence }
        evidence.changed = try git.run(["diff", "--name-only", base], in: path).split(separator: "\n").map(String.init)
        evidence.added = try git.run(["diff", "--unified=0", base], in: path).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.map { String($0.dropFirst()) }
        evidence.changedLines = try git.run(["diff", "--numstat", base], in: path).split(separator: "\n").reduce(0) { total, line in
            let fields = line.split(separator: "\t")
            return total + (fields.count >= 2 ? (Int(fields[0]) ?? 0) + (Int(fields[1]) ?? 0) : 0)
        }
        evidence.diffCheckPassed = (try? git.run(["diff", "--check", base], in: path)) != nil
        if let conversation = try orchestrator.store.conversation(forTask: outcome.taskID) {
            evidence.transcript = try orchestrator.store.messages(in: conversation)
                .flatMap { message in message.toolCalls.map { "\($0.name) \($0.arguments)" } + [message.role == .assistant ? message.content ?? "" : ""] }
                .joined(separator: "\n")
        }
        evidence.transcript += "\n" + outcome.summary
        return evidence
    }

    /// A branch `selfbuild/<id>` with the task's change, pushed; a pull request by `gh`; with
    /// `merge`, merged by `gh` (squash) once it exists.
    private func promote(_ outcome: TaskOutcome, runID: String, request: Request, worktree: String, merge: Bool,
                         review: String) throws(SparksError) -> [String] {
        guard let task = try orchestrator.store.task(idPrefix: outcome.taskID.uuidString), let path = task.workspace,
              let branchName = task.branch, let base = task.baseCommit, let source = task.sourceRepository
        else { throw SparksError(.workspaceFailed, "the task's workspace is gone") }
        let branch = "selfbuild/\(runID)"
        var log: [String] = []
        try git.run(["checkout", "--quiet", "-b", branch], in: worktree)
        let workspace = Workspace(path: path, branch: branchName, baseCommit: base, source: source)
        log.append(try orchestrator.workspaces.apply(workspace))
        try git.run(["-c", "user.name=sparks", "-c", "user.email=sparks@localhost", "commit", "--quiet", "--allow-empty", "-m",
                     "self-build: \(request.ticket.prefix(72)) (\(runID))"], in: worktree)
        try git.run(["push", "--quiet", "-u", "origin", branch], in: worktree)
        log.append("pushed \(branch) to origin")
        let url = try command("gh", ["pr", "create", "--base", request.baseBranch, "--head", branch,
                                     "--title", "self-build: \(request.ticket.prefix(72)) (\(runID))", "--body", review], in: worktree)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        log.append("opened \(url)")
        if merge {
            _ = try command("gh", ["pr", "merge", url, "--squash", "--delete-branch"], in: worktree)
            log.append("merged \(url) (squash)")
        }
        return log
    }

    /// Runs a host command (git credentials and `gh` are the user's own), failing with its output.
    private func command(_ name: String, _ arguments: [String], in directory: String) throws(SparksError) -> String {
        let paths = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let executable = paths.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SparksError(.toolFailed, "`\(name)` is not on PATH", hint: "install the GitHub CLI (apt-get install gh) and run `gh auth login`")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw SparksError(.toolFailed, "cannot run \(name): \(error)") }
        let data = PipeReading.all(output.fileHandleForReading)
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw SparksError(.toolFailed, "`\(name) \(arguments.prefix(2).joined(separator: " "))` failed (\(process.terminationStatus)): \(text.suffix(400))")
        }
        return text
    }
}

extension FileManager {
    fileprivate func createDirectory(atPath path: String, withIntermediateDirectories: Bool, attributes: [FileAttributeKey: Any]?,
                                     orThrow message: String) throws(SparksError) {
        do {
            try createDirectory(atPath: path, withIntermediateDirectories: withIntermediateDirectories, attributes: attributes)
        } catch {
            throw SparksError(.workspaceFailed, "\(message): \(error.localizedDescription)")
        }
    }
}

/// The self-build run's report and its review, as Markdown and JSON files.
public enum SelfBuildReport {
    public static func markdown(_ result: SelfBuildRunner.Result) -> String {
        var text = "# Self-build \(result.runID)\n\n"
        text += "- Ticket: \(result.ticket)\n- Task: \(result.taskID ?? "-") (\(result.taskStatus)\(result.taskReason.map { ", \($0)" } ?? ""))\n"
        text += "- Changed: \(result.changedFiles.count) file(s), \(result.changedLines) line(s): \(result.changedFiles.joined(separator: ", "))\n"
        text += "- Maintenance: \(result.maintenance.isEmpty ? "git diff --check only" : result.maintenance.joined(separator: " && ")) — "
            + (result.maintenancePassed ? "passed" : "FAILED") + "\n"
        text += String(format: "- Critic: %.2f, %@\n", result.critic.score, result.critic.passed ? "passed" : "FAILED")
        text += "- Promotion: \(result.decision.action.rawValue) — \(result.decision.reasons.joined(separator: "; "))\n\n"
        text += "## Review checklist\n\n- Blast radius: \(result.checklist.blastRadius.rawValue)\n- Merge ready: \(result.checklist.mergeReady)\n"
        text += result.checklist.blockers.map { "- Blocker: \($0)\n" }.joined()
        text += "\n## Rollback plan\n\n" + result.checklist.rollbackPlan.enumerated().map { "\($0.offset + 1). \($0.element)\n" }.joined()
        if !result.guardrails.isEmpty {
            text += "\n## Guardrails\n\n" + result.guardrails.map { "- \($0.fullCode): \($0.detail)\n" }.joined()
        }
        text += "\n## Critic\n\n" + result.critic.parts.map { "- \($0)\n" }.joined()
        if !result.promotion.isEmpty { text += "\n## Promotion\n\n" + result.promotion.map { "- \($0)\n" }.joined() }
        return text
    }

    /// Writes `self-build-<id>.json` and `.md` into `directory`; returns their paths.
    public static func write(_ result: SelfBuildRunner.Result, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = directory + "/self-build-\(result.runID).json"
        let markdown = directory + "/self-build-\(result.runID).md"
        try encoder.encode(result).write(to: URL(fileURLWithPath: json))
        try Self.markdown(result).write(toFile: markdown, atomically: true, encoding: .utf8)
        return [json, markdown]
    }
}
