import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksSandbox

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Sparks against a baseline run in the same process.",
        subcommands: [Sandbox.self, MemoryBenchCommand.self])

    struct Sandbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cost of running `true` in the sandbox, cold (a new sandbox) and warm (the next command of a task), against a plain spawn.")

        @Option(name: .long, help: "Commands per series.")
        var runs = 100

        @Option(name: .long, help: ArgumentHelp("Also measure the Docker backend with this image (uses DOCKER_HOST).", valueName: "image"))
        var dockerImage: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                guard let bwrap = BubblewrapSandbox.locate() else {
                    throw SparksError(.sandboxUnavailable, "bubblewrap is not installed", hint: "apt-get install bubblewrap")
                }
                let sandbox = BubblewrapSandbox(bwrapPath: bwrap)
                let workdir = NSTemporaryDirectory() + "sparks-bench-\(UUID().uuidString.prefix(8))"
                try? FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: workdir) }
                var limits = config.sandbox.limits
                limits.timeoutSecs = 30
                let policy = SandboxPolicy.workspace(workdir, limits: limits)
                guard let supervisor = SandboxSession.locateSupervisor() else {
                    throw SparksError(.sandboxUnavailable, "sparks-supervisor is not next to the sparks executable",
                                      hint: "build both with `swift build` (or `make build`)")
                }
                let session = SandboxSession(base: sandbox, policy: policy, supervisorPath: supervisor)
                // The session's first command starts its sandbox; measure the ones after it.
                _ = try await session.run(SandboxCommand(arguments: ["/bin/true"], workingDirectory: workdir), policy: policy)
                Terminal.error("running \(runs) commands per series…")
                var variants: [(String, @Sendable () async throws(SparksError) -> Void)] = []
                var container: DockerSession?
                if let dockerImage {
                    guard let dockerPath = DockerSandbox.locate() else {
                        throw SparksError(.sandboxUnavailable, "the docker client is not installed")
                    }
                    let docker = DockerSandbox(dockerPath: dockerPath, image: dockerImage)
                    try docker.prepareWorkspace(workdir)
                    let warm = DockerSession(base: docker, policy: policy)
                    container = warm
                    _ = try await warm.run(SandboxCommand(arguments: ["true"], workingDirectory: workdir), policy: policy)
                    variants += [
                        ("docker cold", { @Sendable () async throws(SparksError) in
                            _ = try await docker.run(SandboxCommand(arguments: ["true"], workingDirectory: workdir), policy: policy)
                        }),
                        ("docker warm", { @Sendable () async throws(SparksError) in
                            _ = try await warm.run(SandboxCommand(arguments: ["true"], workingDirectory: workdir), policy: policy)
                        }),
                    ]
                }
                let series: [SandboxBenchmark.Series]
                do {
                    series = try await SandboxBenchmark().run(runs: runs, workdir: workdir, variants: [
                        ("bubblewrap cold", { @Sendable () async throws(SparksError) in
                            _ = try await sandbox.run(SandboxCommand(arguments: ["/bin/true"], workingDirectory: workdir), policy: policy)
                        }),
                        ("bubblewrap warm", { @Sendable () async throws(SparksError) in
                            _ = try await session.run(SandboxCommand(arguments: ["/bin/true"], workingDirectory: workdir), policy: policy)
                        }),
                    ] + variants)
                } catch {
                    await session.close()
                    await container?.close()
                    throw error
                }
                await session.close()
                await container?.close()
                Terminal.out("series               runs  median ms  p95 ms  added median  added p95")
                for item in series {
                    Terminal.out(item.name.padding(toLength: 19, withPad: " ", startingAt: 0) + "  "
                        + String(format: "%4d  %9.2f  %6.2f  %12.2f  %9.2f", item.runs, item.medianMs, item.p95Ms,
                                 item.addedMedianMs, item.addedP95Ms))
                }
            }
        }
    }
}
