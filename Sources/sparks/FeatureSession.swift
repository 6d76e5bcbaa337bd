import Foundation
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksStore

/// What the feature commands share: the orchestrator, the daemon (when one runs) and ledgers.
struct FeatureSession {
    let config: SparksConfig
    let store: SparksStore
    let orchestrator: Orchestrator
    let shutdown: @Sendable () async -> Void

    init(options: GlobalOptions) async throws(SparksError) {
        config = try CLI.loadConfig(options).config
        store = try CLI.openStore(config)
        let (model, modelShutdown) = try await ModelFactory.start(config, logger: CLI.logger(verbose: options.verbose), progress: { Terminal.error($0) })
        let langfuse = CLI.langfuse(config, verbose: options.verbose)
        let otlp = CLI.otlp(config, verbose: options.verbose)
        let sandbox = try SandboxFactory.make(config.sandbox)
        let mcp = try MCPSetup.registry(config: config, sandbox: sandbox, store: store, logger: CLI.logger(verbose: options.verbose))
        self.shutdown = {
            await langfuse?.close()
            await otlp?.close()
            await mcp?.shutdown()
            await modelShutdown()
        }
        orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: sandbox,
                                    memory: CLI.memory(config, store: store), langfuse: langfuse, otlp: otlp, mcp: mcp,
                                    semanticCheck: try CLI.semanticCheck(config),
                                    logger: CLI.logger(verbose: options.verbose))
    }

    func close() async { await shutdown() }

    func dispatch(_ loaded: LoadedContract, run: FeatureCommand.RunOptions, dryRun: Bool) async throws(SparksError) -> FeatureRunner.Run {
        var options = FeatureRunner.Options(repository: run.repository(for: loaded.contract))
        options.parallelism = run.parallel
        options.continueOnFailure = run.continueOnFailure
        options.rollbackOnFailure = run.rollbackOnFailure
        options.dryRun = dryRun
        options.waitSecs = run.wait
        if let pid = DaemonLock.runningPID(home: config.home) {
            Terminal.error("tasks go to sparks serve (pid \(pid))")
            let store = self.store
            options.runTask = { id throws(SparksError) in
                do { return try await DaemonWait.quietOutcome(of: id, store: store) } catch { throw SparksError.wrap(error) }
            }
        }
        let result = try await FeatureRunner(orchestrator: orchestrator).dispatch(loaded, options: options) { Terminal.error($0) }
        let files: LedgerFiles
        do { files = try run.writer(config).write(result.ledger) } catch { throw error.sparksError }
        Terminal.out("feature \(loaded.contract.featureID): \(result.ledger.status.rawValue)")
        for record in result.ledger.tasks {
            Terminal.out("  \(record.taskID)  \(record.status.rawValue)\(record.sparksTaskID.map { "  task \($0.uuidString.lowercased().prefix(8))" } ?? "")"
                + (record.error.map { "  \($0.prefix(100))" } ?? ""))
        }
        if !result.rolledBack.isEmpty { Terminal.out("rolled back: " + result.rolledBack.joined(separator: ", ")) }
        if !dryRun { Terminal.out("integration branch \(result.integrationBranch) in \(result.integrationPath)") }
        Terminal.out("ledger: \(files.json)")
        return result
    }

    func latestDispatch(_ contract: FeatureContract, run: FeatureCommand.RunOptions) throws(SparksError) -> FeatureDispatchLedger {
        guard let path = run.writer(config).latest(FeatureDispatchLedger.self, featureID: contract.featureID) else {
            throw SparksError(.invalidInput, "no dispatch ledger for \(contract.featureID)", hint: "run `sparks feature dispatch` first")
        }
        do { return try LedgerWriter.read(FeatureDispatchLedger.self, from: path) } catch { throw error.sparksError }
    }

    func verify(_ loaded: LoadedContract, dispatch: FeatureDispatchLedger, profile: CheckProfile,
                run: FeatureCommand.RunOptions) async throws(SparksError) -> VerifyReport {
        guard let integration = dispatch.integrationPath, let branch = dispatch.integrationBranch,
              FileManager.default.fileExists(atPath: integration)
        else {
            throw SparksError(.invalidInput, "the latest dispatch of \(loaded.contract.featureID) has no integration branch on disk",
                              hint: "run `sparks feature dispatch` again")
        }
        let started = Date()
        Terminal.error("checks (\(profile.rawValue)) on \(branch):")
        let results = try await FeatureVerifier(orchestrator: orchestrator).runChecks(
            loaded.contract, profile: profile, integration: integration, branch: branch) { Terminal.error($0) }
        let report = VerifyRollUp.rollUp(loaded.contract, profile: profile, results: results)
        let ledger = FeatureVerifyLedger(report: report, contractFile: loaded.file, startedAt: started, finishedAt: Date())
        let files: LedgerFiles
        do { files = try run.writer(config).write(ledger) } catch { throw error.sparksError }
        for criterion in report.criteria {
            Terminal.out("  \(criterion.criterionID)  \(criterion.satisfied ? "satisfied" : "NOT satisfied")  "
                + "(checks passed: \(criterion.passedChecks.joined(separator: ", ")))")
        }
        Terminal.out("verify: \(report.promotable ? "promotable" : "not promotable")"
            + (report.blockers.isEmpty ? "" : " — " + report.blockers.joined(separator: ", ")))
        Terminal.out("ledger: \(files.json)")
        return report
    }

    /// Merges when the policy allows (low risk, everything passed, autonomy 4) or a person approves
    /// a feature that is otherwise promotable. Returns whether it merged.
    func promote(_ loaded: LoadedContract, dispatch: FeatureDispatchLedger, verify: VerifyReport, approve: Bool,
                 run: FeatureCommand.RunOptions) throws(SparksError) -> Bool {
        let decision = PromotionPolicy.decide(loaded.contract, dispatch: dispatch, verify: verify)
        let blocked = decision.reasons.filter { $0 != PromotionPolicy.riskRequiresApproval }
        var merged = false
        var approvedBy: String?
        var note: String
        if !blocked.isEmpty {
            note = "not promotable: " + blocked.joined(separator: ", ")
        } else if approve {
            approvedBy = ProcessInfo.processInfo.environment["USER"] ?? "cli"
            note = "approved by a person"
            merged = true
        } else if decision.autoPromotable && orchestrator.autonomy.allows(.mergeVerified) {
            note = "auto-promoted (low risk, all checks passed, autonomy \(orchestrator.autonomy.level.rawValue))"
            merged = true
        } else if decision.autoPromotable {
            do {
                try orchestrator.autonomy.enforce(.mergeVerified, what: "merge feature \(loaded.contract.featureID)", store: store)
            } catch {
                Terminal.error("note: \(error.message)")
            }
            note = "needs approval: autonomy \(orchestrator.autonomy.level.rawValue) does not merge on its own; pass --approve"
        } else {
            note = "needs approval (\(decision.reasons.joined(separator: ", "))); pass --approve"
        }
        if merged, let integration = dispatch.integrationPath, let branch = dispatch.integrationBranch, let repository = dispatch.repository {
            Terminal.out(try FeatureVerifier(orchestrator: orchestrator).promote(repository: repository, integration: integration, branch: branch))
        } else if merged {
            throw SparksError(.invalidInput, "the dispatch ledger does not say where the feature's work is", hint: "dispatch it again")
        }
        let ledger = FeaturePromoteLedger(decision: decision, recordedAt: Date(), approvedBy: approvedBy, promoted: merged)
        do { _ = try run.writer(config).write(ledger) } catch { throw error.sparksError }
        Terminal.out("promote: \(merged ? "merged" : "not merged") — \(note)")
        return merged
    }
}

extension DaemonWait {
    /// Waits for a task the daemon runs, without printing.
    static func quietOutcome(of id: UUID, store: SparksStore) async throws -> TaskOutcome {
        while true {
            guard let task = try store.task(idPrefix: id.uuidString) else {
                throw SparksError(.internalError, "task \(id.uuidString.lowercased()) vanished from the database")
            }
            if task.status.isTerminal { return Orchestrator.outcome(of: task) }
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}
