import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksLLM
import SparksOrchestrator

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this installation: configuration, database, disk, git, sandbox, embedding model, LLM.",
        discussion: """
            Each check is PASS, WARN or FAIL, with what to do for the last two. The checks are real:
            the database is integrity-checked, a command runs in the sandbox, the model server is
            asked for its models (skip that with --skip-llm). --security runs the full sandbox
            attestation instead (13 probes inside the sandbox, each spark's effective limits).

            Exit status: 1 when a check fails (and, with --fail-on-warn, when one warns); 0 otherwise.
            --json prints the report (schema sparks.doctor.v1, or sparks.security.v1 with --security):
              {"schema": "sparks.doctor.v1", "checks": [{"id", "status": "pass|warn|fail", "detail", "fix"?}],
               "summary": {"pass": N, "warn": N, "fail": N}}

            Examples:
              sparks doctor
              sparks doctor --skip-llm --json
              sparks doctor --security
            """)

    @Flag(name: .long, help: "Probe the sandbox for real and show each spark's limits.")
    var security = false

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @Flag(name: .long, help: "Do not contact the model provider.")
    var skipLlm = false

    @Flag(name: .long, help: "For CI: no colours (the exit status already reflects failures).")
    var ci = false

    @Flag(name: .long, help: "Exit 1 on warnings too.")
    var failOnWarn = false

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        CLI.bootstrapLogging(level: .critical)
        try await CLI.run {
            let loaded: LoadedConfig
            do {
                loaded = try CLI.loadConfig(options, showWarnings: false)
            } catch {
                // A broken configuration is itself the finding.
                let failure = SparksError.wrap(error)
                let report = InstallationDoctor.Report(
                    checks: [.init(id: "config", status: .fail, detail: failure.message, fix: failure.hint ?? "fix the file and line named")])
                print(report)
                throw ExitCode(1)
            }
            let config = loaded.config
            if security {
                try await runSecurity(config)
                return
            }
            var model: (any ChatModel)?
            var shutdown: (@Sendable () async -> Void)?
            var extra: [InstallationDoctor.Check] = []
            if !skipLlm {
                var probeConfig = config
                probeConfig.llm.maxRetries = 0
                probeConfig.llm.timeoutSecs = min(config.llm.timeoutSecs, 15)
                if config.llm.provider == .local && config.localModel.manage {
                    // The local model is checked by starting it (or finding it running) for real.
                    do {
                        let made = try await ModelFactory.start(probeConfig, logger: CLI.logger(verbose: false, level: .critical))
                        model = made.model
                        shutdown = made.shutdown
                        extra.append(.init(id: "local_model", status: .pass,
                                           detail: "\(config.localModel.modelPath) served by \(config.localModel.python)"))
                    } catch {
                        let failure = (error as? SparksError) ?? SparksError.wrap(error)
                        extra.append(.init(id: "local_model", status: .fail, detail: failure.message,
                                           fix: failure.hint ?? "scripts/local-model.sh installs the server and the model"))
                    }
                } else {
                    let made = ModelFactory.make(probeConfig.llm, logger: CLI.logger(verbose: false, level: .critical))
                    model = made.model
                    shutdown = made.shutdown
                }
            }
            let report = await InstallationDoctor(config: config, model: model).run(configWarnings: loaded.warnings, extraChecks: extra)
            await shutdown?()
            print(report)
            if report.worst == .fail || (failOnWarn && report.worst == .warn) { throw ExitCode(1) }
        }
    }

    func print(_ report: InstallationDoctor.Report) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.out(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
            return
        }
        let colour = !ci && isatty(STDOUT_FILENO) != 0
        for check in report.checks {
            let (mark, code) = switch check.status { case .pass: ("PASS", "32"); case .warn: ("WARN", "33"); case .fail: ("FAIL", "31") }
            let label = colour ? "\u{1B}[\(code)m\(mark)\u{1B}[0m" : mark
            Terminal.out("\(label)  \(check.id.padding(toLength: 16, withPad: " ", startingAt: 0)) \(check.detail)")
            if let fix = check.fix, check.status != .pass { Terminal.out("      \(String(repeating: " ", count: 16)) fix: \(fix)") }
        }
        Terminal.out("\(report.summary["pass"] ?? 0) pass, \(report.summary["warn"] ?? 0) warn, \(report.summary["fail"] ?? 0) fail")
    }

    func runSecurity(_ config: SparksConfig) async throws {
        let report = await SecurityDoctor(config: config).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.out(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            Terminal.out("Sandbox: \(report.backend)\(report.bwrap.map { " (\($0))" } ?? "")"
                + (report.enforcement.map { " · limits by \($0)" } ?? "")
                + " · seccomp denies \(report.seccompDeniedSyscalls) syscalls")
            for check in report.checks {
                let mark = switch check.status { case .pass: "PASS"; case .warn: "WARN"; case .fail: "FAIL" }
                Terminal.out("  \(mark)  \(check.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(check.detail)")
            }
            Terminal.out("Sparks:")
            for spark in report.sparks {
                Terminal.out("  \(spark.name): network \(spark.network), timeout \(Int(spark.timeoutSecs)) s, memory \(spark.memoryMB) MiB, "
                    + "\(spark.maxProcesses) processes; process tools: \(spark.processTools.isEmpty ? "none" : spark.processTools.joined(separator: ", "))")
            }
            Terminal.out("\(report.summary["pass"] ?? 0) pass, \(report.summary["warn"] ?? 0) warn, \(report.summary["fail"] ?? 0) fail")
        }
        if report.failed || (failOnWarn && (report.summary["warn"] ?? 0) > 0) { throw ExitCode(1) }
    }
}
