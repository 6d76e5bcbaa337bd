import Foundation
import SparksCore
import Synchronization

/// Starts one child process, collects its output within limits, and kills it on timeout or on
/// an output flood. The sandbox backends build the command line; this owns the process.
struct ProcessRunner: Sendable {
    struct Spec: Sendable {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var workingDirectory: String
        var stdin: Data?
        var limits: SandboxLimits
    }

    struct Output: Sendable {
        var exitStatus: Int32
        /// True when the process was killed by signal (status is the signal).
        var signaled: Bool
        var timedOut: Bool
        var flooded: Bool
        var stdout: String
        var stderr: String
        var truncated: Bool
        var durationMs: Int

        /// How it ended, for backends where the exit status is all there is to go on.
        var termination: Termination {
            if flooded { return .outputLimit }
            if timedOut { return .timedOut }
            if signaled { return .signaled(exitStatus) }
            return exitStatus > 128 ? .signaled(exitStatus - 128) : .exited(exitStatus)
        }

        var result: SandboxResult {
            SandboxResult(termination: termination, stdout: stdout, stderr: stderr, truncated: truncated, durationMs: durationMs)
        }
    }

    func run(_ spec: Spec) async throws(SparksError) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: spec.executable)
        process.arguments = spec.arguments
        process.environment = spec.environment
        process.currentDirectoryURL = URL(fileURLWithPath: spec.workingDirectory)
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let stdinPipe: Pipe? = spec.stdin == nil ? nil : Pipe()
        process.standardInput = stdinPipe ?? FileHandle.nullDevice

        let budget = OutputBudget(keep: spec.limits.outputBytes, kill: spec.limits.outputKillBytes)
        // Foundation's waitUntilExit spins a run loop on Linux; the termination handler does not.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let started = ContinuousClock.now
        do {
            try process.run()
        } catch {
            throw SparksError(.toolFailed, "cannot start \(spec.executable): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        if let stdinPipe, let data = spec.stdin {
            DispatchQueue.global().async {
                try? stdinPipe.fileHandleForWriting.write(contentsOf: data)
                try? stdinPipe.fileHandleForWriting.close()
            }
        }
        let readers = DispatchGroup()
        for (pipe, stream) in [(stdoutPipe, 0), (stderrPipe, 1)] {
            readers.enter()
            DispatchQueue.global().async {
                let handle = pipe.fileHandleForReading
                while true {
                    let data = PipeReading.chunk(handle)
                    if data.isEmpty { break }
                    if budget.append(data, stream: stream) { kill(pid, SIGKILL) }
                }
                readers.leave()
            }
        }
        let timedOut = Mutex(false)
        // Wait on a dispatch thread, never on a concurrency thread; the deadline is the watchdog.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                if exited.wait(timeout: .now() + spec.limits.timeoutSecs) == .timedOut {
                    timedOut.withLock { $0 = true }
                    kill(pid, SIGKILL)
                    exited.wait()
                }
                // A process that left a child holding the pipes must not hang us.
                _ = readers.wait(timeout: .now() + 2)
                continuation.resume()
            }
        }
        let elapsed = started.duration(to: .now)
        let (stdout, stderr, truncated, flooded) = budget.result()
        return Output(exitStatus: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      timedOut: timedOut.withLock { $0 }, flooded: flooded, stdout: stdout, stderr: stderr, truncated: truncated,
                      durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
    }
}

/// Keeps the head and tail of each output stream within a byte budget, and says when the total
/// passes the kill threshold.
final class OutputBudget: Sendable {
    private struct Stream {
        var head = Data()
        var tail = Data()
        var total = 0
    }

    private let state = Mutex((streams: [Stream(), Stream()], total: 0, flooded: false))
    let keep: Int
    let kill: Int

    init(keep: Int, kill: Int) {
        self.keep = keep
        self.kill = kill
    }

    /// Returns true when the process should be killed for flooding.
    func append(_ data: Data, stream index: Int) -> Bool {
        state.withLock { state in
            state.total += data.count
            var stream = state.streams[index]
            stream.total += data.count
            let headRoom = keep * 3 / 4 - stream.head.count
            if headRoom > 0 {
                stream.head.append(data.prefix(headRoom))
                if data.count > headRoom { stream.tail.append(data.dropFirst(headRoom)) }
            } else {
                stream.tail.append(data)
            }
            let tailKeep = keep / 4
            if stream.tail.count > tailKeep * 2 { stream.tail = Data(stream.tail.suffix(tailKeep)) }
            state.streams[index] = stream
            if state.total > kill, !state.flooded {
                state.flooded = true
                return true
            }
            return false
        }
    }

    func result() -> (String, String, Bool, Bool) {
        state.withLock { state in
            var truncated = false
            let texts = state.streams.map { stream -> String in
                let tail = stream.tail.suffix(keep / 4)
                let omitted = stream.total - stream.head.count - tail.count
                if omitted > 0 {
                    truncated = true
                    return String(decoding: stream.head, as: UTF8.self) + "\n[… truncated \(omitted) bytes of output …]\n"
                        + String(decoding: tail, as: UTF8.self)
                }
                return String(decoding: stream.head + tail, as: UTF8.self)
            }
            return (texts[0], texts[1], truncated, state.flooded)
        }
    }
}
