import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this installation. --security probes the sandbox for real and shows each spark's limits.",
        discussion: "Exits 1 when a check fails. Example: sparks doctor --security --json")

    @Flag(name: .long, help: "Check the sandbox by running probes inside it.")
    var security = false

    @Flag(name: .long, help: "Print the report as JSON (schema sparks.security.v1).")
    var json = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if !security { throw ValidationError("only `sparks doctor --security` is available so far") }
    }

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
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
            if report.failed { throw ExitCode(1) }
        }
    }
}
