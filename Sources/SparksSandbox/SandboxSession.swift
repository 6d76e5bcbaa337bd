import Foundation
import SparksCore
import Synchronization

/// One long-lived sandbox for a task, with `sparks-supervisor` inside starting each command. The
/// first command pays for the sandbox; the next ones cost a fork and an exec. Each command still
/// gets its own time limit and output budget and its own process group, killed when it ends;
/// memory and process limits hold for the whole task.
public actor SandboxSession: ClosableSandbox {
    public nonisolated let kind = "bubblewrap"
    let base: BubblewrapSandbox
    let policy: SandboxPolicy
    let supervisorPath: String
    private var channel: SupervisorChannel?
    private var proxy: AllowlistProxy?
    let ssrfGuard: SSRFGuard

    /// `sparks-supervisor` next to the running executable, if it was built.
    public static func locateSupervisor() -> String? {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = (executable as NSString).deletingLastPathComponent + "/sparks-supervisor"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    public init(base: BubblewrapSandbox, policy: SandboxPolicy, supervisorPath: String, ssrfGuard: SSRFGuard = SSRFGuard()) {
        self.base = base
        self.policy = policy
        self.supervisorPath = supervisorPath
        self.ssrfGuard = ssrfGuard
    }

    /// The supervisor, or an error saying what needs it.
    public static func requireSupervisor(for purpose: String) throws(SparksError) -> String {
        guard let path = locateSupervisor() else {
            throw SparksError(.sandboxUnavailable, "\(purpose) needs sparks-supervisor next to the sparks executable",
                              hint: "build both with `swift build` (or `make build`) and keep them together")
        }
        return path
    }

    /// Hosts the proxy refused so far.
    public var refusedHosts: [String] { proxy?.refusedHosts ?? [] }

    /// Runs a command. A policy other than the session's (another writable directory) gets a sandbox of its own.
    public func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        guard policy.writablePaths == self.policy.writablePaths, policy.readOnlyPaths == self.policy.readOnlyPaths else {
            return try await base.run(command, policy: policy)
        }
        let channel = try await openChannel()
        var environment = BubblewrapSandbox.safeEnvironment.merging(policy.environment) { _, custom in custom }
        if proxy != nil { environment.merge(NetworkPolicy.proxyEnvironment) { _, proxy in proxy } }
        let result = try await channel.run(command, limits: policy.limits, environment: environment)
        if !channel.isAlive { self.channel = nil }
        return result
    }

    /// Ends the sandbox and everything still running in it.
    public func close() async {
        await channel?.close()
        channel = nil
        proxy?.stop()
        proxy = nil
    }

    private func openChannel() async throws(SparksError) -> SupervisorChannel {
        if let channel, channel.isAlive { return channel }
        var sessionPolicy = policy
        sessionPolicy.readOnlyPaths.append(supervisorPath)
        // The session lives as long as the task; commands carry their own time limits.
        sessionPolicy.limits.timeoutSecs = 7 * 24 * 3600
        var arguments = [supervisorPath]
        if case .allowlist(let hosts) = policy.network {
            if proxy == nil {
                // A private directory: only the bind mount makes the socket reachable from the sandbox.
                let directory = NSTemporaryDirectory() + "sparks-proxy-\(UUID().uuidString.prefix(12).lowercased())"
                guard mkdir(directory, 0o700) == 0 else {
                    throw SparksError(.sandboxFailed, "cannot create \(directory) for the network proxy")
                }
                let path = directory + "/proxy.sock"
                let made = AllowlistProxy(socketPath: path, allowedHosts: hosts, ssrfGuard: ssrfGuard)
                try made.start()
                proxy = made
            }
            sessionPolicy.proxySocket = proxy?.socketPath
            arguments += ["--bridge", String(NetworkPolicy.proxyPort), NetworkPolicy.socketInside]
        }
        let channel = try await SupervisorChannel.start(base: base, policy: sessionPolicy, arguments: arguments)
        self.channel = channel
        return channel
    }
}

/// The pipes to one running supervisor.
final class SupervisorChannel: Sendable {
    private let process: Process
    private let input: FileHandle
    private let frames: AsyncStream<(UInt8, Data)>.Iterator.Box
    private let group: CgroupLimiter.Group?
    private let alive = Mutex(true)

    var isAlive: Bool { alive.withLock { $0 } && process.isRunning }

    private init(process: Process, input: FileHandle, frames: AsyncStream<(UInt8, Data)>, group: CgroupLimiter.Group?) {
        self.process = process
        self.input = input
        self.frames = .init(frames.makeAsyncIterator())
        self.group = group
    }

    static func start(base: BubblewrapSandbox, policy: SandboxPolicy, arguments: [String]) async throws(SparksError) -> SupervisorChannel {
        let launch = try base.launchSpec(SandboxCommand(arguments: arguments, workingDirectory: policy.writablePaths.first ?? "/"),
                                         policy: policy)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launch.spec.executable)
        process.arguments = launch.spec.arguments
        process.environment = launch.spec.environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            launch.group?.remove()
            throw SparksError(.sandboxFailed, "cannot start the sandbox supervisor: \(error.localizedDescription)")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: (UInt8, Data).self)
        DispatchQueue.global().async {
            let handle = stdout.fileHandleForReading
            var buffer = Data()
            while true {
                let chunk = PipeReading.chunk(handle)
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while buffer.count >= 5 {
                    let kind = buffer[buffer.startIndex]
                    let length = buffer.subdata(in: buffer.startIndex + 1..<buffer.startIndex + 5)
                        .withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian }
                    // 'X' frames carry 5 bytes (status + flag) after the kind, not a length-prefixed string.
                    let total = kind == UInt8(ascii: "X") ? 6 : 5 + Int(length)
                    guard buffer.count >= total else { break }
                    let payload = buffer.subdata(in: buffer.startIndex + 1..<buffer.startIndex + total)
                    continuation.yield((kind, kind == UInt8(ascii: "X") ? payload : payload.dropFirst(4)))
                    buffer.removeFirst(total)
                }
            }
            continuation.finish()
        }
        let channel = SupervisorChannel(process: process, input: stdin.fileHandleForWriting, frames: stream, group: launch.group)
        guard let hello = await channel.frames.next(), hello.0 == UInt8(ascii: "H") else {
            let problem = String(decoding: PipeReading.chunk(stderr.fileHandleForReading), as: UTF8.self)
            await channel.close()
            throw SparksError(.sandboxFailed, "the sandbox supervisor did not start: \(problem.trimmingCharacters(in: .whitespacesAndNewlines))",
                              hint: "run `sparks doctor --security`")
        }
        return channel
    }

    func run(_ command: SandboxCommand, limits: SandboxLimits, environment: [String: String]) async throws(SparksError) -> SandboxResult {
        let started = ContinuousClock.now
        let oomBefore = group?.oomKillCount() ?? 0
        var frame = Data([UInt8(ascii: "R")])
        func u32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { frame.append(contentsOf: $0) } }
        func string(_ text: Data) { u32(text.count); frame.append(text) }
        u32(command.arguments.count)
        for argument in command.arguments { string(Data(argument.utf8)) }
        string(Data(command.workingDirectory.utf8))
        u32(Int(min(limits.timeoutSecs * 1000, Double(UInt32.max - 1))))
        u32(environment.count)
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) { string(Data("\(key)=\(value)".utf8)) }
        string(command.stdin ?? Data())
        do { try input.write(contentsOf: frame) } catch {
            alive.withLock { $0 = false }
            throw SparksError(.sandboxFailed, "the sandbox supervisor is gone")
        }
        let budget = OutputBudget(keep: limits.outputBytes, kill: limits.outputKillBytes)
        var exit: (Int32, Bool)?
        while let (kind, payload) = await frames.next() {
            switch kind {
            case UInt8(ascii: "O"), UInt8(ascii: "E"):
                if budget.append(payload, stream: kind == UInt8(ascii: "O") ? 0 : 1) {
                    try? input.write(contentsOf: Data([UInt8(ascii: "K")]))
                }
            case UInt8(ascii: "X"):
                let status = payload.prefix(4).withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
                exit = (status, payload.count > 4 && payload[payload.startIndex + 4] != 0)
            default:
                break
            }
            if exit != nil { break }
        }
        let elapsed = started.duration(to: .now)
        let durationMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let (stdout, stderr, truncated, flooded) = budget.result()
        guard let (status, timedOut) = exit else {
            alive.withLock { $0 = false }
            // The whole sandbox died under the command: most likely the memory limit.
            let termination: Termination = (group?.oomKillCount() ?? 0) > oomBefore ? .memoryLimit : .signaled(SIGKILL)
            return SandboxResult(termination: termination, stdout: stdout, stderr: stderr, truncated: truncated, durationMs: durationMs)
        }
        let termination: Termination
        if flooded {
            termination = .outputLimit
        } else if timedOut {
            termination = .timedOut
        } else if (group?.oomKillCount() ?? 0) > oomBefore {
            termination = .memoryLimit
        } else if status < 0 {
            termination = .signaled(-status)
        } else {
            termination = .exited(status)
        }
        return SandboxResult(termination: termination, stdout: stdout, stderr: stderr, truncated: truncated, durationMs: durationMs)
    }

    func close() async {
        alive.withLock { $0 = false }
        try? input.close()
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                let deadline = Date(timeIntervalSinceNow: 2)
                while process.isRunning, Date() < deadline { usleep(10_000) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    while process.isRunning { usleep(5_000) }
                }
                continuation.resume()
            }
        }
        group?.remove()
    }
}

extension AsyncStream.Iterator {
    /// Lets a `Sendable` owner keep an iterator; only one task reads it at a time (the session actor's).
    final class Box: @unchecked Sendable {
        private var iterator: AsyncStream.Iterator

        init(_ iterator: AsyncStream.Iterator) { self.iterator = iterator }

        func next() async -> Element? { await iterator.next() }
    }
}
