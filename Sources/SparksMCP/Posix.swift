import Glibc

/// The few system calls the stdio transport needs, in one place (Linux only, like the sandbox). GNU extensions that Swift's
/// Glibc module does not show (pipe2, posix_spawn chdir/closefrom) are looked up at run time.
enum Posix {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var errno: Int32
        var description: String { "\(call): \(String(cString: strerror(errno)))" }
    }

    /// A pipe whose two ends close on exec, so no other child ever inherits them (a stray copy of
    /// a write end would hide the server's EOF).
    static func pipe() throws(Failure) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = GNU.pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw Failure(call: "pipe2", errno: errno) }
        } else {
            guard Glibc.pipe(&fds) == 0 else { throw Failure(call: "pipe", errno: errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    /// Starts `executable` in a new process group with the given descriptors as its stdio.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String?,
        stdin: Int32, stdout: Int32, stderr: Int32
    ) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Descriptors other code left without close-on-exec stay ours.
        if let closeFrom = GNU.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let workingDirectory {
            guard let addChdir = GNU.addChdir else { throw Failure(call: "posix_spawn_file_actions_addchdir_np", errno: ENOSYS) }
            let rc = workingDirectory.withCString { addChdir(&actions, $0) }
            guard rc == 0 else { throw Failure(call: "posix_spawn_file_actions_addchdir_np", errno: rc) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (so a stop reaches the server's children), no blocked signals, and the
        // default action for the signals a parent might ignore or block.
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) }
        argv.append(nil)
        var envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        envp.append(nil)
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw Failure(call: "posix_spawn", errno: rc) }
        return pid
    }

    /// How a process ended.
    enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        case unknown

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signaled(let signal):
                "killed by signal \(signal)\(signal == SIGKILL ? " (SIGKILL)" : signal == SIGTERM ? " (SIGTERM)" : "")"
            case .unknown: "unknown exit status"
            }
        }
    }

    /// Blocks until `pid` has ended, without reaping it: the zombie keeps the pid and process
    /// group reserved until `reap`, so a later group kill cannot hit a stranger.
    static func waitForExit(_ pid: pid_t) -> Termination {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
            if errno != EINTR { return .unknown }
        }
        let status = info._sifields._sigchld.si_status
        switch Int(info.si_code) {
        case Int(CLD_EXITED): return .exited(status)
        case Int(CLD_KILLED), Int(CLD_DUMPED): return .signaled(status)
        default: return .unknown
        }
    }

    /// Reaps an ended child (call after `waitForExit` returned).
    static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    /// Sends a signal to every process of the group; a group already gone is fine.
    static func signalGroup(_ pgid: pid_t, _ signal: Int32) {
        _ = kill(-pgid, signal)
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "write", errno: errno)
            }
            offset += written
        }
    }

    /// Blocks SIGPIPE on the calling thread: a write to a dead server then fails with EPIPE instead
    /// of killing sparks. The signal stays pending on this thread and dies with it.
    static func blockSIGPIPEOnThisThread() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Looks `name` up on `PATH` (colon-separated); nil when nothing executable is there.
    static func which(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    private enum GNU {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

        static let pipe2: Pipe2? = symbol("pipe2")
        static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
        static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

        private static func symbol<T>(_ name: String) -> T? {
            guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
            return unsafeBitCast(address, to: T.self)
        }
    }
}
