import Foundation
import SparksCore

/// `$SPARKS_HOME/serve.pid`, locked while `sparks serve` runs: one daemon per home, and a way for
/// CLI commands to know that one is running (the lock, not just the file, says so — a stale
/// file left by a crash holds no lock).
public final class DaemonLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock or says which process holds it.
    public init(home: String) throws(SparksError) {
        path = (home as NSString).appendingPathComponent("serve.pid")
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SparksError(.internalError, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = Self.runningPID(home: home).map { " (pid \($0))" } ?? ""
            throw SparksError(.daemonRunning, "sparks serve is already running on \(home)\(holder)",
                              hint: "stop it first (kill -TERM the pid), or use another SPARKS_HOME")
        }
        ftruncate(fd, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit {
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The pid of the running `sparks serve` on this home, or nil when none runs.
    public static func runningPID(home: String) -> Int32? {
        let path = (home as NSString).appendingPathComponent("serve.pid")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // A shared lock succeeds only when no daemon holds the exclusive one.
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
