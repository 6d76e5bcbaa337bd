import Foundation
import SparksCore

/// The Docker backend, selectable per spark: the original's hardening (all capabilities
/// dropped, no new privileges, read-only root, no network, pids and memory limits, an
/// unprivileged user, a small noexec `/tmp`), with the task's workspace as the only writable
/// mount. `DockerSession` keeps one container per task and runs each command with `docker exec`.
public struct DockerSandbox: Sandbox {
    public let kind = "docker"
    public let dockerPath: String
    public let image: String
    /// `DOCKER_HOST`, passed on to the docker client.
    public let host: String?

    public init(dockerPath: String, image: String, host: String? = ProcessInfo.processInfo.environment["DOCKER_HOST"]) {
        self.dockerPath = dockerPath
        self.image = image
        self.host = host
    }

    /// `docker` on PATH (the standard directories when PATH is not set), if installed.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        findExecutable("docker", path: path)
    }

    /// The user commands run as: uid 65534 when Sparks is root, else Sparks' own user, so that
    /// files in the workspace are never root's unless Sparks itself is root.
    var user: String { geteuid() == 0 ? "65534:65534" : "\(geteuid()):\(getegid())" }

    /// Hands the workspace to uid 65534 when Sparks is root (commands run as that uid).
    public func prepareWorkspace(_ path: String) throws(SparksError) {
        guard geteuid() == 0 else { return }
        if lchown(path, 65534, 65534) != 0 { throw SparksError(.workspaceFailed, "cannot hand \(path) to uid 65534") }
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker { lchown(path + "/" + relative, 65534, 65534) }
        }
    }

    var clientEnvironment: [String: String] {
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        if let host { environment["DOCKER_HOST"] = host }
        return environment
    }

    /// `docker run` options for a container under `policy`.
    func containerOptions(name: String, policy: SandboxPolicy, workdir: String) -> [String] {
        let limits = policy.limits
        var options = ["--name", name, "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--read-only",
                       "--network", "none", "--pids-limit", String(limits.maxProcesses), "--memory", String(limits.memoryBytes),
                       "--memory-swap", String(limits.memoryBytes), "--cpus", "1", "--user", user,
                       "--ulimit", "fsize=\(limits.fileSizeBytes)", "--ulimit", "cpu=\(limits.cpuSecs)", "--ulimit", "core=0",
                       "--tmpfs", "/tmp:rw,noexec,nosuid,size=\(min(limits.tmpBytes, 64 << 20)),uid=\(user.split(separator: ":")[0]),gid=\(user.split(separator: ":")[1])",
                       "--workdir", workdir, "--label", "sparks=1"]
        for path in policy.writablePaths { options += ["--volume", "\(path):\(path):rw"] }
        for path in policy.protectedPaths where FileManager.default.fileExists(atPath: path) {
            options += ["--volume", "\(path):\(path):ro"]
        }
        for path in policy.readOnlyPaths where FileManager.default.fileExists(atPath: path) {
            options += ["--volume", "\(path):\(path):ro"]
        }
        for (key, value) in BubblewrapSandbox.safeEnvironment.merging(policy.environment, uniquingKeysWith: { _, custom in custom })
            .sorted(by: { $0.key < $1.key }) where key != "PATH"
        {
            options += ["--env", "\(key)=\(value)"]
        }
        return options
    }

    /// One command, one container: created and started first, so that it has a name to remove
    /// whatever happens to the command (a killed `docker run` client would leave it running).
    public func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        try await DockerSession(base: self, policy: policy).runOnce(command, policy: policy)
    }

    /// Removes a container and everything running in it; waits on a dispatch thread, not a concurrency thread.
    func remove(_ name: String) async {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dockerPath)
        process.arguments = ["rm", "--force", name]
        process.environment = clientEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        guard (try? process.run()) != nil else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                _ = done.wait(timeout: .now() + 30)
                continuation.resume()
            }
        }
    }
}

/// One container per task; each command is a `docker exec` in it.
public actor DockerSession: ClosableSandbox {
    public nonisolated let kind = "docker"
    let base: DockerSandbox
    let policy: SandboxPolicy
    private var container: String?

    public init(base: DockerSandbox, policy: SandboxPolicy) {
        self.base = base
        self.policy = policy
    }

    public func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        guard policy.writablePaths == self.policy.writablePaths else { return try await base.run(command, policy: policy) }
        let result = try await exec(command, policy: policy)
        // The container itself may have died (the memory limit can take its first process too):
        // start a new one and run the command there.
        if case .exited(let code) = result.termination, code == 125 || code == 126 || code == 1,
           ["is not running", "No such container", "OCI runtime exec failed"].contains(where: result.combinedOutput.contains)
        {
            if let container { await base.remove(container) }
            container = nil
            return try await exec(command, policy: policy)
        }
        return result
    }

    private func exec(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        let name = try await start()
        var arguments = ["exec", "--interactive", "--workdir", command.workingDirectory, "--user", base.user]
        for (key, value) in policy.environment.sorted(by: { $0.key < $1.key }) { arguments += ["--env", "\(key)=\(value)"] }
        let output = try await ProcessRunner().run(ProcessRunner.Spec(
            executable: base.dockerPath, arguments: arguments + [name] + command.arguments, environment: base.clientEnvironment,
            workingDirectory: "/", stdin: command.stdin ?? Data(), limits: policy.limits))
        if output.timedOut || output.flooded {
            // The exec'd process outlives its client: take the container down, start afresh next time.
            await base.remove(name)
            container = nil
        }
        return output.result
    }

    private func start() async throws(SparksError) -> String {
        if let container { return container }
        let name = "sparks-\(UUID().uuidString.prefix(12).lowercased())"
        var limits = policy.limits
        limits.timeoutSecs = 120
        let arguments = ["run", "--detach"] + base.containerOptions(name: name, policy: policy, workdir: policy.writablePaths.first ?? "/")
            + [base.image, "sleep", "2147483647"]
        let output = try await ProcessRunner().run(ProcessRunner.Spec(
            executable: base.dockerPath, arguments: arguments, environment: base.clientEnvironment, workingDirectory: "/",
            stdin: nil, limits: limits))
        guard output.exitStatus == 0 else {
            throw SparksError(.sandboxFailed, "docker could not start the task's container: "
                + output.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
                hint: "check that the Docker engine runs and the image \(base.image) exists (docker image ls)")
        }
        container = name
        return name
    }

    /// Removes the task's container.
    public func close() async {
        if let container { await base.remove(container) }
        container = nil
    }
}
