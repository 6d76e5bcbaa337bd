import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksStore

struct FeatureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feature",
        abstract: "Feature contracts: acceptance criteria, checks and a DAG of tasks, run batch by batch.",
        discussion: """
            A contract (TOML, YAML or JSON) names acceptance criteria, verification checks mapped to
            them, and tasks with depends_on. `validate` reports every problem at once with its field
            path; `plan` prints the batches; `dispatch` runs them (tasks' work is merged on an
            integration branch in a clone under $SPARKS_HOME/features, not in your working tree);
            `verify` runs the checks there; `promote` merges it into the repository when the risk
            policy allows (low risk and autonomy 4, or --approve); `gate` does all three.

            Example:
              sparks feature init --pattern fanout-fanin --feature-id search > search.toml
              sparks feature validate --file search.toml
              sparks feature gate --file search.toml --repo .
            """,
        subcommands: [Init.self, Validate.self, Plan.self, Dispatch.self, Verify.self, Promote.self, Gate.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a contract template (linear or fanout-fanin).")
        @Option(name: .long, help: "linear (T1 → T2 → T3) or fanout-fanin (T1 → {T2, T3} → T4).") var pattern = "linear"
        @Option(name: .customLong("feature-id"), help: "The feature's id.") var featureID: String?
        @Option(name: .long, help: ArgumentHelp("Write to this file instead of stdout.", valueName: "path")) var file: String?
        @Flag(name: .long, help: "Overwrite --file if it exists.") var force = false

        func run() async throws {
            try await CLI.run {
                let text: String
                do { text = try ContractTemplates.render(patternName: pattern, featureID: featureID) } catch { throw contractFailure(error) }
                guard let file else {
                    Terminal.out(text, newline: false)
                    return
                }
                if FileManager.default.fileExists(atPath: file) && !force {
                    throw SparksError(.invalidInput, "\(file) exists", hint: "pass --force to overwrite it")
                }
                guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
                    throw SparksError(.invalidInput, "cannot write \(file)")
                }
                Terminal.out("wrote \(file)")
            }
        }
    }

    struct ContractOptions: ParsableArguments {
        @Option(name: [.long, .customLong("contract")], help: ArgumentHelp("The contract file.", valueName: "path"))
        var file: String

        /// Loads and validates; every error at once, warnings on stderr.
        func load() throws(SparksError) -> LoadedContract {
            let loaded: LoadedContract
            do { loaded = try ContractLoader.load(file: file) } catch { throw contractFailure(error) }
            let validation = ContractValidator.validate(loaded)
            for warning in validation.warnings { Terminal.error("warning: \(warning)") }
            do { try validation.requireValid(file: file) } catch { throw contractFailure(error) }
            return loaded
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a contract; list every error with its field path.",
                                                        aliases: ["lint"])
        @OptionGroup var contract: ContractOptions

        func run() async throws {
            try await CLI.run {
                let loaded: LoadedContract
                do { loaded = try ContractLoader.load(file: contract.file) } catch { throw contractFailure(error) }
                let validation = ContractValidator.validate(loaded)
                if validation.diagnostics.isEmpty {
                    Terminal.out("\(contract.file): valid (\(loaded.contract.tasks.count) tasks, "
                        + "\(loaded.contract.acceptanceCriteria.count) criteria, \(loaded.contract.verificationChecks.count) checks)")
                    return
                }
                Terminal.out(validation.report(file: contract.file))
                if !validation.isValid { throw ExitCode(2) }
            }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the batches and the coverage of each criterion.")
        @OptionGroup var contract: ContractOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            try await CLI.run {
                let loaded = try contract.load()
                let plan: ContractPlan
                do { plan = try ContractPlanner.plan(loaded.contract) } catch { throw contractFailure(error) }
                if json {
                    let data = (try? LedgerWriter.encoder().encode(plan)) ?? Data()
                    Terminal.out(String(decoding: data, as: UTF8.self))
                } else {
                    Terminal.out(plan.renderText(), newline: false)
                }
            }
        }
    }

    struct RunOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The repository (default: the contract's repo, else the current directory).", valueName: "path"))
        var repo: String?
        @Option(name: .long, help: "Tasks at once within a batch, 1 to 4.") var parallel = 2
        @Flag(name: .long, help: "Keep going after a task fails.") var continueOnFailure = false
        @Flag(name: .long, help: "If a task fails, revert the merges of this run's successful tasks.") var rollbackOnFailure = false
        @Option(name: .long, help: ArgumentHelp("Stop each task after this many seconds.", valueName: "secs")) var wait: Int?
        @Option(name: .long, help: ArgumentHelp("Where ledgers go (default $SPARKS_HOME/features/ledgers).", valueName: "dir")) var out: String?

        func repository(for contract: FeatureContract) -> String {
            WorkspacePaths.absolute(repo ?? contract.repo.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil } ?? ".")
        }

        func writer(_ config: SparksConfig) -> LedgerWriter {
            LedgerWriter(directory: out.map(WorkspacePaths.absolute) ?? (config.home as NSString).appendingPathComponent("features/ledgers"))
        }
    }

    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the contract's tasks batch by batch.")
        @OptionGroup var contract: ContractOptions
        @OptionGroup var run: RunOptions
        @Flag(name: .long, help: "Print the plan and write a ledger without running anything.") var dryRun = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let session = try await FeatureSession(options: options)
                let loaded = try contract.load()
                let result = try await session.dispatch(loaded, run: self.run, dryRun: dryRun)
                await session.close()
                if result.ledger.status != .succeeded { throw ExitCode(1) }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the checks on the latest dispatch's integration branch.")
        @OptionGroup var contract: ContractOptions
        @OptionGroup var run: RunOptions
        @Option(name: .long, help: "strict (all checks) or fast (fast checks only).") var profile = "strict"
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                guard let profile = CheckProfile(rawValue: profile) else {
                    throw SparksError(.invalidInput, "--profile must be strict or fast")
                }
                let session = try await FeatureSession(options: options)
                let loaded = try contract.load()
                let dispatch = try session.latestDispatch(loaded.contract, run: self.run)
                let report = try await session.verify(loaded, dispatch: dispatch, profile: profile, run: self.run)
                await session.close()
                if !report.promotable { throw ExitCode(1) }
            }
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the feature into the repository if the risk policy allows it.",
            discussion: "Low risk with everything passed is promoted automatically at autonomy 4; otherwise a person passes --approve.")
        @OptionGroup var contract: ContractOptions
        @OptionGroup var run: RunOptions
        @Flag(name: .long, help: "A person approves the merge (needed above low risk or below autonomy 4).") var approve = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let session = try await FeatureSession(options: options)
                let loaded = try contract.load()
                let dispatch = try session.latestDispatch(loaded.contract, run: self.run)
                let writer = self.run.writer(session.config)
                guard let verifyPath = writer.latest(FeatureVerifyLedger.self, featureID: loaded.contract.featureID) else {
                    throw SparksError(.invalidInput, "no verify ledger for \(loaded.contract.featureID)", hint: "run `sparks feature verify` first")
                }
                let verify: FeatureVerifyLedger
                do { verify = try LedgerWriter.read(FeatureVerifyLedger.self, from: verifyPath) } catch { throw contractFailure(error) }
                let merged = try session.promote(loaded, dispatch: dispatch, verify: verify.report, approve: approve, run: self.run)
                await session.close()
                if !merged { throw ExitCode(1) }
            }
        }
    }

    struct Gate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "dispatch + verify + promote; exits 0 only when the feature was promoted.")
        @OptionGroup var contract: ContractOptions
        @OptionGroup var run: RunOptions
        @Option(name: .long, help: "strict or fast.") var verifyProfile = "strict"
        @Flag(name: .long, help: "A person approves the merge.") var approve = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                guard let profile = CheckProfile(rawValue: verifyProfile) else {
                    throw SparksError(.invalidInput, "--verify-profile must be strict or fast")
                }
                let session = try await FeatureSession(options: options)
                let loaded = try contract.load()
                let dispatched = try await session.dispatch(loaded, run: self.run, dryRun: false)
                let report = try await session.verify(loaded, dispatch: dispatched.ledger, profile: profile, run: self.run)
                let merged = try session.promote(loaded, dispatch: dispatched.ledger, verify: report, approve: approve, run: self.run)
                let decision = PromotionPolicy.decide(loaded.contract, dispatch: dispatched.ledger, verify: report)
                let gate = FeatureGateLedger(dispatch: dispatched.ledger, verify: report, decision: decision, recordedAt: Date())
                do {
                    let files = try self.run.writer(session.config).write(gate)
                    Terminal.error("gate ledger: \(files.json)")
                } catch { throw contractFailure(error) }
                await session.close()
                if !merged { throw ExitCode(1) }
            }
        }
    }
}

/// A contract error as the project's error (other errors wrapped as they are).
func contractFailure(_ error: any Error) -> SparksError {
    (error as? ContractError)?.sparksError ?? SparksError.wrap(error)
}
