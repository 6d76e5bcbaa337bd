import Foundation
import Glibc
import Synchronization

/// One stdio server process. A reader thread blocks in poll/read on the child's stdout and
/// stderr: each stdout line goes to `onMessage` the moment it is complete, stderr goes to a
/// bounded tail, and EOF on stdout (the server died or closed its end) fires `ended` at once.
/// A reaper thread notices the exit itself. Writes go through a writer thread so a server that
/// stops reading never blocks a concurrency thread.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The last 64 KiB of the server's stderr.
    let stderrTail = OutputTail(capacity: 64 * 1024)
    /// Fired by stdout EOF or the exit, whichever comes first.
    let ended = Latch<Void>()
    let exited = Latch<Posix.Termination>()
    private let stderrClosed = Latch<Void>()
    private let reaped = Latch<Void>()
    private let stopping = Atomic<Bool>(false)
    private let writer: PipeWriter
    private let wake: (read: Int32, write: Int32)

    /// Largest message a server may send on one line.
    static let maxMessageBytes = 64 * 1024 * 1024

    /// Starts the process. `onMessage` and `onOutputClosed` run on the reader thread.
    init(
        launch: MCPLaunch, name: String,
        onMessage: @escaping @Sendable (Data) -> Void,
        onOutputClosed: @escaping @Sendable (_ error: String?) -> Void
    ) throws(Posix.Failure) {
        let stdin = try Posix.pipe()
        var opened = [stdin.read, stdin.write]
        do {
            let stdout = try Posix.pipe()
            opened += [stdout.read, stdout.write]
            let stderr = try Posix.pipe()
            opened += [stderr.read, stderr.write]
            let wake = try Posix.pipe()
            opened += [wake.read, wake.write]
            pid = try Posix.spawn(
                executable: launch.executable, arguments: launch.arguments, environment: launch.environment,
                workingDirectory: launch.workingDirectory, stdin: stdin.read, stdout: stdout.write, stderr: stderr.write)
            // The child has its copies; ours of its ends would hide its EOF.
            close(stdin.read)
            close(stdout.write)
            close(stderr.write)
            self.wake = wake
            writer = PipeWriter(fd: stdin.write, name: "mcp-\(name)-writer")
            startReader(
                stdout: stdout.read, stderr: stderr.read, name: name, onMessage: onMessage, onOutputClosed: onOutputClosed)
            startReaper(name: name)
        } catch {
            for fd in opened { close(fd) }
            throw error
        }
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Writes one framed message to the server's stdin.
    func write(_ data: Data) async throws {
        try await writer.write(data)
    }

    /// Stops the server: closes its stdin, sends SIGTERM to its process group, and SIGKILL when it
    /// is still there after `grace`; then reaps it. Safe to call more than once.
    func terminate(grace: Duration = .seconds(2)) async {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else {
            _ = await reaped.wait()
            return
        }
        writer.close()
        if exited.value == nil {
            Posix.signalGroup(pid, SIGTERM)
            if await exited.wait(timeout: grace) == nil {
                Posix.signalGroup(pid, SIGKILL)
                _ = await exited.wait()
            }
        }
        // The leader is a zombie until reaped, so the group id still names only its processes.
        Posix.signalGroup(pid, SIGKILL)
        Posix.reap(pid)
        // A grandchild that left the group may still hold the pipes: stop reading anyway.
        var byte: UInt8 = 1
        _ = Glibc.write(wake.write, &byte, 1)
        reaped.fulfill(())
    }

    /// Says how the process ended, for an error message: waits briefly for the exit status and the
    /// rest of stderr, which arrive a moment after stdout's EOF.
    func endSummary(tailBytes: Int = 2048) async -> String {
        _ = await exited.wait(timeout: .milliseconds(500))
        _ = await stderrClosed.wait(timeout: .milliseconds(200))
        var text = exited.value.map { "the process ended (\($0))" } ?? "the process closed its output"
        let tail = stderrTail.text(maxBytes: tailBytes)
        text += tail.isEmpty ? "; its stderr was empty" : "; its stderr ends with:\n\(tail)"
        return text
    }

    private func startReader(
        stdout: Int32, stderr: Int32, name: String,
        onMessage: @escaping @Sendable (Data) -> Void, onOutputClosed: @escaping @Sendable (String?) -> Void
    ) {
        let wakeFD = wake.read
        let thread = Thread { [stderrTail, ended, stderrClosed] in
            var fds = [
                pollfd(fd: stdout, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stderr, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            var splitter = LineSplitter(maxLineBytes: ChildProcess.maxMessageBytes)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
            defer { buffer.deallocate() }
            var stdoutOpen = true
            var stderrOpen = true
            func closeStdout(_ error: String?) {
                stdoutOpen = false
                fds[0].fd = -1
                close(stdout)
                ended.fulfill(())
                onOutputClosed(error)
            }
            while stdoutOpen || stderrOpen {
                for index in fds.indices { fds[index].revents = 0 }
                if poll(&fds, nfds_t(fds.count), -1) < 0 {
                    if errno == EINTR { continue }
                    break
                }
                if fds[2].revents != 0 { break }
                if stdoutOpen, fds[0].revents != 0 {
                    let count = read(stdout, buffer.baseAddress, buffer.count)
                    if count > 0 {
                        do {
                            try splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[..<count]), emit: onMessage)
                        } catch {
                            closeStdout("the server sent a line over \(ChildProcess.maxMessageBytes) bytes")
                        }
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        closeStdout(nil)
                    }
                }
                if stderrOpen, fds[1].revents != 0 {
                    let count = read(stderr, buffer.baseAddress, buffer.count)
                    if count > 0 {
                        stderrTail.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        stderrOpen = false
                        fds[1].fd = -1
                        close(stderr)
                        stderrClosed.fulfill(())
                    }
                }
            }
            if stdoutOpen { closeStdout(nil) }
            if stderrOpen {
                close(stderr)
                stderrClosed.fulfill(())
            }
        }
        thread.name = "mcp-\(name)-reader"
        thread.start()
    }

    private func startReaper(name: String) {
        let thread = Thread { [pid, exited, ended] in
            exited.fulfill(Posix.waitForExit(pid))
            ended.fulfill(())
        }
        thread.name = "mcp-\(name)-reaper"
        thread.stackSize = 64 * 1024
        thread.start()
    }
}

/// Writes to a pipe on its own thread, in order. SIGPIPE is blocked on that thread, so writing to
/// a dead server fails with EPIPE instead of killing sparks.
final class PipeWriter: Sendable {
    private enum Job: Sendable {
        case write(Data, CheckedContinuation<Void, any Error>)
        case close
    }

    struct Closed: Error, CustomStringConvertible {
        var reason: String
        var description: String { "cannot write to the server: \(reason)" }
    }

    private let jobs = Mutex((queue: [Job](), closed: false))
    private let ready = DispatchSemaphore(value: 0)

    init(fd: Int32, name: String) {
        // The thread keeps the writer alive until the pipe is closed.
        let thread = Thread { [self] in
            Posix.blockSIGPIPEOnThisThread()
            var failure: String?
            while true {
                ready.wait()
                guard let job = jobs.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) else { continue }
                switch job {
                case .close:
                    Glibc.close(fd)
                    // Fail whatever was queued behind the close.
                    let rest = jobs.withLock { state in
                        defer { state.queue.removeAll() }
                        return state.queue
                    }
                    for case .write(_, let continuation) in rest { continuation.resume(throwing: Closed(reason: "stdin closed")) }
                    return
                case .write(let data, let continuation):
                    if let failure {
                        continuation.resume(throwing: Closed(reason: failure))
                        continue
                    }
                    // (A typed-throws closure here crashes the 6.3 compiler.)
                    let error = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
                        do {
                            try Posix.writeAll(fd, bytes)
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                    if let error {
                        failure = error
                        continuation.resume(throwing: Closed(reason: error))
                    } else {
                        continuation.resume()
                    }
                }
            }
        }
        thread.name = name
        thread.stackSize = 128 * 1024
        thread.start()
    }

    func write(_ data: Data) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = jobs.withLock { state in
                guard !state.closed else { return false }
                state.queue.append(.write(data, continuation))
                return true
            }
            if accepted {
                ready.signal()
            } else {
                continuation.resume(throwing: Closed(reason: "stdin closed"))
            }
        }
    }

    /// Closes the pipe after the writes already queued.
    func close() {
        let first = jobs.withLock { state in
            guard !state.closed else { return false }
            state.closed = true
            state.queue.append(.close)
            return true
        }
        if first { ready.signal() }
    }
}
