import Foundation
import SparksConfig
import SparksCore
import SparksSandbox

/// `sparks doctor --security`: checks the sandbox for real by running probes inside it, and
/// reports the effective settings of every spark.
public struct SecurityDoctor: Sendable {
    public enum Status: String, Sendable, Codable { case pass, warn, fail }

    public struct Check: Sendable, Codable {
        public var id: String
        public var status: Status
        public var detail: String
    }

    public struct SparkReport: Sendable, Codable {
        public var name: String
        public var tools: [String]
        public var processTools: [String]
        public var network: String
        public var timeoutSecs: Double
        public var memoryMB: Int
        public var maxProcesses: Int
    }

    public struct Report: Sendable, Codable {
        public var schema = "sparks.security.v1"
        public var backend: String
        public var bwrap: String?
        public var enforcement: String?
        public var seccompDeniedSyscalls: Int
        public var confirmPatterns: Int
        public var checks: [Check]
        public var sparks: [SparkReport]
        public var summary: [String: Int]

        public var failed: Bool { checks.contains { $0.status == .fail } }
    }

    let config: SparksConfig

    public init(config: SparksConfig) {
        self.config = config
    }

    public func run() async -> Report {
        var checks: [Check] = []
        var bwrapPath: String?
        var enforcement: String?
        let sandbox: (any Sandbox)?
        do {
            sandbox = try SandboxFactory.make(config.sandbox)
        } catch {
            sandbox = nil
            checks.append(Check(id: "sandbox.available", status: .fail, detail: error.description))
        }
        if let bubblewrap = sandbox as? BubblewrapSandbox {
            bwrapPath = bubblewrap.bwrapPath
            enforcement = bubblewrap.enforcement.rawValue
            checks.append(Check(id: "sandbox.available", status: .pass, detail: "bubblewrap at \(bubblewrap.bwrapPath)"))
            let mode = bubblewrap.enforcement
            checks.append(Check(id: "limits.enforcement", status: .pass,
                                detail: "process and memory limits by \(mode.rawValue)"))
        } else if sandbox is HostSandbox {
            checks.append(Check(id: "sandbox.available", status: .fail,
                                detail: "sandbox.backend = \"none\": spark commands run UNSANDBOXED on the host"))
        }
        if let sandbox, !(sandbox is HostSandbox) {
            checks += await probes(sandbox)
        }
        let sparks = config.sparks.map { spark in
            let limits = spark.limits.applied(to: config.sandbox.limits)
            return SparkReport(name: spark.name, tools: spark.tools,
                               processTools: spark.tools.filter { SparkDefinition.processTools.contains($0) },
                               network: (spark.allowedHosts ?? config.sandbox.allowedHosts).isEmpty ? "none"
                                   : "allowlist: " + (spark.allowedHosts ?? config.sandbox.allowedHosts).joined(separator: ", "),
                               timeoutSecs: limits.timeoutSecs, memoryMB: limits.memoryBytes >> 20,
                               maxProcesses: limits.maxProcesses)
        }
        var summary = ["pass": 0, "warn": 0, "fail": 0]
        for check in checks { summary[check.status.rawValue, default: 0] += 1 }
        return Report(backend: config.sandbox.backend.rawValue, bwrap: bwrapPath, enforcement: enforcement,
                      seccompDeniedSyscalls: SeccompInfo.deniedCount, confirmPatterns: config.sandbox.confirmPatterns.count,
                      checks: checks, sparks: sparks, summary: summary)
    }

    /// Probes run inside a real sandbox on a scratch workspace.
    private func probes(_ sandbox: any Sandbox) async -> [Check] {
        let scratch = NSTemporaryDirectory() + "sparks-doctor-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var limits = config.sandbox.limits
        limits.timeoutSecs = 20
        let policy = SandboxPolicy.workspace(scratch, limits: limits)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let probes: [(id: String, script: String, passes: (SandboxResult) -> Bool, expectation: String)] = [
            ("sandbox.starts", "true", { $0.termination.succeeded }, "a command runs"),
            ("workspace.writable", "echo ok > probe.txt && cat probe.txt", { $0.stdout == "ok\n" }, "the workspace is writable"),
            ("filesystem.read_only", "echo x > /usr/sparks-probe", { $0.stderr.contains("Read-only") }, "the system is read-only"),
            ("filesystem.secrets_hidden", "ls /etc/shadow \(home) \(config.home) 2>&1; true",
             { $0.stdout.components(separatedBy: "No such file").count - 1 == 3 }, "/etc/shadow, $HOME and $SPARKS_HOME are absent"),
            ("network.isolated", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", { $0.stdout == "lo\n" },
             "only the loopback interface of an empty network namespace"),
            ("capabilities.dropped", "grep CapEff /proc/self/status", { $0.stdout.contains("0000000000000000") }, "no capabilities"),
            ("privileges.no_new_privs", "grep NoNewPrivs /proc/self/status", { $0.stdout.contains("1") }, "no_new_privs is set"),
            ("seccomp.active", "grep '^Seccomp:' /proc/self/status", { $0.stdout.contains("2") }, "a seccomp filter is loaded"),
            ("namespaces.blocked", "unshare --user true 2>&1; true", { $0.stdout.contains("not permitted") || $0.stdout.contains("No space") },
             "new namespaces cannot be created"),
            ("processes.isolated", "ps -e -o pid= | wc -l", { (Int($0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) < 8 },
             "host processes are invisible"),
            ("environment.clean", "env", { result in !ProcessInfo.processInfo.environment.values.contains { $0.count >= 12 && result.stdout.contains($0) && !BubblewrapSandbox.safeEnvironment.values.contains($0) } },
             "no variable of Sparks' environment leaks in"),
        ]
        var checks: [Check] = []
        for probe in probes {
            do {
                let result = try await sandbox.run(.shell(probe.script, in: scratch), policy: policy)
                let ok = probe.passes(result)
                checks.append(Check(id: probe.id, status: ok ? .pass : .fail,
                                    detail: ok ? probe.expectation : "expected \(probe.expectation); got: "
                                        + result.combinedOutput.prefix(200).replacingOccurrences(of: "\n", with: " ")))
            } catch {
                checks.append(Check(id: probe.id, status: .fail, detail: error.description))
            }
        }
        return checks
    }
}
