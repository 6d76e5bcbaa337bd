import Foundation
import Logging
import SparksCore

/// How to start a llama.cpp-compatible server (`python -m llama_cpp.server`) on loopback.
public struct LocalServerSpec: Sendable, Hashable {
    public var python: String
    public var modelPath: String
    /// The name clients use for the model (`llm.model`).
    public var alias: String
    public var host: String
    public var port: Int
    public var contextSize: Int
    public var threads: Int
    public var chatFormat: String?
    public var startupTimeoutSecs: Int
    /// The server's stdout and stderr go here (appended).
    public var logPath: String

    public init(python: String, modelPath: String, alias: String = "local", host: String = "127.0.0.1", port: Int = 8080, contextSize: Int = 8192,
                threads: Int = 2, chatFormat: String? = nil, startupTimeoutSecs: Int = 180, logPath: String) {
        self.python = python
        self.modelPath = modelPath
        self.alias = alias
        self.host = host
        self.port = port
        self.contextSize = contextSize
        self.threads = threads
        self.chatFormat = chatFormat
        self.startupTimeoutSecs = startupTimeoutSecs
        self.logPath = logPath
    }

    /// The server's command line after the interpreter.
    public var arguments: [String] {
        var arguments = ["-m", "llama_cpp.server", "--model", modelPath, "--model_alias", alias, "--host", host, "--port", String(port),
                         "--n_ctx", String(contextSize), "--n_threads", String(threads)]
        if let chatFormat, !chatFormat.isEmpty { arguments += ["--chat_format", chatFormat] }
        return arguments
    }
}

/// Starts, health-checks, restarts and stops the local model server, or attaches to one that
/// already answers on the configured address (then it is left running on stop).
///
/// The server is Sparks' own infrastructure, not a process a spark starts: it runs outside the
/// sandbox, bound to loopback, with an environment that holds no secrets.
public actor LocalModelServer {
    public enum State: Sendable, Equatable {
        case stopped
        /// Someone else's server answered; Sparks only uses it.
        case attached
        case running(pid: Int32)
    }

    public let spec: LocalServerSpec
    private let probe: @Sendable () async -> Bool
    private let logger: Logger
    private var process: Process?
    private var watcher: Task<Void, Never>?
    private var stopping = false
    public private(set) var state: State = .stopped
    /// Restarts after the server died while watched.
    public private(set) var restarts = 0

    /// `probe` answers whether the server is ready (e.g. `GET /v1/models` succeeds).
    public init(spec: LocalServerSpec, logger: Logger, probe: @escaping @Sendable () async -> Bool) {
        self.spec = spec
        self.logger = logger
        self.probe = probe
    }

    /// Makes sure a server answers: attaches to a running one, or starts one and waits until it
    /// is ready, reporting progress.
    public func start(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(SparksError) {
        if state != .stopped { return }
        stopping = false
        if await probe() {
            state = .attached
            progress("using the local model server already running on \(spec.host):\(spec.port)")
            return
        }
        try checkInstallation()
        try await launch(progress: progress)
    }

    /// Checks every `interval` that the server still answers and restarts one that died, at most
    /// `maxRestarts` times in a row (a crash loop is logged, not retried forever).
    public func watch(interval: Duration = .seconds(10), maxRestarts: Int = 3) {
        guard watcher == nil else { return }
        watcher = Task { [weak self] in
            var failures = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                if await self.isHealthy() {
                    failures = 0
                    continue
                }
                failures += 1
                guard failures <= maxRestarts else { continue }
                await self.restart(attempt: failures)
            }
        }
    }

    /// Stops a server Sparks started (SIGTERM, then SIGKILL after 5 s); an attached one is left alone.
    public func stop() async {
        stopping = true
        watcher?.cancel()
        watcher = nil
        if let process, process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        process = nil
        state = .stopped
    }

    private func isHealthy() async -> Bool {
        if stopping { return true }
        if case .running = state, process?.isRunning != true { return false }
        return await probe()
    }

    private func restart(attempt: Int) async {
        guard !stopping else { return }
        logger.warning("local model server stopped answering; restarting", metadata: ["attempt": "\(attempt)"])
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process = nil
        state = .stopped
        try? await Task.sleep(for: .seconds(Double(attempt)))
        do {
            try await launch(progress: { _ in })
            restarts += 1
            logger.notice("local model server restarted", metadata: ["pid": "\(process?.processIdentifier ?? 0)"])
        } catch {
            logger.error("local model server did not restart: \(error)")
        }
    }

    private func checkInstallation() throws(SparksError) {
        let files = FileManager.default
        guard files.fileExists(atPath: spec.modelPath) else {
            throw SparksError(.modelUnavailable, "the local model file \(spec.modelPath) does not exist",
                              hint: "run scripts/local-model.sh (or `make run`) to install the default model, or set local_model.model_path to a GGUF file")
        }
        guard files.isExecutableFile(atPath: spec.python) else {
            throw SparksError(.modelUnavailable, "no Python at \(spec.python) to run the local model server",
                              hint: "run scripts/local-model.sh (or `make run`) to install llama-cpp-python[server], or set local_model.python")
        }
    }

    private func launch(progress: @escaping @Sendable (String) -> Void) async throws(SparksError) {
        let started = ContinuousClock.now
        let model = (spec.modelPath as NSString).lastPathComponent
        progress("starting the local model server (\(model)) on \(spec.host):\(spec.port)…")
        let log: FileHandle
        var logStart: UInt64 = 0
        do {
            try FileManager.default.createDirectory(atPath: (spec.logPath as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: spec.logPath) {
                FileManager.default.createFile(atPath: spec.logPath, contents: nil)
            }
            log = try FileHandle(forWritingTo: URL(fileURLWithPath: spec.logPath))
            logStart = try log.seekToEnd()
        } catch {
            throw SparksError(.modelUnavailable, "cannot open the local model server's log \(spec.logPath): \(error)")
        }
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: spec.python)
        process.arguments = spec.arguments
        process.environment = Self.environment(ProcessInfo.processInfo.environment)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            // Unblocked signals, so that the server stops on SIGTERM rather than only on SIGKILL.
            try SignalMask.withNothingBlocked { try process.run() }
        } catch {
            throw SparksError(.modelUnavailable, "cannot start \(spec.python): \(error)",
                              hint: "check local_model.python, or run scripts/local-model.sh")
        }
        self.process = process
        state = .running(pid: process.processIdentifier)
        var lastNotice = started
        while true {
            if !process.isRunning {
                self.process = nil
                state = .stopped
                throw SparksError(.modelUnavailable,
                                  "the local model server exited with status \(process.terminationStatus) while starting" + Self.tail(of: spec.logPath, from: logStart),
                                  hint: Self.hint(forLog: spec.logPath, from: logStart))
            }
            if await probe() { break }
            let now = ContinuousClock.now
            if now - started > .seconds(spec.startupTimeoutSecs) {
                await stop()
                throw SparksError(.modelUnavailable,
                                  "the local model server did not answer within \(spec.startupTimeoutSecs) s" + Self.tail(of: spec.logPath, from: logStart),
                                  hint: "raise local_model.startup_timeout_secs, or look at \(spec.logPath)")
            }
            if now - lastNotice > .seconds(10) {
                lastNotice = now
                progress("  still loading (\(Int((now - started).components.seconds)) s)…")
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        progress(String(format: "local model server ready after %.1f s (pid %d, log %@)", seconds, process.processIdentifier, spec.logPath))
    }

    /// Only what a Python server needs; never the caller's keys and tokens.
    static func environment(_ parent: [String: String]) -> [String: String] {
        var environment: [String: String] = ["PATH": parent["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1"]
        for key in ["HOME", "LANG", "LC_ALL", "TMPDIR"] { environment[key] = parent[key] }
        return environment
    }

    /// What this launch wrote to the log (earlier runs' lines would mislead).
    private static func logText(_ path: String, from offset: UInt64) -> String {
        guard let data = FileManager.default.contents(atPath: path), offset <= data.count else { return "" }
        return String(decoding: data.dropFirst(Int(offset)), as: UTF8.self)
    }

    private static func tail(of path: String, from offset: UInt64) -> String {
        let lines = logText(path, from: offset).split(separator: "\n").suffix(6).joined(separator: "\n")
        return lines.isEmpty ? "" : "; its log ends with:\n" + lines
    }

    private static func hint(forLog path: String, from offset: UInt64) -> String {
        let text = logText(path, from: offset)
        if text.contains("No module named") {
            return "llama-cpp-python[server] is not installed for that Python: run scripts/local-model.sh"
        }
        if text.contains("Address already in use") {
            return "another program holds the port: change the port in llm.base_url"
        }
        return "see \(path)"
    }
}
