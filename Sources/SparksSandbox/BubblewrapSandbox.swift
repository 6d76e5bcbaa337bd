import Foundation
import Logging
import SparksCore

/// The default sandbox: bubblewrap with every namespace unshared (no network), all capabilities
/// dropped, a read-only view of the system, a private size-capped `/tmp`, the task's workspace as
/// the only writable place, a seccomp filter, and limits that hold even when Sparks runs as root.
public struct BubblewrapSandbox: Sandbox {
    public let kind = "bubblewrap"
    public let bwrapPath: String
    let cgroups: CgroupLimiter
    let logger: Logger

    /// How process and memory limits are enforced on this machine.
    public enum Enforcement: String, Sendable {
        /// A cgroup per command (pids + memory); the command runs as the current user.
        case cgroupV1 = "cgroup v1"
        case cgroupV2 = "cgroup v2"
        /// Sparks is root and cannot use cgroups: the command runs as uid 65534 with rlimits.
        case unprivilegedUser = "unprivileged uid 65534 + rlimits"
        /// Sparks is not root: rlimits (RLIMIT_NPROC holds for a normal user).
        case rlimits = "rlimits"
    }

    /// System directories shown read-only. Home directories, `/root`, `/run` (agent sockets),
    /// `/var` and Sparks' own home are not among them.
    static let systemReadOnly = ["/usr", "/opt", "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf",
                                 "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime",
                                 "/etc/timezone", "/etc/ssl", "/etc/ca-certificates", "/etc/mime.types", "/etc/gitconfig"]
    /// Top-level directories that are symlinks into /usr on merged-/usr systems.
    static let topLevel = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"]

    public static let safeEnvironment = [
        "PATH": sandboxPath(hostPath: ProcessInfo.processInfo.environment["PATH"]),
        "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "TERM": "dumb", "USER": "sparks", "LOGNAME": "sparks",
        "SHELL": "/bin/sh", "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "PAGER": "cat", "GIT_PAGER": "cat",
    ]

    public init(bwrapPath: String, logger: Logger = Logger(label: "sparks.sandbox")) {
        self.bwrapPath = bwrapPath
        self.cgroups = CgroupLimiter()
        self.logger = logger
    }

    init(bwrapPath: String, cgroups: CgroupLimiter, logger: Logger) {
        self.bwrapPath = bwrapPath
        self.cgroups = cgroups
        self.logger = logger
    }

    /// `bwrap` on PATH (the standard directories when PATH is not set), if installed.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        findExecutable("bwrap", path: path)
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// The uid commands run as when Sparks is root and cannot use cgroups.
    public static let unprivilegedUID: uid_t = 65534

    /// Makes a task workspace writable for the sandboxed commands: when they run as uid 65534
    /// (root without cgroups), the workspace is handed to that uid; otherwise nothing changes.
    public func prepareWorkspace(_ path: String) throws(SparksError) {
        guard enforcement == .unprivilegedUser else { return }
        var failed: String?
        func give(_ item: String) {
            if lchown(item, Self.unprivilegedUID, gid_t(Self.unprivilegedUID)) != 0, failed == nil { failed = item }
        }
        give(path)
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker { give(path + "/" + relative) }
        }
        if let failed {
            throw SparksError(.workspaceFailed, "cannot hand \(failed) to uid \(Self.unprivilegedUID): \(String(cString: strerror(errno)))")
        }
    }

    public var enforcement: Enforcement {
        if let version = cgroups.version, Self.isRoot || cgroups.version == .v2 {
            // Probe once: can a group actually be made here?
            if case .success(let group) = cgroups.makeGroup(name: "sparks-probe-\(getpid())", limits: SandboxLimits()) {
                group.remove()
                return version == .v1 ? .cgroupV1 : .cgroupV2
            }
        }
        return Self.isRoot ? .unprivilegedUser : .rlimits
    }

    /// The process that starts a sandbox for `command`: a small shell wrapper that joins the
    /// command's cgroup and opens the seccomp filter as fd 3, then becomes prlimit → (setpriv →) bwrap.
    func launchSpec(_ command: SandboxCommand, policy: SandboxPolicy) throws(SparksError) -> (spec: ProcessRunner.Spec, group: CgroupLimiter.Group?) {
        let seccomp = try SeccompFilter.path()
        let groupName = "sparks-\(UUID().uuidString.prefix(12).lowercased())"
        var group: CgroupLimiter.Group?
        var enforcement = Self.isRoot ? Enforcement.unprivilegedUser : .rlimits
        if Self.isRoot || cgroups.version == .v2, case .success(let made) = cgroups.makeGroup(name: groupName, limits: policy.limits) {
            group = made
            enforcement = made.version == .v1 ? .cgroupV1 : .cgroupV2
        }
        let limits = policy.limits
        var prefix = ["/usr/bin/prlimit", "--cpu=\(limits.cpuSecs)", "--fsize=\(limits.fileSizeBytes)", "--core=0"]
        if group == nil {
            prefix += ["--nproc=\(limits.maxProcesses)", "--as=\(max(limits.memoryBytes, 1 << 30) * 2)"]
        }
        prefix.append("--")
        if enforcement == .unprivilegedUser {
            prefix += ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"]
        }
        let arguments = prefix + [bwrapPath]
            + bwrapArguments(command, policy: policy, dropCapabilities: enforcement != .unprivilegedUser && Self.isRoot)
            + ["--"] + command.arguments
        let wrapper = """
            for f in $SPARKS_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done
            exec "$@" 3< "$SPARKS_SECCOMP"
            """
        let spec = ProcessRunner.Spec(
            executable: "/bin/sh", arguments: ["-c", wrapper, "sparks-sandbox"] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "SPARKS_SECCOMP": seccomp,
                          "SPARKS_CGROUP_PROCS": group?.procs.joined(separator: " ") ?? ""],
            workingDirectory: "/", stdin: command.stdin, limits: limits)
        return (spec, group)
    }

    /// How to start a long-lived process (an MCP server) in this sandbox with its own pipes: the
    /// program, its arguments and environment, and a clean-up for when it has exited (its
    /// cgroup). `shareNetwork` keeps the host's network (for servers configured to need it);
    /// otherwise the process has none.
    public struct LongLivedLaunch: Sendable {
        public var executable: String
        public var arguments: [String]
        public var environment: [String: String]
        public var cleanup: @Sendable () -> Void
    }

    public func longLivedLaunch(_ command: SandboxCommand, policy: SandboxPolicy, shareNetwork: Bool) throws(SparksError) -> LongLivedLaunch {
        let (spec, group) = try launchSpec(command, policy: policy)
        var arguments = spec.arguments
        if shareNetwork, let index = arguments.firstIndex(of: "--unshare-all") {
            arguments.insert("--share-net", at: index + 1)
        }
        return LongLivedLaunch(executable: spec.executable, arguments: arguments, environment: spec.environment,
                               cleanup: { group?.remove() })
    }

    public func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        if case .allowlist = policy.network, policy.proxySocket == nil {
            // The proxy lives as long as a session; one-off commands have no network.
            return try await SandboxSession(base: self, policy: policy,
                                            supervisorPath: try SandboxSession.requireSupervisor(for: "network by allowlist"))
                .runOnce(command, policy: policy)
        }
        let (spec, group) = try launchSpec(command, policy: policy)
        defer { group?.remove() }
        let output = try await ProcessRunner().run(spec)
        if output.exitStatus == 125, !output.signaled, output.stdout.isEmpty {
            throw SparksError(.sandboxFailed, "the sandbox could not apply its limits (joining the cgroup failed)")
        }
        if output.exitStatus == 1, output.stderr.hasPrefix("bwrap: ") {
            throw SparksError(.sandboxFailed, "bubblewrap could not set up the sandbox: "
                + output.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
                hint: "run `sparks doctor --security` to check the sandbox on this machine")
        }
        var result = output.result
        if !output.flooded, !output.timedOut, group?.oomKilled() == true { result.termination = .memoryLimit }
        return result
    }

    /// The bwrap options, in an order that matters: `--remount-ro /` must follow every bind.
    func bwrapArguments(_ command: SandboxCommand, policy: SandboxPolicy, dropCapabilities: Bool) -> [String] {
        var arguments = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                         "--hostname", "sparks-sandbox"]
        if dropCapabilities { arguments += ["--cap-drop", "ALL"] }
        arguments.append("--clearenv")
        for (key, value) in Self.safeEnvironment.merging(policy.environment, uniquingKeysWith: { _, custom in custom }).sorted(by: { $0.key < $1.key }) {
            arguments += ["--setenv", key, value]
        }
        for directory in Self.topLevel {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory) {
                arguments += ["--symlink", target, directory]
            } else if FileManager.default.fileExists(atPath: directory) {
                arguments += ["--ro-bind", directory, directory]
            }
        }
        for path in Self.systemReadOnly {
            arguments += ["--ro-bind-try", path, path]
        }
        arguments += ["--dev", "/dev", "--proc", "/proc", "--size", String(policy.limits.tmpBytes), "--tmpfs", "/tmp"]
        // After the private /tmp, so that paths under /tmp (a checkout there, its objects, the
        // supervisor) are not hidden by it.
        for path in policy.readOnlyPaths { arguments += ["--ro-bind-try", path, path] }
        for path in policy.writablePaths { arguments += ["--bind", path, path] }
        for path in policy.protectedPaths { arguments += ["--ro-bind-try", path, path] }
        if let socket = policy.proxySocket { arguments += ["--bind", socket, NetworkPolicy.socketInside] }
        arguments += ["--chdir", command.workingDirectory, "--remount-ro", "/", "--seccomp", "3"]
        return arguments
    }
}

extension BubblewrapSandbox {
    static let standardPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The standard directories, then the host's `PATH` entries that the sandbox shows read-only
    /// (under /usr or /opt), so toolchains installed there (`/opt/swift/usr/bin`) work in it too.
    static func sandboxPath(hostPath: String?) -> String {
        var directories = standardPath
        for entry in (hostPath ?? "").split(separator: ":").map(String.init)
        where (entry.hasPrefix("/usr/") || entry.hasPrefix("/opt/")) && !entry.contains("..") && !directories.contains(entry) {
            directories.append(entry)
        }
        return directories.joined(separator: ":")
    }
}

/// The first executable `name` in the directories of `path` (the standard ones when it is nil).
func findExecutable(_ name: String, path: String?) -> String? {
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
