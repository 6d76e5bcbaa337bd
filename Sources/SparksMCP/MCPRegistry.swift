import AsyncHTTPClient
import Foundation
import Logging
import MCP

/// The MCP servers whose tools sparks can call. Each server is started on first use and kept: one
/// process (or HTTP session) serves every call. A server that dies is restarted by the next call
/// after a backoff (0.5 s, 1 s, 2 s … 30 s); after five failed starts in a row it is given up.
/// Call `shutdown()` before dropping the registry: it stops every server process.
public actor MCPRegistry {
    /// Failed starts in a row after which a server is given up.
    public static let maxFailedStarts = 5

    private struct ServerState {
        var config: MCPServerConfig
        var health: MCPHealth = .notStarted
        var session: MCPSession?
        var starting: Task<Result<MCPSession, MCPRegistryError>, Never>?
        var hasStarted = false
        /// Crashes and failed starts since the last successful call; sets the backoff.
        var restartStreak = 0
        var failedStarts = 0
        var lastFailure: ContinuousClock.Instant?
        var lastError = ""
        var tools: (list: [MCPToolInfo], fetchedAt: ContinuousClock.Instant)?
        /// Bumped whenever the tool list may have changed, so a fetch already under way is not cached.
        var toolsGeneration = 0
    }

    /// The configured servers, in configuration order.
    public nonisolated let serverNames: [String]
    private var servers: [String: ServerState]
    private let launcher: MCPLauncher
    /// For streamable-HTTP servers: the caller's, or one made on first use (and shut down here).
    private var http: HTTPClient?
    private var ownsHTTPClient = false
    private let onEvent: @Sendable (MCPRegistryEvent) -> Void
    private let logger: Logger
    private let clock = ContinuousClock()
    private var isShutDown = false

    /// - Parameters:
    ///   - launcher: turns a stdio server's configuration into the process to start (the
    ///     integrator's sandbox wraps the command here).
    ///   - httpClient: for streamable-HTTP servers; the caller shuts it down. By default the registry
    ///     makes its own, which fails at once when a server refuses connections (instead of
    ///     retrying until the deadline), and shuts it down in `shutdown()`.
    ///   - onEvent: called (on the registry's executor; keep it quick) when a server starts,
    ///     crashes, restarts, changes its tools, or is given up.
    public init(
        servers: [MCPServerConfig], launcher: @escaping MCPLauncher = MCPRegistry.directLauncher,
        httpClient: HTTPClient? = nil, onEvent: @escaping @Sendable (MCPRegistryEvent) -> Void = { _ in },
        logger: Logger
    ) throws(MCPRegistryError) {
        var states: [String: ServerState] = [:]
        for config in servers {
            guard MCPServerConfig.isValidName(config.name) else {
                throw .invalidConfig("the MCP server name '\(config.name)' may hold only a-z, 0-9, '_' and '-'")
            }
            guard states[config.name] == nil else { throw .invalidConfig("two MCP servers are named '\(config.name)'") }
            guard config.maxResultBytes > 0 else {
                throw .invalidConfig("max_result_bytes of MCP server '\(config.name)' must be positive")
            }
            states[config.name] = ServerState(config: config)
        }
        serverNames = servers.map(\.name)
        self.servers = states
        self.launcher = launcher
        http = httpClient
        self.onEvent = onEvent
        self.logger = logger
    }

    // MARK: - Tools

    /// The tools of one server, or of all servers. Starts servers as needed; lists are cached for
    /// the server's `toolsTTL`, or until it reports that its tools changed. With no `server`, a
    /// server that cannot be reached is left out (its `health()` says why).
    public func tools(server: String? = nil, refresh: Bool = false) async throws(MCPRegistryError) -> [MCPToolInfo] {
        guard !isShutDown else { throw .shutDown }
        if let server {
            guard servers[server] != nil else { throw .unknownServer(server, known: serverNames) }
            return try await toolList(server, refresh: refresh)
        }
        let logger = self.logger
        var found: [String: [MCPToolInfo]] = [:]
        await withTaskGroup(of: (String, [MCPToolInfo]?).self) { group in
            for name in serverNames {
                group.addTask {
                    do {
                        return (name, try await self.toolList(name, refresh: refresh))
                    } catch {
                        logger.warning(
                            "MCP server left out of the tool list", metadata: ["mcp_server": "\(name)", "error": "\(error)"])
                        return (name, nil)
                    }
                }
            }
            for await (name, list) in group { found[name] = list }
        }
        return serverNames.flatMap { found[$0] ?? [] }
    }

    private func toolList(_ name: String, refresh: Bool) async throws(MCPRegistryError) -> [MCPToolInfo] {
        guard let state = servers[name] else { throw .unknownServer(name, known: serverNames) }
        if !refresh, let cached = state.tools, clock.now < cached.fetchedAt + state.config.toolsTTL { return cached.list }
        let session = try await session(for: name)
        let generation = servers[name]?.toolsGeneration
        let tools: [Tool]
        do {
            tools = try await session.listTools(timeout: state.config.callTimeout)
        } catch {
            noteEndIfAny(name, session)
            throw error
        }
        let list = tools.map {
            MCPToolInfo(
                server: name, name: $0.name, description: $0.description ?? "", inputSchema: ToolResultText.json($0.inputSchema))
        }
        if servers[name]?.toolsGeneration == generation { servers[name]?.tools = (list, clock.now) }
        return list
    }

    private func toolsListChanged(_ name: String) {
        guard servers[name] != nil else { return }
        servers[name]?.tools = nil
        servers[name]?.toolsGeneration += 1
        emit(.toolsChanged, name, "the server's tool list changed")
    }

    // MARK: - Calls

    /// Calls `mcp:<server>:<tool>` with arguments given as a JSON object's text.
    public func call(_ qualifiedName: String, argumentsJSON: String) async throws(MCPRegistryError) -> MCPCallResult {
        try await call(qualifiedName, arguments: ToolResultText.arguments(argumentsJSON, tool: qualifiedName))
    }

    /// Calls `mcp:<server>:<tool>`. A result the server marks as an error is returned (with
    /// `isError`); failures to get a result at all are thrown.
    public func call(_ qualifiedName: String, arguments: [String: Value]) async throws(MCPRegistryError) -> MCPCallResult {
        guard !isShutDown else { throw .shutDown }
        guard let (server, tool) = MCPToolInfo.parse(qualifiedName: qualifiedName) else {
            throw .invalidToolName(qualifiedName)
        }
        guard let config = servers[server]?.config else { throw .unknownServer(server, known: serverNames) }
        var known = try await toolList(server, refresh: false)
        if !known.contains(where: { $0.name == tool }) {
            // The tool may be new since the list was cached.
            known = try await toolList(server, refresh: true)
            guard known.contains(where: { $0.name == tool }) else {
                throw .unknownTool(server: server, tool: tool, available: known.map(\.name))
            }
        }
        let session = try await session(for: server)
        let started = clock.now
        do {
            let result = try await session.callTool(tool, arguments: arguments, timeout: config.callTimeout)
            if servers[server]?.session === session { servers[server]?.restartStreak = 0 }
            let (text, truncated) = ToolResultText.truncate(ToolResultText.render(result), maxBytes: config.maxResultBytes)
            return MCPCallResult(
                text: text, isError: result.isError ?? false, truncated: truncated, durationMs: (clock.now - started).milliseconds
            )
        } catch {
            noteEndIfAny(server, session)
            logger.warning(
                "MCP tool call failed", metadata: ["mcp_server": "\(server)", "tool": "\(tool)", "code": "\(error.code)"])
            throw error
        }
    }

    /// Calls a tool `calls` times in a row (after one warm-up call that starts the server) and
    /// reports the latencies as the caller sees them.
    public func measureLatency(_ qualifiedName: String, argumentsJSON: String = "{}", calls: Int) async throws(MCPRegistryError)
        -> MCPLatencyReport
    {
        _ = try await call(qualifiedName, argumentsJSON: argumentsJSON)
        var samples: [Double] = []
        samples.reserveCapacity(calls)
        for _ in 0..<calls {
            let start = clock.now
            _ = try await call(qualifiedName, argumentsJSON: argumentsJSON)
            samples.append((clock.now - start).milliseconds)
        }
        return MCPLatencyReport(samplesMs: samples)
    }

    // MARK: - State

    public func health() -> [String: MCPHealth] {
        servers.mapValues(\.health)
    }

    /// The process id of a running stdio server (with a sandboxing launcher, the sandbox's).
    public func processID(server: String) -> Int32? {
        servers[server]?.session?.child?.pid
    }

    /// The end of a stdio server's stderr (up to 64 KiB), for diagnostics.
    public func stderrTail(server: String, maxBytes: Int = 64 * 1024) -> String? {
        servers[server]?.session?.child?.stderrTail.text(maxBytes: maxBytes)
    }

    /// Forgets a server's failed starts, so a given-up server is tried again by the next call.
    public func reset(server: String) throws(MCPRegistryError) {
        guard var state = servers[server] else { throw .unknownServer(server, known: serverNames) }
        state.failedStarts = 0
        state.restartStreak = 0
        state.lastFailure = nil
        state.health = state.session == nil ? .notStarted : .ready
        servers[server] = state
    }

    /// Stops every server (SIGTERM to each process group, SIGKILL after 2 s) and fails calls
    /// still running. Later calls fail with `shutDown`.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        var sessions: [MCPSession] = []
        var starts: [Task<Result<MCPSession, MCPRegistryError>, Never>] = []
        for name in serverNames {
            if let session = servers[name]?.session { sessions.append(session) }
            if let start = servers[name]?.starting {
                start.cancel()
                starts.append(start)
            }
            servers[name]?.session = nil
            servers[name]?.health = .notStarted
        }
        // Each close gets 5 s; a server still there then is killed with its process group, and
        // shutdown goes on (seen: the SDK's client can stay suspended after its server is gone).
        await withTaskGroup(of: Void.self) { group in
            for session in sessions {
                group.addTask {
                    let done = Latch<Void>()
                    let closing = Task {
                        await session.close()
                        done.fulfill(())
                    }
                    for _ in 0..<50 {
                        if done.value != nil { break }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    if done.value == nil {
                        if let pid = session.child?.pid { Posix.signalGroup(pid, SIGKILL) }
                        closing.cancel()
                    }
                }
            }
        }
        for start in starts { _ = await start.value }
        if ownsHTTPClient, let http { try? await http.shutdown() }
        logger.debug("MCP registry shut down", metadata: ["servers": "\(sessions.count)"])
    }

    // MARK: - Starting and restarting

    private func session(for name: String) async throws(MCPRegistryError) -> MCPSession {
        guard !isShutDown else { throw .shutDown }
        guard let state = servers[name] else { throw .unknownServer(name, known: serverNames) }
        if let session = state.session {
            if session.ended.value == nil { return session }
            noteEndIfAny(name, session)
        }
        if case .failed = state.health {
            throw .gaveUp(server: name, attempts: state.failedStarts, lastError: state.lastError)
        }
        let start: Task<Result<MCPSession, MCPRegistryError>, Never>
        if let running = servers[name]?.starting {
            start = running
        } else {
            start = Task { await self.start(name) }
            servers[name]?.starting = start
        }
        return try await start.value.get()
    }

    private func start(_ name: String) async -> Result<MCPSession, MCPRegistryError> {
        defer { servers[name]?.starting = nil }
        guard let state = servers[name] else { return .failure(.unknownServer(name, known: serverNames)) }
        if let lastFailure = state.lastFailure {
            let wait = lastFailure + Self.backoff(afterFailures: state.restartStreak) - clock.now
            if wait > .zero {
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    return .failure(isShutDown ? .shutDown : .cancelled)
                }
            }
        }
        guard !isShutDown else { return .failure(.shutDown) }
        if !state.hasStarted { servers[name]?.health = .starting }
        var serverLogger = logger
        serverLogger[metadataKey: "mcp_server"] = "\(name)"
        do {
            let session = try await MCPSession.open(
                config: state.config, launcher: launcher, http: httpClient(for: state.config), logger: serverLogger,
                onToolsChanged: { [weak self] in await self?.toolsListChanged(name) })
            guard !isShutDown else {
                await session.close()
                return .failure(.shutDown)
            }
            adopt(session, name)
            return .success(session)
        } catch {
            if case .cancelled = error { return .failure(isShutDown ? .shutDown : .cancelled) }
            if case .shutDown = error { return .failure(error) }
            return .failure(startFailed(name, error))
        }
    }

    private func httpClient(for config: MCPServerConfig) -> HTTPClient? {
        guard case .http = config.transport else { return nil }
        if let http { return http }
        var configuration = HTTPClient.Configuration()
        // A refused connection fails the request at once instead of being retried until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        http = client
        ownsHTTPClient = true
        return client
    }

    private func adopt(_ session: MCPSession, _ name: String) {
        guard var state = servers[name] else { return }
        let restarted = state.hasStarted
        state.session = session
        state.hasStarted = true
        state.failedStarts = 0
        state.health = .ready
        state.tools = nil
        state.toolsGeneration += 1
        servers[name] = state
        let detail = session.child.map { "process \($0.pid)" } ?? "HTTP session"
        emit(restarted ? .restarted : .started, name, detail)
        // Notice a crash when it happens, not only at the next call.
        Task { [weak self] in
            guard let end = await session.ended.wait(), !end.onPurpose else { return }
            await self?.noteEndIfAny(name, session)
        }
    }

    private func startFailed(_ name: String, _ error: MCPRegistryError) -> MCPRegistryError {
        guard var state = servers[name] else { return error }
        state.failedStarts += 1
        state.restartStreak += 1
        state.lastFailure = clock.now
        state.lastError = error.description
        defer { servers[name] = state }
        logger.warning("MCP server failed to start", metadata: ["mcp_server": "\(name)", "attempt": "\(state.failedStarts)"])
        if state.failedStarts >= Self.maxFailedStarts {
            state.health = .failed(error.description)
            emit(.failed, name, "gave up after \(state.failedStarts) failed starts: \(error)")
            return .gaveUp(server: name, attempts: state.failedStarts, lastError: error.description)
        }
        state.health = .restarting(attempt: state.restartStreak, lastError: error.description)
        return error
    }

    /// Records that `session` ended on its own (once), emits `crashed`, and reaps what is left.
    private func noteEndIfAny(_ name: String, _ session: MCPSession) {
        guard let end = session.ended.value, !end.onPurpose, var state = servers[name], state.session === session else { return }
        state.session = nil
        state.restartStreak += 1
        state.lastFailure = clock.now
        state.lastError = end.reason
        state.health = .restarting(attempt: state.restartStreak, lastError: end.reason)
        state.tools = nil
        state.toolsGeneration += 1
        servers[name] = state
        logger.warning("MCP server stopped; the next call restarts it", metadata: ["mcp_server": "\(name)"])
        emit(.crashed, name, end.reason)
        Task { await session.close() }
    }

    /// The wait before the next start after `failures` crashes or failed starts in a row.
    static func backoff(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        return min(.milliseconds(500) * (1 << min(failures - 1, 16)), .seconds(30))
    }

    private func emit(_ kind: MCPRegistryEvent.Kind, _ server: String, _ detail: String) {
        logger.info("MCP server \(kind.rawValue)", metadata: ["mcp_server": "\(server)"])
        onEvent(MCPRegistryEvent(kind: kind, server: server, detail: detail))
    }
}
