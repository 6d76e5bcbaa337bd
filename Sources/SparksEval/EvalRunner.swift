import Foundation
import Logging
import SparksCore
import SparksOrchestrator
import SparksSandbox

/// Runs a suite through the orchestrator: each task on a fresh git copy of its fixture (a
/// disposable repository; the task works in its own clone of it, as every task does), then the
/// test command in the task's workspace in the sandbox, then scoring from the real diff.
public struct EvalRunner: Sendable {
    public struct Options: Sendable {
        /// Runs of every task.
        public var repeatCount = 1
        /// Only these task ids (all when empty).
        public var only: [String] = []
        /// A spark for every task, instead of the suite's.
        public var spark: String?
        /// Extra context given to every task (the optimizer's candidate prompt).
        public var context: String?
        /// Seconds a task may take when the suite says nothing.
        public var defaultWaitSecs = 300
        /// Keep the disposable repositories and workspaces (for a look afterwards).
        public var keep = false

        public init() {}
    }

    /// One finished task, for progress output.
    public typealias Progress = @Sendable (_ result: EvalTaskResult, _ done: Int, _ total: Int) -> Void

    public let orchestrator: Orchestrator
    public let git: HostGit
    public let logger: Logger

    public init(orchestrator: Orchestrator, git: HostGit = HostGit(), logger: Logger) {
        self.orchestrator = orchestrator
        self.git = git
        self.logger = logger
    }

    public func run(_ suite: EvalSuite, options: Options = Options(), provider: String?, model: String?,
                    progress: Progress = { _, _, _ in }) async throws(EvalError) -> EvalRunResult {
        let tasks = suite.resolvedTasks.filter { options.only.isEmpty || options.only.contains($0.id) }
        guard !tasks.isEmpty else {
            throw EvalError(code: EvalError.Code.suiteInvalid,
                            message: "no task of suite \(suite.name) matches \(options.only.joined(separator: ", "))",
                            hint: "task ids: " + suite.tasks.map(\.id).joined(separator: ", "))
        }
        let started = Date()
        let scratch = NSTemporaryDirectory() + "sparks-eval-\(UUID().uuidString.prefix(8))"
        defer { if !options.keep { try? FileManager.default.removeItem(atPath: scratch) } }
        var results: [EvalTaskResult] = []
        let total = tasks.count * max(1, options.repeatCount)
        for run in 1...max(1, options.repeatCount) {
            for task in tasks {
                if Task.isCancelled { break }
                let result = await runTask(task, run: run, scratch: scratch, options: options)
                results.append(result)
                progress(result, results.count, total)
            }
        }
        return EvalRunResult(suite: suite, startedAt: started, finishedAt: Date(), provider: provider, model: model,
                             repeatCount: max(1, options.repeatCount), tasks: results)
    }

    private func runTask(_ task: ResolvedEvalTask, run: Int, scratch: String, options: Options) async -> EvalTaskResult {
        let started = ContinuousClock.now
        func failed(_ error: EvalError) -> EvalTaskResult {
            EvalTaskResult(id: task.id, lane: task.lane, risk: task.risk, run: run, status: "error",
                           durationMs: milliseconds(since: started), score: .zero(note: error.message), error: error)
        }
        let repository: String
        do {
            repository = try prepareRepository(task, run: run, scratch: scratch)
        } catch {
            return failed(error)
        }
        let context = [task.context, options.context].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        let request = Orchestrator.DispatchRequest(
            goal: task.goal, spark: options.spark ?? task.spark, repository: repository, context: context.isEmpty ? nil : context,
            waitSecs: task.waitSecs ?? options.defaultWaitSecs, lane: task.lane, risk: task.risk, source: "eval",
            verify: task.verify, repoLabel: "eval:\(task.id)")
        let outcome: TaskOutcome
        do {
            outcome = try await orchestrator.dispatch(request)
        } catch {
            return failed(EvalError(code: EvalError.Code.taskHarnessFailed, message: "\(task.id): the task did not run: \(error.message)"))
        }
        defer { if !options.keep { discard(outcome.taskID) } }
        let evidence: TaskEvidence
        do {
            evidence = try await collect(task, outcome: outcome)
        } catch {
            return failed(error)
        }
        let score = EvalScoring.score(evidence, expect: task.expect)
        let status = outcome.reason == .dispatchTimeout ? EvalTaskResult.Status.timeout : outcome.status.rawValue
        return EvalTaskResult(id: task.id, lane: task.lane, risk: task.risk, run: run, status: status,
                              reason: outcome.reason?.rawValue, durationMs: milliseconds(since: started),
                              tokens: outcome.usage.promptTokens + outcome.usage.completionTokens,
                              changedFiles: evidence.changedFiles, score: score)
    }

    /// A git repository holding the fixture's files in one commit, under `scratch`.
    private func prepareRepository(_ task: ResolvedEvalTask, run: Int, scratch: String) throws(EvalError) -> String {
        guard let fixture = task.fixture else {
            throw EvalError(code: EvalError.Code.suiteInvalid, message: "\(task.id) names no fixture repository",
                            hint: "give the task a \"fixture\" directory, relative to the suite file")
        }
        let target = scratch + "/\(task.id)-\(run)"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: fixture, toPath: target)
            _ = try git.run(["init", "-q", "-b", "main"], in: target)
            _ = try git.run(["add", "-A"], in: target)
            _ = try git.run(["-c", "user.name=sparks-eval", "-c", "user.email=eval@sparks.invalid", "commit", "-q", "-m",
                             "fixture \(task.id)"], in: target)
        } catch {
            throw EvalError(code: EvalError.Code.taskHarnessFailed, message: "\(task.id): cannot prepare the fixture \(fixture): \(error)")
        }
        return target
    }

    /// What the task did: its diff against where it started, `git diff --check`, the test
    /// command's exit code in the sandbox, its answer.
    private func collect(_ task: ResolvedEvalTask, outcome: TaskOutcome) async throws(EvalError) -> TaskEvidence {
        guard let record = try? orchestrator.store.task(idPrefix: outcome.taskID.uuidString), let path = record.workspace,
              let base = record.baseCommit
        else {
            // Blocked before it started (scanner, autonomy): nothing changed, nothing to test.
            return TaskEvidence(succeeded: false, changedFiles: [], addedLines: [], diffCheckPassed: true,
                                testExitCode: task.testCommand == nil ? nil : -1, response: outcome.summary, readFile: { _ in nil })
        }
        let changed: [String]
        let added: [String]
        let checkPassed: Bool
        do {
            changed = try git.run(["diff", "--name-only", base], in: path).split(separator: "\n").map(String.init)
            added = try git.run(["diff", "--unified=0", base], in: path).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.map { String($0.dropFirst()) }
            checkPassed = (try? git.run(["diff", "--check", base], in: path)) != nil
        } catch {
            throw EvalError(code: EvalError.Code.taskHarnessFailed, message: "\(task.id): cannot read the task's diff: \(error.message)")
        }
        var testExit: Int?
        if let command = task.testCommand {
            do {
                testExit = try await orchestrator.check(command, taskID: outcome.taskID).exitCode ?? -1
            } catch {
                throw EvalError(code: EvalError.Code.taskHarnessFailed, message: "\(task.id): the test command did not run: \(error.message)")
            }
        }
        let root = path
        return TaskEvidence(succeeded: outcome.status == .succeeded, changedFiles: changed, addedLines: added,
                            diffCheckPassed: checkPassed, testExitCode: testExit, response: outcome.summary,
                            readFile: { file in
                                guard !file.contains(".."), let data = FileManager.default.contents(atPath: root + "/" + file) else { return nil }
                                return String(decoding: data, as: UTF8.self)
                            })
    }

    private func discard(_ taskID: UUID) {
        guard let record = try? orchestrator.store.task(idPrefix: taskID.uuidString), let path = record.workspace else { return }
        try? orchestrator.workspaces.remove(path)
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
