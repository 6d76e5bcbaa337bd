import Foundation
import SparksCore

/// Runs commands as child processes with `Foundation.Process`.
///
/// The child gets exactly `environment` (nothing is inherited, so a token in our environment
/// reaches `gh` only when the caller passes it) and stdin from `/dev/null` so `gh` never waits
/// for a prompt. Each command runs on its own thread: reading pipes and waiting block, and must
/// not hold a thread of the concurrency pool. A command that outlives `timeout`, or whose task is
/// cancelled, is terminated, so a hung `gh` cannot stall the CI monitor past its own timeout.
public struct ProcessCommandRunner: CommandRunner {
    /// The exit code reported for a command stopped by the timeout, as `timeout(1)` reports it.
    public static let timedOutExitCode: Int32 = 124

    /// The child's whole environment; its `PATH` is also where executables are looked up.
    public var environment: [String: String]
    /// How long one command may run; nil for no limit.
    public var timeout: Duration?

    public init(environment: [String: String], timeout: Duration? = .seconds(300)) {
        self.environment = environment
        self.timeout = timeout
    }

    public func run(_ executable: String, _ arguments: [String], in directory: String) async -> CommandResult {
        guard let path = ExecutableLookup.resolve(executable, path: environment["PATH"]) else {
            let searched = environment["PATH"].map { " (PATH=\($0))" } ?? " (no PATH in the environment)"
            return CommandResult(exitCode: 127, stderr: "\(executable): command not found\(searched)")
        }
        let child = ChildCommand(
            path: path, arguments: arguments, directory: directory, environment: environment, timeout: timeout)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: child.run()) }
                thread.name = "sparks-command"
                thread.start()
            }
        } onCancel: {
            child.stop(reason: "cancelled")
        }
    }
}

/// One command's process, shared between the thread that runs it and whoever stops it.
private final class ChildCommand: @unchecked Sendable {
    // `process` and `stopReason` are guarded by `lock`; the rest is immutable.
    private let lock = NSLock()
    private var process: Process?
    private var finished = false
    private var stopReason: String?
    private let path: String
    private let arguments: [String]
    private let directory: String
    private let environment: [String: String]
    private let timeout: Duration?

    init(path: String, arguments: [String], directory: String, environment: [String: String], timeout: Duration?) {
        self.path = path
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.timeout = timeout
    }

    /// Sends SIGTERM, then SIGKILL if the command is still there 5 s later. Before the process
    /// starts, it just keeps it from starting.
    func stop(reason: String) {
        let pid: Int32? = lock.withLock {
            guard !finished, stopReason == nil else { return nil }
            stopReason = reason
            guard let process, process.isRunning else { return nil }
            process.terminate()
            return process.processIdentifier
        }
        guard let pid else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [self] in
            // `finished` is set right after the reap; a pid comes back into use only after the
            // kernel has cycled through the pid space, far longer than that window.
            lock.withLock { if !finished { _ = kill(pid, SIGKILL) } }
        }
    }

    /// Runs the command to the end; blocks the calling thread.
    func run() -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { [self] _ in
            lock.withLock { finished = true }
            exited.signal()
        }
        let launch: Result<Void, any Error> = lock.withLock {
            if let stopReason { return .failure(Stopped(reason: stopReason)) }
            self.process = process
            return Result { try SignalMask.withNothingBlocked { try process.run() } }
        }
        if case .failure(let error) = launch {
            lock.withLock { finished = true }
            return CommandResult(exitCode: 126, stderr: "cannot start \(path) in \(directory): \(error)")
        }
        if let timeout {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                stop(reason: "timed out after \(timeout.secondsText)")
            }
        }
        // Both pipes are drained at once: a child that fills stderr while we wait on stdout would
        // otherwise block forever.
        let stderrBox = DataBox()
        let stderrDone = DispatchSemaphore(value: 0)
        let reader = Thread {
            stderrBox.data = PipeReading.all(errors.fileHandleForReading)
            stderrDone.signal()
        }
        reader.name = "sparks-command-stderr"
        reader.start()
        let stdoutData = PipeReading.all(output.fileHandleForReading)
        stderrDone.wait()
        exited.wait()
        var result = CommandResult(
            exitCode: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrBox.data, as: UTF8.self))
        if let reason = lock.withLock({ stopReason }) {
            if reason.hasPrefix("timed out") { result.exitCode = ProcessCommandRunner.timedOutExitCode }
            result.stderr +=
                (result.stderr.isEmpty || result.stderr.hasSuffix("\n") ? "" : "\n")
                + "\(URL(fileURLWithPath: path).lastPathComponent) \(reason)"
        }
        return result
    }

    private struct Stopped: Error, CustomStringConvertible {
        var reason: String
        var description: String { "the command was \(reason) before it started" }
    }
}

/// Holds what the stderr thread read.
private final class DataBox: @unchecked Sendable {
    // Written by the reader thread before it signals; read only after that signal.
    var data = Data()
}
