import Foundation
import SparksCore
import SparksSandbox
import SparksTesting
import Testing

/// The Docker backend against a real engine, which `make test` starts (scripts/start-docker.sh)
/// and names in SPARKS_TEST_DOCKER_HOST. Where no engine can start, these tests are skipped and say so.
enum DockerTestEnvironment {
    static let host: String? = ProcessInfo.processInfo.environment["SPARKS_TEST_DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
    static let image = "sparks-test-busybox:1"

    static func sandbox() throws -> DockerSandbox {
        DockerSandbox(dockerPath: try #require(DockerSandbox.locate(path: "/usr/bin:/usr/local/bin")), image: image, host: host)
    }
}

@Suite(.enabled(if: DockerTestEnvironment.host != nil,
                "no Docker engine: run through `make test`, which starts one, or start dockerd and set SPARKS_TEST_DOCKER_HOST"))
struct DockerSandboxTests {
    func policy(_ workspace: TemporaryDirectory, timeout: Double = 30) -> SandboxPolicy {
        var limits = SandboxLimits(timeoutSecs: timeout, maxProcesses: 64, outputBytes: 64 << 10, outputKillBytes: 4 << 20)
        limits.memoryBytes = 128 << 20
        return .workspace(workspace.path, limits: limits)
    }

    @Test(arguments: [false, true])
    func hardenedContainer(warm: Bool) async throws {
        let base = try DockerTestEnvironment.sandbox()
        let workspace = try TemporaryDirectory.gitRepository(prefix: "docker-work")
        try base.prepareWorkspace(workspace.path)
        let session = warm ? DockerSession(base: base, policy: policy(workspace)) : nil
        let sandbox: any Sandbox = session ?? base
        func run(_ script: String, timeout: Double = 30) async throws -> SandboxResult {
            try await sandbox.run(.shell(script, in: workspace.path), policy: policy(workspace, timeout: timeout))
        }
        let identity = try await run("id -u; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; tail -n +3 /proc/net/dev | cut -d: -f1")
        #expect(identity.termination == .exited(0), "\(identity.combinedOutput)")
        if geteuid() == 0 { #expect(identity.stdout.hasPrefix("65534\n")) }
        #expect(identity.stdout.contains("CapEff:\t0000000000000000"))
        #expect(identity.stdout.contains("NoNewPrivs:\t1"))
        #expect(identity.stdout.hasSuffix("lo\n"))

        let write = try await run("echo made > made.txt && echo x > /bin/evil")
        #expect(!write.termination.succeeded)
        #expect(write.stderr.contains("Read-only file system"))
        #expect(workspace.read("made.txt") == "made\n")
        var info = stat()
        #expect(stat(workspace.file("made.txt"), &info) == 0)
        #expect(info.st_uid != 0)

        let hook = try await run("echo evil > .git/hooks/pre-commit")
        #expect(hook.stderr.contains("Read-only file system"))

        let bomb = try await run("i=0; while [ $i -lt 300 ]; do (sleep 5 &) 2>/dev/null || break; i=$((i+1)); done; echo spawned=$i")
        let spawned = Int(bomb.stdout.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 300
        #expect(spawned < 300, "\(bomb.combinedOutput)")

        let memory = try await run("x=$(head -c 400000000 /dev/zero | tr '\\000' x); echo ${#x}")
        // The kernel kills whichever process of the container is largest: the command, or the shell holding the string.
        #expect(!memory.stdout.contains("400000000"), "\(memory.combinedOutput)")

        let loop = try await run("while :; do :; done", timeout: 2)
        #expect(loop.termination == .timedOut, "\(loop.combinedOutput)")
        let flood = try await run("yes flood")
        #expect(flood.termination == .outputLimit)
        // After a stopped command the task's sandbox still works.
        let after = try await run("echo still here")
        #expect(after.stdout == "still here\n")
        await session?.close()
    }

    @Test func missingImageIsAClearError() async throws {
        let base = DockerSandbox(dockerPath: try #require(DockerSandbox.locate(path: "/usr/bin:/usr/local/bin")),
                                 image: "sparks-no-such-image:0", host: DockerTestEnvironment.host)
        let workspace = try TemporaryDirectory(prefix: "docker-missing")
        let error = await #expect(throws: SparksError.self) {
            _ = try await base.run(.shell("true", in: workspace.path), policy: policy(workspace))
        }
        #expect(error?.code == .sandboxFailed)
        #expect(error?.hint?.contains("sparks-no-such-image") == true)
    }
}
