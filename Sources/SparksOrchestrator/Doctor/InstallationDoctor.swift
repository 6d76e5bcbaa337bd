import Foundation
import SparksMCP
import Logging
import SparksConfig
import SparksCore
import SparksLLM
import SparksSandbox
import SparksProactive
import SparksStore

/// `sparks doctor`: checks what Sparks needs, each check PASS, WARN or FAIL with what to do about
/// it. Real checks, not settings read back: the database is integrity-checked, the model server is
/// asked for its models, a command runs in the sandbox.
public struct InstallationDoctor: Sendable {
    public enum Status: String, Sendable, Codable, Comparable {
        case pass, warn, fail

        public static func < (lhs: Status, rhs: Status) -> Bool {
            let order: [Status] = [.pass, .warn, .fail]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public struct Check: Sendable, Codable, Hashable {
        public var id: String
        public var status: Status
        public var detail: String
        /// What to do, for WARN and FAIL.
        public var fix: String?

        public init(id: String, status: Status, detail: String, fix: String? = nil) {
            self.id = id
            self.status = status
            self.detail = detail
            self.fix = fix
        }
    }

    /// `--json` output, schema `sparks.doctor.v1`.
    public struct Report: Sendable, Codable {
        public var schema = "sparks.doctor.v1"
        public var checks: [Check]
        public var summary: [String: Int]

        public init(checks: [Check]) {
            self.checks = checks
            var summary = ["pass": 0, "warn": 0, "fail": 0]
            for check in checks { summary[check.status.rawValue, default: 0] += 1 }
            self.summary = summary
        }

        public var worst: Status { checks.map(\.status).max() ?? .pass }
    }

    public let config: SparksConfig
    public let model: (any ChatModel)?
    /// Where `bwrap` is looked for (tests point it elsewhere).
    public let path: String?

    public init(config: SparksConfig, model: (any ChatModel)?, path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        self.config = config
        self.model = model
        self.path = path
    }

    /// - Parameter extraChecks: checks the caller made (e.g. starting the local model server).
    public func run(configWarnings: [String] = [], extraChecks: [Check] = []) async -> Report {
        var checks: [Check] = []
        checks.append(configWarnings.isEmpty
            ? Check(id: "config", status: .pass, detail: "configuration is valid")
            : Check(id: "config", status: .warn, detail: configWarnings.joined(separator: "; "), fix: "see `sparks config show`"))
        checks += databaseChecks()
        checks.append(diskCheck())
        checks.append(gitCheck())
        checks += await sandboxChecks()
        checks.append(modelFilesCheck())
        checks.append(apiCheck())
        checks += tracingChecks()
        checks += selfMetricsChecks()
        checks += await mcpChecks()
        checks += extraChecks
        if let model { checks += await llmChecks(model) }
        return Report(checks: checks)
    }

    /// The daemon's latest self-metrics sample, when it takes them (`self_dev` knob): its summary,
    /// and a warning when it shows an anomaly.
    func selfMetricsChecks() -> [Check] {
        guard let store = try? SparksStore(path: config.databasePath),
              let latest = try? store.selfMetrics(limit: 1).first,
              let snapshot = try? JSONDecoder().decode(SelfMetricsSnapshot.self, from: Data(latest.snapshot.utf8))
        else { return [] }
        let age = Int(Date().timeIntervalSince(latest.at))
        let anomalies = AnomalyDetector().detect(snapshot)
        if anomalies.isEmpty {
            return [Check(id: "self_metrics", status: .pass, detail: "\(snapshot.summary) (\(age) s ago)")]
        }
        return [Check(id: "self_metrics", status: .warn, detail: anomalies.map(\.message).joined(separator: "; ") + " — \(snapshot.summary)",
                      fix: "`sparks observe --category self_metrics,tool_usage` shows what fails; `sparks kpi status` the trend")]
    }

    func databaseChecks() -> [Check] {
        do {
            let store = try SparksStore(path: config.databasePath)
            let integrity = try store.integrityCheck()
            guard integrity == "ok" else {
                return [Check(id: "database", status: .fail, detail: "integrity check of \(config.databasePath): \(integrity.prefix(300))",
                              fix: "stop Sparks, copy the file aside, and recover it with `sqlite3 \(config.databasePath) .recover`")]
            }
            let migrations = try store.appliedMigrations()
            var checks = [Check(id: "database", status: .pass,
                                detail: "\(config.databasePath): integrity ok, \(migrations.count) migrations (latest \(migrations.last ?? "-"))")]
            let counts = try store.taskCounts()
            let queued = counts[.queued] ?? 0
            if queued > 0 && DaemonLock.runningPID(home: config.home) == nil {
                checks.append(Check(id: "queue", status: .warn, detail: "\(queued) task(s) are queued and no `sparks serve` is running",
                                    fix: "start `sparks serve`, or cancel them with `sparks tasks cancel ID`"))
            } else {
                let daemon = DaemonLock.runningPID(home: config.home).map { "sparks serve running (pid \($0))" } ?? "no daemon"
                checks.append(Check(id: "queue", status: .pass, detail: "\(queued) queued, \(counts[.running] ?? 0) running; \(daemon)"))
            }
            return checks
        } catch {
            return [Check(id: "database", status: .fail, detail: error.message, fix: error.hint ?? "check that \(config.home) is writable")]
        }
    }

    func diskCheck() -> Check {
        var info = statvfs()
        guard statvfs(config.home, &info) == 0 else {
            return Check(id: "disk", status: .warn, detail: "cannot read free space of \(config.home)", fix: "check that the directory exists")
        }
        let free = Double(info.f_bavail) * Double(info.f_frsize)
        let text = String(format: "%.1f GiB free for %@", free / 1_073_741_824, config.home)
        if free < 100 * 1_048_576 {
            return Check(id: "disk", status: .fail, detail: text, fix: "free space: tasks clone repositories into \(config.home)/workspaces (`sparks worktrees prune`)")
        }
        if free < 1_073_741_824 {
            return Check(id: "disk", status: .warn, detail: text, fix: "`sparks worktrees prune` removes finished workspaces")
        }
        return Check(id: "disk", status: .pass, detail: text)
    }

    func gitCheck() -> Check {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/git")
            ? Check(id: "git", status: .pass, detail: "/usr/bin/git")
            : Check(id: "git", status: .fail, detail: "git is not installed at /usr/bin/git", fix: "apt-get install git")
    }

    func sandboxChecks() async -> [Check] {
        switch config.sandbox.backend {
        case .none:
            return [Check(id: "sandbox", status: .warn, detail: "backend \"none\": spark commands run UNSANDBOXED on this host",
                          fix: "set [sandbox] backend = \"bubblewrap\" (apt-get install bubblewrap)")]
        case .docker:
            guard let docker = DockerSandbox.locate() else {
                return [Check(id: "sandbox", status: .fail, detail: "backend \"docker\" but the docker CLI is not installed",
                              fix: "apt-get install docker.io, or use [sandbox] backend = \"bubblewrap\"")]
            }
            return [Check(id: "sandbox", status: .pass, detail: "docker at \(docker); run `sparks doctor --security` for a probe")]
        case .bubblewrap:
            var checks: [Check] = []
            guard let bwrap = BubblewrapSandbox.locate(path: path) else {
                return [Check(id: "sandbox", status: .fail, detail: "bubblewrap (bwrap) is not installed: spark commands cannot be sandboxed",
                              fix: "apt-get install bubblewrap (or run unsandboxed at your own risk with [sandbox] backend = \"none\")")]
            }
            checks += userNamespaceChecks()
            let sandbox = BubblewrapSandbox(bwrapPath: bwrap)
            let probeDirectory = NSTemporaryDirectory() + "sparks-doctor-\(UUID().uuidString.prefix(8))"
            try? FileManager.default.createDirectory(atPath: probeDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: probeDirectory) }
            try? sandbox.prepareWorkspace(probeDirectory)
            do {
                let result = try await sandbox.run(.shell("echo sandboxed", in: probeDirectory),
                                                   policy: .workspace(probeDirectory, limits: config.sandbox.limits))
                guard result.termination.succeeded, result.stdout.contains("sandboxed") else {
                    checks.append(Check(id: "sandbox", status: .fail, detail: "a probe command failed in the sandbox: \(result.termination) \(result.stderr.prefix(200))",
                                        fix: "run `sparks doctor --security` for the failing check"))
                    return checks
                }
                checks.append(Check(id: "sandbox", status: .pass,
                                    detail: "\(bwrap)\(Self.version(of: bwrap).map { " (\($0))" } ?? "") works; limits by \(sandbox.enforcement.rawValue); seccomp on (`sparks doctor --security` attests it)"))
            } catch {
                checks.append(Check(id: "sandbox", status: .fail, detail: error.message,
                                    fix: error.hint ?? "run `sparks doctor --security` for the failing check"))
            }
            if SandboxSession.locateSupervisor() == nil {
                checks.append(Check(id: "supervisor", status: .warn, detail: "sparks-supervisor is not next to the sparks binary: each command gets a sandbox of its own (slower)",
                                    fix: "keep sparks-supervisor in the same directory as sparks (swift build puts both in .build/debug)"))
            }
            return checks
        }
    }

    /// Unprivileged user namespaces, which bubblewrap needs unless Sparks runs as root.
    func userNamespaceChecks() -> [Check] {
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let root = getuid() == 0
        var problems: [(String, String)] = []
        if read("/proc/sys/kernel/unprivileged_userns_clone") == "0" {
            problems.append(("kernel.unprivileged_userns_clone = 0", "sysctl -w kernel.unprivileged_userns_clone=1"))
        }
        if read("/proc/sys/user/max_user_namespaces") == "0" {
            problems.append(("user.max_user_namespaces = 0", "sysctl -w user.max_user_namespaces=15000"))
        }
        if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1" {
            problems.append(("AppArmor restricts unprivileged user namespaces",
                             "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for bwrap"))
        }
        guard !problems.isEmpty else { return [Check(id: "user_namespaces", status: .pass, detail: "allowed")] }
        return [Check(id: "user_namespaces", status: root ? .warn : .fail,
                      detail: problems.map(\.0).joined(separator: "; ") + (root ? " (Sparks runs as root, so bubblewrap still works)" : ""),
                      fix: problems.map(\.1).joined(separator: "; "))]
    }

    func modelFilesCheck() -> Check {
        guard config.memory.enabled else { return Check(id: "embedding_model", status: .pass, detail: "memory is off") }
        let directory = config.memory.modelDirectory
        let missing = ["model.safetensors", "vocab.txt"].filter { !FileManager.default.fileExists(atPath: directory + "/" + $0) }
        guard missing.isEmpty else {
            return Check(id: "embedding_model", status: .warn,
                         detail: "\(directory) lacks \(missing.joined(separator: ", ")): memory works by keywords only",
                         fix: "sparks memory fetch-model")
        }
        return Check(id: "embedding_model", status: .pass, detail: "all-MiniLM-L6-v2 in \(directory)")
    }

    func llmChecks(_ model: any ChatModel) async -> [Check] {
        let keyNeeded = ["openai", "openrouter", "zen"].contains(config.llm.provider.rawValue)
        if keyNeeded && config.llm.apiKey == nil {
            return [Check(id: "llm", status: .fail, detail: "no API key for provider \(config.llm.provider.rawValue)",
                          fix: "export SPARKS_LLM_API_KEY=… (or \(config.llm.apiKeyEnv ?? "the variable in llm.api_key_env"))")]
        }
        do {
            let models = try await model.listModels()
            guard models.isEmpty || models.contains(config.llm.model) else {
                return [Check(id: "llm", status: .fail,
                              detail: "\(config.llm.baseURL) answers, but model \"\(config.llm.model)\" is not among its \(models.count) models",
                              fix: "set llm.model to one of: " + models.prefix(8).joined(separator: ", "))]
            }
            return [Check(id: "llm", status: .pass, detail: "\(config.llm.baseURL) answers; model \(config.llm.model)"
                + (models.isEmpty ? " (the server lists no models)" : " is available"))]
        } catch {
            return [Check(id: "llm", status: .fail, detail: error.message, fix: error.hint ?? "check llm.base_url and the API key")]
        }
    }

    /// `bwrap --version`'s answer, e.g. "bubblewrap 0.8.0".
    static func version(of executable: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = PipeReading.all(pipe.fileHandleForReading)
        process.waitUntilExit()
        return String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Each MCP server is started (in the sandbox, as a spark would use it) and asked for its tools.
    func mcpChecks() async -> [Check] {
        guard !config.mcpServers.isEmpty else { return [] }
        let registry: MCPRegistry
        do {
            guard let made = try MCPSetup.registry(config: config, sandbox: try SandboxFactory.make(config.sandbox), store: nil,
                                                   logger: Logger(label: "sparks.doctor") { _ in SwiftLogNoOpLogHandler() })
            else { return [] }
            registry = made
        } catch {
            return [Check(id: "mcp", status: .fail, detail: error.message, fix: error.hint ?? "check [[mcp.servers]]")]
        }
        var checks: [Check] = []
        for server in config.mcpServers {
            do {
                let tools = try await registry.tools(server: server.name)
                checks.append(Check(id: "mcp.\(server.name)", status: .pass,
                                    detail: "\(tools.count) tool(s): " + tools.prefix(6).map(\.name).joined(separator: ", ")
                                        + (tools.count > 6 ? ", …" : "")))
            } catch {
                checks.append(Check(id: "mcp.\(server.name)", status: .fail, detail: String(error.description.prefix(400)),
                                    fix: server.url == nil
                                        ? "check `command`/`args`; the server runs in the sandbox as uid 65534 when Sparks runs as root, so "
                                            + "its files (a virtualenv: `ro_paths`) must be readable by that user; try `sparks mcp tools \(server.name)`"
                                        : "check the URL and `headers`; try `sparks mcp tools \(server.name)`"))
            }
        }
        await registry.shutdown()
        return checks
    }

    /// The HTTP server of `sparks serve`: where it listens and whether that is safe.
    func apiCheck() -> Check {
        guard config.api.enabled else { return Check(id: "api", status: .pass, detail: "the HTTP server is off ([api] enabled = false)") }
        guard let (host, port) = APISettings.parseBind(config.api.bind) else {
            return Check(id: "api", status: .fail, detail: "[api] bind \"\(config.api.bind)\" is not host:port", fix: "bind = \"127.0.0.1:8787\"")
        }
        if !APISettings.isLoopback(host) && config.api.keys.isEmpty {
            return Check(id: "api", status: .fail, detail: "[api] bind \(config.api.bind) is beyond loopback and no keys are set: sparks serve refuses to start",
                         fix: "export SPARKS_API_KEYS=<long random key> or bind to 127.0.0.1")
        }
        let auth = config.api.keys.isEmpty ? "no keys (loopback only)" : "\(config.api.keys.count) key(s)"
        return Check(id: "api", status: .pass, detail: "sparks serve listens on \(host):\(port) (dashboard at /dashboard, /metrics); \(auth)")
    }

    /// Langfuse and OpenTelemetry: is the configured endpoint reachable (a TCP connection)?
    func tracingChecks() -> [Check] {
        var checks: [Check] = []
        if let langfuse = config.langfuse {
            checks.append(reachability(id: "langfuse", url: langfuse.baseURL,
                                       fix: "check [langfuse] base_url; traces wait in a bounded queue and are dropped beyond 10 000"))
        }
        if let otel = config.otel {
            checks.append(reachability(id: "otel", url: otel.tracesURL,
                                       fix: "check [otel] endpoint or OTEL_EXPORTER_OTLP_ENDPOINT (an OTLP/HTTP collector, usually port 4318)"))
        }
        return checks
    }

    func reachability(id: String, url text: String, fix: String) -> Check {
        guard let url = URL(string: text), let host = url.host else {
            return Check(id: id, status: .fail, detail: "\(text) is not a URL", fix: fix)
        }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        if let problem = TCPProbe.connect(host: host, port: port, timeoutMs: 3000) {
            return Check(id: id, status: .warn, detail: "\(host):\(port) is not reachable: \(problem)", fix: fix)
        }
        return Check(id: id, status: .pass, detail: "\(text) is reachable")
    }
}

/// A TCP connection attempt with a timeout: nil when it connected, else why not.
enum TCPProbe {
    static func connect(host: String, port: Int, timeoutMs: Int32) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return "the name does not resolve" }
        defer { freeaddrinfo(list) }
        var problem = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            let fd = socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if Glibc.connect(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 { return nil }
            guard errno == EINPROGRESS else { problem = String(cString: strerror(errno)); continue }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, timeoutMs) == 1 else { problem = "no answer within \(timeoutMs) ms"; continue }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return nil }
            problem = String(cString: strerror(error))
        }
        return problem
    }
}
