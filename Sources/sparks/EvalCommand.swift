import ArgumentParser
import Foundation
import SparksCore
import SparksEval
import SparksOrchestrator
import SparksStore

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure how well sparks do: run an eval suite, compare two runs, show the history.",
        discussion: """
            A suite (JSON, see eval/README.md) lists tasks, each on a small fixture repository with a test
            command. Every task runs like any dispatched task (its own clone, the sandbox, its verify command);
            then the test command runs in its workspace and the change is scored: exec success, tests pass,
            diff quality, plan quality, overall = 0.35·exec + 0.25·tests + 0.25·diff + 0.15·plan. The suite's
            gate decides PASS or FAIL.

            Examples:
              sparks eval run --suite eval/suites/core.json
              sparks eval run --suite eval/suites/smoke.json --provider local --repeat 3
              sparks eval compare eval/results/eval-20261127T101500Z.json eval/results/eval-20261127T120000Z.json
              sparks eval history
            """,
        subcommands: [EvalRunCommand.self, EvalCompareCommand.self, EvalHistoryCommand.self])
}

struct EvalRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a suite and write its results (JSON, Markdown, a line in history.jsonl).",
        discussion: "Exits 0 when the gate passes, 1 when it fails, 2 when the suite cannot be run.")

    @Option(name: .long, help: ArgumentHelp("The suite file.", valueName: "file"))
    var suite: String

    @Option(name: .long, help: "Run every task this many times.")
    var `repeat` = 1

    @Option(name: .long, parsing: .upToNextOption, help: "Only these task ids.")
    var only: [String] = []

    @Option(name: .long, help: "Use this spark for every task instead of the suite's.")
    var spark: String?

    @Option(name: .long, help: ArgumentHelp("Where results go.", valueName: "dir"))
    var out = "eval/results"

    @Option(name: .long, help: ArgumentHelp("Seconds a task may take when the suite does not say.", valueName: "secs"))
    var wait = 300

    @Flag(name: .long, help: "Keep the fixture copies and task workspaces (their paths are printed).")
    var keep = false

    @OptionGroup var options: GlobalOptions

    /// An eval error's message and hint (typed throws become `any Error` inside the CLI's closure).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? EvalError else { return "\(error)" }
        return error.message + (error.hint.map { " (\($0))" } ?? "")
    }

    func validate() throws {
        guard self.repeat >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard wait >= 1 else { throw ValidationError("--wait must be a positive number of seconds") }
    }

    func run() async throws {
        CLI.bootstrapLogging()
        try await CLI.run {
            let loadedSuite: EvalSuite
            do {
                loadedSuite = try EvalSuite.load(path: suite)
            } catch {
                Terminal.error("error: \(EvalRunCommand.describe(error))")
                throw ExitCode(2)
            }
            let (orchestrator, config, modelShutdown) = try await CLI.unattendedOrchestrator(options)
            let store = orchestrator.store
            let logger = CLI.logger(verbose: options.verbose)
            var runOptions = EvalRunner.Options()
            runOptions.repeatCount = self.repeat
            runOptions.only = only
            runOptions.spark = spark
            runOptions.defaultWaitSecs = wait
            runOptions.keep = keep
            let count = (only.isEmpty ? loadedSuite.tasks.count : only.count) * self.repeat
            Terminal.error("eval: suite \(loadedSuite.name), \(count) task run(s) on \(config.llm.provider.rawValue)/\(config.llm.model)")
            let result: EvalRunResult
            do {
                result = try await EvalRunner(orchestrator: orchestrator, logger: logger)
                    .run(loadedSuite, options: runOptions, provider: config.llm.provider.rawValue, model: config.llm.model) { task, done, total in
                        Terminal.error(String(format: "  [%d/%d] %@ run %d: %@ · overall %.2f (exec %.0f tests %.2f diff %.2f plan %.2f) · %.1f s",
                                              done, total, task.id, task.run, task.status, task.score.overall, task.score.exec,
                                              task.score.tests, task.score.diff, task.score.plan, Double(task.durationMs) / 1000))
                    }
            } catch {
                await modelShutdown()
                Terminal.error("error: \(EvalRunCommand.describe(error))")
                throw ExitCode(2)
            }
            await modelShutdown()
            let files: EvalReportFiles
            do {
                files = try EvalReport.write(result, to: out)
            } catch {
                Terminal.error("error: \(EvalRunCommand.describe(error))")
                throw ExitCode(2)
            }
            try store.recordEvalRun(EvalRunRecord(
                id: result.id, suite: result.suite, finishedAt: result.finishedAt, provider: result.provider, model: result.model,
                overall: result.scorecard.quality.overall, passRate: result.scorecard.success.passRate, gateOK: result.gate.passed,
                tasks: result.tasks.count, reportPath: (files.markdown as NSString).standardizingPath))
            Terminal.error("results: \(files.json)\n         \(files.markdown)\n         \(files.history)")
            for reason in result.gate.reasons { Terminal.error("  gate: \(reason)") }
            Terminal.out(String(format: "gate=%@ overall=%.3f pass_rate=%.2f", result.gate.passed ? "PASS" : "FAIL",
                                result.scorecard.quality.overall, result.scorecard.success.passRate))
            if !result.gate.passed { throw ExitCode(1) }
        }
    }
}

struct EvalCompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two eval results; exits 1 when the candidate regressed.",
        discussion: "Example: sparks eval compare eval/results/eval-A.json eval/results/eval-B.json --max-quality-drop 0.05")

    @Argument(help: "The baseline result (JSON).")
    var baseline: String

    @Argument(help: "The candidate result (JSON).")
    var candidate: String

    @Option(name: .long, help: "Tolerated fall of the pass rate.")
    var maxSuccessDrop = 0.0

    @Option(name: .long, help: "Tolerated fall of a quality mean or a task's overall score.")
    var maxQualityDrop = 0.0

    @Option(name: .long, help: "Tolerated rise of the failed, rolled-back or timeout rate.")
    var maxSafetyIncrease = 0.0

    @Option(name: .long, help: ArgumentHelp("Also write the report (Markdown) here.", valueName: "file"))
    var out: String?

    func run() async throws {
        try await CLI.run {
            func load(_ path: String) throws -> EvalRunResult {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw SparksError(.invalidInput, "cannot read \(path)")
                }
                do {
                    return try JSONDecoder().decode(EvalRunResult.self, from: data)
                } catch {
                    throw SparksError(.invalidInput, "\(path) is not an eval result (sparks.eval.v1): \(error)")
                }
            }
            let report = EvalCompare.compare(baseline: try load(baseline), candidate: try load(candidate),
                                             maxSuccessDrop: maxSuccessDrop, maxQualityDrop: maxQualityDrop,
                                             maxSafetyIncrease: maxSafetyIncrease)
            let markdown = report.markdown
            if let out {
                do {
                    try markdown.write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    throw SparksError(.invalidInput, "cannot write \(out): \(error.localizedDescription)")
                }
            }
            Terminal.out(markdown, newline: !markdown.hasSuffix("\n"))
            Terminal.out("verdict=\(report.verdict.rawValue)")
            if report.verdict == .regression { throw ExitCode(1) }
        }
    }
}

struct EvalHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List earlier eval runs from history.jsonl, newest last.")

    @Option(name: .long, help: ArgumentHelp("The results directory.", valueName: "dir"))
    var out = "eval/results"

    func run() async throws {
        try await CLI.run {
            let entries = EvalHistory.read(directory: out)
            guard !entries.isEmpty else {
                Terminal.error("no eval runs in \(out)/\(EvalReport.historyFileName) yet: `sparks eval run --suite …` makes one")
                return
            }
            for entry in entries {
                Terminal.out(String(format: "%@  %@  %@/%@  gate=%@  overall=%.3f  pass_rate=%.2f", entry.id, entry.suite,
                                    entry.provider ?? "-", entry.model ?? "-", entry.gateOk ? "PASS" : "FAIL", entry.overall,
                                    entry.passRate))
            }
        }
    }
}
