/// Attempts to break out of the sandbox, shared by the tests that run them through
/// `sparks sandbox run` and through a spark's `shell` tool. Every attempt must fail, and each
/// says how it must fail: `check` returns nil when the outcome is the expected refusal, or a
/// description of what went wrong.
public struct EscapeAttempt: Sendable {
    public var name: String
    public var script: String
    /// Seconds the attempt may take before the sandbox stops it.
    public var timeout: Double
    public var check: @Sendable (_ succeeded: Bool, _ output: String) -> String?

    public init(_ name: String, timeout: Double = 20, _ script: String,
                check: @escaping @Sendable (_ succeeded: Bool, _ output: String) -> String?) {
        self.name = name
        self.script = script
        self.timeout = timeout
        self.check = check
    }
}

/// What the suite needs to know about the host it protects.
public struct EscapeTargets: Sendable {
    /// A TCP listener on the host's loopback.
    public var loopbackPort: Int
    /// A file outside the workspace that must stay unchanged.
    public var victimFile: String
    /// A directory outside the workspace.
    public var outsideDirectory: String
    public var sparksHome: String
    /// A fake `$HOME/.ssh/id_rsa` on the host.
    public var sshKey: String
    /// A secret value in the environment of the process that starts the sandbox.
    public var secret: String
    /// A host process id that must be invisible.
    public var hostPid: Int32

    public init(loopbackPort: Int, victimFile: String, outsideDirectory: String, sparksHome: String, sshKey: String,
                secret: String, hostPid: Int32) {
        self.loopbackPort = loopbackPort
        self.victimFile = victimFile
        self.outsideDirectory = outsideDirectory
        self.sparksHome = sparksHome
        self.sshKey = sshKey
        self.secret = secret
        self.hostPid = hostPid
    }
}

public enum EscapeSuite {
    static func expect(_ text: String, in output: String, _ what: String) -> String? {
        output.contains(text) ? nil : "expected \(what) (\"\(text)\"), got: \(output.prefix(300))"
    }

    static func refused(_ succeeded: Bool, _ output: String, _ texts: [String]) -> String? {
        if succeeded, !texts.contains(where: output.contains) { return "it succeeded: \(output.prefix(300))" }
        return texts.contains(where: output.contains) ? nil : "expected one of \(texts), got: \(output.prefix(300))"
    }

    /// A syscall through Python's ctypes; prints `errno=<n>`.
    static func syscall(_ number: Int, _ arguments: [Int] = []) -> String {
        let args = arguments.map(String.init).joined(separator: ", ")
        return "python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); r = l.syscall(\(number)\(args.isEmpty ? "" : ", " + args)); "
            + "print(\"rc=%d errno=%d\" % (r, ctypes.get_errno()))'"
    }

    static func deniedBySeccomp(_ succeeded: Bool, _ output: String) -> String? {
        expect("rc=-1 errno=1", in: output, "EPERM from the seccomp filter")
    }

    public static func attempts(_ targets: EscapeTargets) -> [EscapeAttempt] {
        var list: [EscapeAttempt] = [
            EscapeAttempt("reach a loopback listener on the host",
                          "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", \(targets.loopbackPort)), 2); print(\"CONNECTED\")'") {
                refused($0, $1, ["Connection refused", "Network is unreachable"]) ?? ($1.contains("CONNECTED") ? "connected" : nil)
            },
            EscapeAttempt("have any network interface but loopback, or a route out",
                          "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; echo ROUTES; tail -n +2 /proc/net/route") {
                let lines = $1.split(separator: "\n").map(String.init)
                guard let split = lines.firstIndex(of: "ROUTES") else { return "unexpected output: \($1)" }
                let interfaces = lines[..<split].filter { !$0.isEmpty }
                let routes = lines[(split + 1)...].filter { !$0.isEmpty }
                return interfaces == ["lo"] && routes.isEmpty ? nil : "interfaces \(interfaces), routes \(routes)"
            },
            EscapeAttempt("resolve a host name", "getent hosts example.com && echo RESOLVED") {
                $1.contains("RESOLVED") ? "name resolution worked" : nil
            },
            EscapeAttempt("read /etc/shadow", "cat /etc/shadow") { refused($0, $1, ["No such file or directory"]) },
            EscapeAttempt("read the user's SSH key", "cat \(targets.sshKey)") { refused($0, $1, ["No such file or directory"]) },
            EscapeAttempt("read Sparks' database", "ls -la \(targets.sparksHome); cat \(targets.sparksHome)/sparks.db") {
                refused($0, $1, ["No such file or directory"])
            },
            EscapeAttempt("find the host's secrets in the environment",
                          "env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; echo DONE") {
                $1.contains(targets.secret) ? "the secret is visible" : expect("DONE", in: $1, "the probe to finish")
            },
            EscapeAttempt("see agent sockets in the environment", "env | grep -E 'SSH_AUTH_SOCK|GPG_AGENT|DBUS' || echo NONE") {
                expect("NONE", in: $1, "no agent variables")
            },
            EscapeAttempt("write into /usr", "echo x > /usr/local/sparks-escape") { refused($0, $1, ["Read-only file system"]) },
            EscapeAttempt("write into /etc", "echo x > /etc/sparks-escape") { refused($0, $1, ["Read-only file system"]) },
            EscapeAttempt("write at the root", "echo x > /sparks-escape") { refused($0, $1, ["Read-only file system"]) },
            EscapeAttempt("write outside through a symlink",
                          "ln -s \(targets.victimFile) victim-link && echo PWNED >> victim-link") {
                refused($0, $1, ["No such file or directory", "Directory nonexistent", "Read-only file system"])
            },
            EscapeAttempt("write outside through /proc/self/root",
                          "echo PWNED > /proc/self/root\(targets.victimFile)") {
                refused($0, $1, ["No such file or directory", "Directory nonexistent", "Read-only file system"])
            },
            EscapeAttempt("plant a git hook", "mkdir -p .git/hooks && echo 'touch /tmp/x' > .git/hooks/pre-commit") {
                refused($0, $1, ["Read-only file system"])
            },
            EscapeAttempt("change the git config", "echo '[core] hooksPath = /tmp' >> .git/config") {
                refused($0, $1, ["Read-only file system"])
            },
            EscapeAttempt("list another directory of the host", "ls \(targets.outsideDirectory)") {
                refused($0, $1, ["No such file or directory"])
            },
            EscapeAttempt("see host processes", "ps -e -o pid= | wc -l; kill -0 \(targets.hostPid) && echo VISIBLE") {
                if $1.contains("VISIBLE") { return "host pid \(targets.hostPid) is visible" }
                let count = $1.split(separator: "\n").lazy.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.first ?? 99
                return count < 8 ? nil : "\(count) processes visible"
            },
            EscapeAttempt("signal a host process", "kill -TERM \(targets.hostPid)") { refused($0, $1, ["No such process"]) },
            EscapeAttempt("keep capabilities", "grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status") {
                let values = $1.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) ?? "" }
                return values.count == 3 && values.allSatisfy { $0 == "0000000000000000" } ? nil : "capabilities: \($1)"
            },
            EscapeAttempt("gain privileges through setuid", "grep NoNewPrivs /proc/self/status") {
                expect("NoNewPrivs:\t1", in: $1, "no_new_privs")
            },
            EscapeAttempt("mount a file system", "mount -t tmpfs none /tmp") {
                refused($0, $1, ["Operation not permitted", "permission denied", "must be superuser"])
            },
            EscapeAttempt("create a user namespace", "unshare --user --map-root-user true") {
                refused($0, $1, ["Operation not permitted", "No space left on device"])
            },
            EscapeAttempt("create a network namespace", "unshare --net true") {
                refused($0, $1, ["Operation not permitted"])
            },
            EscapeAttempt("change the host name", "hostname sparks-evil") {
                refused($0, $1, ["Operation not permitted", "you must be root"])
            },
            EscapeAttempt("write kernel settings", "echo 1 > /proc/sys/kernel/sysrq") {
                refused($0, $1, ["Read-only file system", "Permission denied", "Directory nonexistent"])
            },
            EscapeAttempt("reach /sys and the docker socket", "ls /sys/kernel; ls /var/run/docker.sock") {
                refused($0, $1, ["No such file or directory"])
            },
            EscapeAttempt("open raw disks or kernel memory", "ls /dev/sda /dev/vda /dev/mem /dev/kmem 2>&1") {
                $1.contains("No such file") && !$1.contains("\n/dev/") ? nil : "devices visible: \($1)"
            },
            EscapeAttempt("fork bomb", timeout: 30,
                          "i=0; while [ $i -lt 5000 ]; do (sleep 20 &) 2>/dev/null || break; i=$((i+1)); done; echo spawned=$i") {
                guard let value = $1.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                    return $0 ? "unexpected output: \($1)" : nil
                }
                return value < 5000 ? nil : "all 5000 processes started"
            },
            EscapeAttempt("memory bomb", timeout: 60,
                          "python3 -c 'a = []\nwhile True: a.append(bytearray(64 << 20))'") {
                $0 ? "allocating without bound succeeded" : refused($0, $1, ["memory limit", "MemoryError", "killed"])
            },
            EscapeAttempt("fill /tmp", "dd if=/dev/zero of=/tmp/fill bs=1M count=4096 2>&1; df -k /tmp | tail -1") {
                refused($0, $1, ["No space left on device"])
            },
            EscapeAttempt("run forever", timeout: 3, "while :; do :; done") { refused($0, $1, ["time limit"]) },
            EscapeAttempt("flood the output", timeout: 60, "yes sparks-flood") { refused($0, $1, ["too much output"]) },
        ]
        #if arch(x86_64)
        list += [
            EscapeAttempt("ptrace another process", syscall(101, [16, 1, 0, 0]), check: deniedBySeccomp),
            EscapeAttempt("use the kernel keyring", syscall(250, [0, 0, 0, 0]), check: deniedBySeccomp),
            EscapeAttempt("load a BPF program", syscall(321, [5, 0, 0]), check: deniedBySeccomp),
            EscapeAttempt("open a perf event", syscall(298, [0, 0, -1, -1, 0]), check: deniedBySeccomp),
            EscapeAttempt("set up io_uring", syscall(425, [8, 0]), check: deniedBySeccomp),
            EscapeAttempt("join a namespace with setns", syscall(308, [0, 0]), check: deniedBySeccomp),
            EscapeAttempt("load a kernel module", syscall(175, [0, 0, 0]), check: deniedBySeccomp),
            EscapeAttempt("chroot", syscall(161, [0]), check: deniedBySeccomp),
        ]
        #endif
        return list
    }
}
