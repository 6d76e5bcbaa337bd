import Foundation
import SparksCore

/// No isolation: commands run directly on the host, with only time, CPU, file-size and output
/// limits. Used only when the configuration says `sandbox.backend = "none"`, and announced on
/// every run.
public struct HostSandbox: Sandbox {
    public let kind = "none"

    public init() {}

    public func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        let limits = policy.limits
        let arguments = ["--cpu=\(limits.cpuSecs)", "--fsize=\(limits.fileSizeBytes)", "--core=0", "--"] + command.arguments
        let environment = BubblewrapSandbox.safeEnvironment.merging(policy.environment) { _, custom in custom }
        let output = try await ProcessRunner().run(ProcessRunner.Spec(
            executable: "/usr/bin/prlimit", arguments: arguments, environment: environment,
            workingDirectory: command.workingDirectory, stdin: command.stdin, limits: limits))
        return output.result
    }
}
