import Foundation
import SparksConfig
import SparksCore
import SparksSandbox
import SparksStore

/// Runs a feature contract: its batches in order, up to `parallelism` tasks at once within a
/// batch, each task a normal Sparks task (screened, selected, sandboxed, verified). The tasks'
/// work accumulates on an integration branch in a clone under `$SPARKS_HOME/features`, so that a
/// task sees what the tasks it depends on did and the user's working tree is untouched until the
/// feature is promoted. A task whose dependency did not succeed is `blocked`.
public struct FeatureRunner: Sendable {
    public let orchestrator: Orchestrator
    let git = HostGit()

    public init(orchestrator: Orchestrator) {
        self.orchestrator = orchestrator
    }

    public struct Options: Sendable {
        /// The repository the feature changes.
        public var repository: String
        /// Tasks at once within a batch (1–4).
        public var parallelism = 2
        public var continueOnFailure = false
        /// When a task fails, revert the merges of the tasks that succeeded in this run.
        public var rollbackOnFailure = false
        public var dryRun = false
        public var waitSecs: Int?
        /// Runs a queued task to its end; default: in this process. `sparks feature dispatch`
        /// passes a waiter when `sparks serve` runs the queue.
        public var runTask: (@Sendable (UUID) async throws(SparksError) -> TaskOutcome)?

        public init(repository: String) {
            self.repository = repository
        }
    }

    /// A finished run: the ledger and where its work is.
    public struct Run: Sendable {
        public var ledger: FeatureDispatchLedger
        /// The clone holding the integration branch.
        public var integrationPath: String
        public var integrationBranch: String
        public var baseCommit: String
        /// Tasks whose merges were reverted by rollback-on-failure.
        public var rolledBack: [String]
    }

    public func dispatch(_ loaded: LoadedContract, options: Options,
                         progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(SparksError) -> Run {
        let contract = loaded.contract
        let plan: ContractPlan
        do { plan = try ContractPlanner.plan(contract) } catch { throw error.sparksError }
        let started = Date()
        let run = String(UUID().uuidString.lowercased().prefix(8))
        let branch = "sparks/feature/\(Self.slug(contract.featureID))-\(run)"
        let home = (orchestrator.config.home as NSString).appendingPathComponent("features")
        let integration = (home as NSString).appendingPathComponent("\(Self.slug(contract.featureID))-\(run)")
        guard git.isRepository(options.repository) else {
            throw SparksError(.workspaceFailed, "\(options.repository) is not a git repository; a feature runs on a clone of one")
        }
        let repoLabel = contract.repo ?? TaskSpec.defaultRepoLabel(options.repository)
        if options.dryRun {
            let records = plan.executionOrder.map { FeatureTaskRecord(taskID: $0, status: .skipped, summary: "dry run") }
            for (index, batch) in plan.batches.enumerated() { progress("batch \(index + 1): \(batch.joined(separator: ", ")) (dry run)") }
            let ledger = FeatureDispatchLedger(featureID: contract.featureID, contractFile: loaded.file, startedAt: started,
                                               finishedAt: Date(), batches: plan.batches, tasks: records, dryRun: true)
            return Run(ledger: ledger, integrationPath: integration, integrationBranch: branch, baseCommit: "", rolledBack: [])
        }
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let top = try git.run(["rev-parse", "--show-toplevel"], in: options.repository).trimmingCharacters(in: .whitespacesAndNewlines)
        try git.run(["clone", "--shared", "--quiet", top, integration], in: home)
        try git.run(["checkout", "--quiet", "-b", branch], in: integration)
        for (key, value) in [("user.name", "Sparks"), ("user.email", "sparks@localhost")] {
            try git.run(["config", key, value], in: integration)
        }
        let base = try git.run(["rev-parse", "HEAD"], in: integration).trimmingCharacters(in: .whitespacesAndNewlines)
        progress("integration branch \(branch) in \(integration)")
        orchestrator.store.emit(.feature, "feature \(contract.featureID): dispatch started (\(plan.batches.count) batches)", details: .object([
            "feature_id": .string(contract.featureID), "run": .string(run), "branch": .string(branch),
        ]))

        var records: [String: FeatureTaskRecord] = [:]
        var merges: [(task: String, sparksID: UUID, commit: String)] = []
        var stopped = false
        let parallelism = min(max(options.parallelism, 1), 4)
        for (index, batch) in plan.batches.enumerated() {
            var runnable: [FeatureTask] = []
            for id in batch {
                guard let task = contract.task(id: id) else { continue }
                if stopped {
                    records[id] = FeatureTaskRecord(taskID: id, status: .skipped, error: "an earlier task failed (no --continue-on-failure)")
                    continue
                }
                let unmet = task.dependsOn.filter { records[$0]?.status != .succeeded }
                if !unmet.isEmpty {
                    records[id] = FeatureTaskRecord(taskID: id, status: .blocked,
                                                    error: "dependency \(unmet.joined(separator: ", ")) did not succeed")
                    continue
                }
                runnable.append(task)
            }
            if !runnable.isEmpty { progress("batch \(index + 1): \(runnable.map(\.id).joined(separator: ", "))") }
            for chunk in stride(from: 0, to: runnable.count, by: parallelism).map({ Array(runnable[$0..<min($0 + parallelism, runnable.count)]) }) {
                let results = await withTaskGroup(of: FeatureTaskRecord.self) { group in
                    for task in chunk {
                        let context = Self.context(for: task, contract: contract, records: records, run: run)
                        group.addTask {
                            await self.runTask(task, contract: contract, context: context, integration: integration,
                                               repoLabel: repoLabel, options: options, progress: progress)
                        }
                    }
                    var collected: [FeatureTaskRecord] = []
                    for await record in group { collected.append(record) }
                    return collected
                }
                // Merge in id order, so a run is reproducible.
                for var record in results.sorted(by: { ContractPlanner.idPrecedes($0.taskID, $1.taskID) }) {
                    if record.status == .succeeded, let id = record.sparksTaskID, let workspace = try? orchestrator.store.task(idPrefix: id.uuidString)?.workspace,
                       let taskBranch = record.branch {
                        do {
                            try GitDirectoryGuard().secure(workspace, alternates: integration + "/.git/objects")
                            let commit = try merge(taskBranch, from: workspace, into: integration,
                                                   message: "sparks feature \(contract.featureID): \(record.taskID)")
                            merges.append((record.taskID, id, commit))
                        } catch {
                            record.status = .failed
                            record.error = "could not merge into the integration branch: \(error.message)"
                        }
                    }
                    progress("  \(record.taskID): \(record.status.rawValue)\(record.error.map { " — \($0.prefix(120))" } ?? "")")
                    records[record.taskID] = record
                }
            }
            if !options.continueOnFailure && records.values.contains(where: { $0.status == .failed }) { stopped = true }
        }

        var rolledBack: [String] = []
        if options.rollbackOnFailure && records.values.contains(where: { $0.status == .failed }) {
            for merge in merges.reversed() {
                try git.run(["revert", "--no-edit", "-m", "1", merge.commit], in: integration)
                try? orchestrator.store.markRolledBack(taskID: merge.sparksID)
                rolledBack.append(merge.task)
                progress("  rolled back \(merge.task)")
            }
        }
        let ordered = plan.executionOrder.map { records[$0] ?? FeatureTaskRecord(taskID: $0, status: .skipped) }
        var ledger = FeatureDispatchLedger(featureID: contract.featureID, contractFile: loaded.file, startedAt: started,
                                           finishedAt: Date(), batches: plan.batches, tasks: ordered)
        ledger.integrationPath = integration
        ledger.integrationBranch = branch
        ledger.repository = top
        orchestrator.store.emit(.feature, "feature \(contract.featureID): dispatch \(ledger.status.rawValue)", details: .object([
            "feature_id": .string(contract.featureID), "run": .string(run), "status": .string(ledger.status.rawValue),
            "rolled_back": .array(rolledBack.map(JSONValue.string)),
        ]))
        return Run(ledger: ledger, integrationPath: integration, integrationBranch: branch, baseCommit: base, rolledBack: rolledBack)
    }

    /// One contract task as a Sparks task on the integration branch's current head.
    func runTask(_ task: FeatureTask, contract: FeatureContract, context: String, integration: String, repoLabel: String,
                 options: Options, progress: @Sendable (String) -> Void) async -> FeatureTaskRecord {
        let started = Date()
        var record = FeatureTaskRecord(taskID: task.id, status: .failed, spark: task.spark, startedAt: started)
        do {
            let request = Orchestrator.DispatchRequest(
                goal: task.goal, spark: task.spark, repository: integration, context: context,
                waitSecs: task.waitSecs ?? options.waitSecs, lane: contract.effectiveLane(of: task) == "self_improvement" ? "self_improvement" : "feature",
                risk: contract.effectiveRisk(of: task), source: "feature", verify: task.verify, repoLabel: repoLabel)
            let submission = try orchestrator.submit(request)
            record.sparksTaskID = submission.task.id
            record.spark = submission.task.spark
            progress("  \(task.id) → task \(submission.task.id.uuidString.lowercased().prefix(8)) (\(submission.task.spark))")
            let outcome: TaskOutcome
            if let blocked = submission.outcome {
                outcome = blocked
            } else if let runTask = options.runTask {
                outcome = try await runTask(submission.task.id)
            } else {
                outcome = try await orchestrator.runInProcess(taskID: submission.task.id)
            }
            let stored = try orchestrator.store.task(idPrefix: submission.task.id.uuidString)
            record.status = outcome.status == .succeeded ? .succeeded : outcome.status == .cancelled ? .cancelled : .failed
            record.summary = outcome.summary
            record.verifyExitCode = outcome.verifyExitCode
            record.error = outcome.status == .succeeded ? nil : outcome.error ?? outcome.reason?.rawValue
            record.attempts = stored?.attempts ?? 1
            record.branch = stored?.branch
        } catch {
            record.error = error.message
        }
        record.finishedAt = Date()
        record.durationSecs = Date().timeIntervalSince(started)
        return record
    }

    /// Merges a task's branch (fetched from its workspace) into the integration branch and returns
    /// the merge commit; a conflict aborts the merge and fails.
    func merge(_ branch: String, from workspace: String, into integration: String, message: String) throws(SparksError) -> String {
        try git.run(["fetch", "--quiet", workspace, branch], in: integration)
        let merged = try git.run(["merge", "--no-ff", "--no-edit", "-m", message, "FETCH_HEAD"], in: integration, allowFailure: true)
        let unmerged = try git.run(["diff", "--name-only", "--diff-filter=U"], in: integration)
        if !unmerged.isEmpty {
            try git.run(["merge", "--abort"], in: integration, allowFailure: true)
            throw SparksError(.workspaceFailed, "conflict in " + unmerged.split(separator: "\n").joined(separator: ", "))
        }
        _ = merged
        return try git.run(["rev-parse", "HEAD"], in: integration).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The task's context with the original's tags and the results of its direct predecessors.
    static func context(for task: FeatureTask, contract: FeatureContract, records: [String: FeatureTaskRecord], run: String) -> String {
        var lines: [String] = []
        if let context = task.context, !context.isEmpty { lines.append(context) }
        lines.append("[feature_id:\(contract.featureID)] [feature_task_id:\(task.id)] [feature_run:\(run)]")
        if !task.dependsOn.isEmpty { lines.append("[feature_depends_on:\(task.dependsOn.joined(separator: ","))]") }
        if !task.mappedAcceptance.isEmpty {
            let criteria = task.mappedAcceptance.map { id in
                "\(id): " + (contract.acceptanceCriteria.first { $0.id == id }?.description ?? "")
            }
            lines.append("Acceptance criteria this task serves:\n" + criteria.joined(separator: "\n"))
        }
        let previous = task.dependsOn.compactMap { id in records[id].map { "- \(id): \($0.summary)" } }
        if !previous.isEmpty { lines.append("Previous task results:\n" + previous.joined(separator: "\n")) }
        return lines.joined(separator: "\n\n")
    }

    static func slug(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        let lowered = text.lowercased().map { allowed.contains($0) ? $0 : "-" }
        return String(String(lowered).prefix(40))
    }
}

extension ContractError {
    /// The project's error, with the contract's code kept.
    public var sparksError: SparksError {
        SparksError(ErrorCode(code.rawValue), message, hint: hint, cause: self)
    }
}
