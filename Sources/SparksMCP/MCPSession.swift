import AsyncHTTPClient
import Foundation
import Logging
import MCP
import Synchronization

/// One live connection to one server (for stdio: one process), kept across calls. The SDK's
/// `Client` speaks the protocol; this adds what it lacks: a deadline on every request, and an
/// immediate failure of every request in flight when the server goes away.
final class MCPSession: Sendable {
    let server: String
    let client: Client
    let transport: any Transport
    /// The process, for stdio servers.
    let child: ChildProcess?
    /// How a session ended: the server went away (with its exit and stderr tail), or sparks closed it.
    struct End: Sendable {
        var reason: String
        var onPurpose: Bool
    }

    /// Fired once, by whichever comes first: the server going away or `close()`.
    let ended = Latch<End>()

    private init(server: String, client: Client, transport: any Transport, child: ChildProcess?) {
        self.server = server
        self.client = client
        self.transport = transport
        self.child = child
    }

    /// Starts the server (or reaches it) and initializes the MCP session.
    static func open(
        config: MCPServerConfig, launcher: MCPLauncher, http: HTTPClient?, logger: Logger,
        onToolsChanged: @escaping @Sendable () async -> Void
    ) async throws(MCPRegistryError) -> MCPSession {
        let session: MCPSession
        switch config.transport {
        case .stdio:
            let launch: MCPLaunch
            do {
                launch = try launcher(config)
            } catch let error as MCPRegistryError {
                throw error
            } catch {
                throw .startFailed(server: config.name, reason: "the launcher failed: \(error)")
            }
            let transport: StdioProcessTransport
            do {
                transport = try StdioProcessTransport(launch: launch, server: config.name, logger: logger)
            } catch {
                throw .startFailed(server: config.name, reason: "cannot run '\(launch.executable)': \(error)")
            }
            session = MCPSession(server: config.name, client: makeClient(), transport: transport, child: transport.child)
            let child = transport.child
            Task {
                _ = await child.ended.wait()
                let summary = await child.endSummary()
                await session.serverWentAway(summary)
            }
        case .http(let url, let headers):
            guard let http else { throw .invalidConfig("no HTTP client for MCP server '\(config.name)'") }
            let lost = Latch<String>()
            let transport = StreamableHTTPTransport(
                url: url, headers: headers, http: http,
                requestTimeout: max(config.callTimeout, config.startTimeout) + .seconds(10),
                logger: logger, onLost: { lost.fulfill($0) })
            session = MCPSession(server: config.name, client: makeClient(), transport: transport, child: nil)
            Task {
                guard let reason = await lost.wait() else { return }
                await session.serverWentAway(reason)
            }
        }

        await session.client.onNotification(ToolListChangedNotification.self) { _ in
            // Awaited by the SDK before it reads the next message, so the cache is already
            // cleared when the answer to the call that changed the tools arrives.
            await onToolsChanged()
        }
        let client = session.client
        let transport = session.transport
        let outcome = await session.race(timeout: config.startTimeout) {
            try await client.connect(transport: transport)
        } abandon: { _ in
            await client.disconnect()
        }
        switch outcome {
        case .value(let result):
            if let http = transport as? StreamableHTTPTransport {
                await http.setProtocolVersion(result.protocolVersion)
                await http.startListening()
            }
            logger.debug(
                "MCP server initialized",
                metadata: ["protocol": "\(result.protocolVersion)", "server_name": "\(result.serverInfo.name)"])
            return session
        case .failed(let error):
            let end = await session.settledEnd()
            await session.close()
            let reason = end.map(\.reason) ?? "initialization failed: \(error)"
            throw .startFailed(server: config.name, reason: reason)
        case .ended(let end):
            // Not awaited: a server that died during `initialize` can leave the SDK's client
            // waiting on its read loop.
            Task { await session.close() }
            throw end.onPurpose ? .shutDown : .startFailed(server: config.name, reason: end.reason)
        case .timedOut:
            await session.close()
            throw .startFailed(
                server: config.name,
                reason: "it did not answer the MCP initialize request within \(config.startTimeout.shortText)")
        case .cancelled:
            await session.close()
            throw .cancelled
        }
    }

    private static func makeClient() -> Client {
        Client(name: "sparks", version: "1.0.0")
    }

    /// How the session ended, when it did or is about to: a request that failed because the
    /// process just died (a write to its closed stdin) waits for the exit and stderr tail.
    private func settledEnd() async -> End? {
        if let end = ended.value { return end }
        guard let child, child.ended.value != nil else { return nil }
        return await ended.wait(timeout: .seconds(1))
    }

    private func error(for end: End) -> MCPRegistryError {
        end.onPurpose ? .shutDown : .serverExited(server: server, detail: end.reason)
    }

    /// All tools, following pagination.
    func listTools(timeout: Duration) async throws(MCPRegistryError) -> [Tool] {
        var tools: [Tool] = []
        var cursor: String?
        repeat {
            let request = ListTools.request(cursor.map { .init(cursor: $0) } ?? .init())
            let page = try await send(request, what: "tools/list", timeout: timeout)
            tools += page.tools
            cursor = page.nextCursor
        } while cursor != nil && tools.count < 10_000
        return tools
    }

    func callTool(_ name: String, arguments: [String: Value], timeout: Duration) async throws(MCPRegistryError) -> CallTool.Result
    {
        try await send(CallTool.request(.init(name: name, arguments: arguments)), what: name, timeout: timeout)
    }

    /// Sends a request and waits for its answer, the deadline, or the server going away.
    private func send<M: MCP.Method>(_ request: Request<M>, what: String, timeout: Duration) async throws(MCPRegistryError)
        -> M.Result
    {
        if let end = ended.value { throw error(for: end) }
        let context: RequestContext<M.Result>
        do {
            context = try await client.send(request)
        } catch {
            throw .protocolError(server: server, message: "\(error)")
        }
        let client = self.client
        let outcome = await race(timeout: timeout) {
            try await context.value
        } abandon: { why in
            if case .ended = why {
                // Resumes every request still waiting, this one included.
                await client.disconnect()
            } else {
                // Drops the pending request at once (so the race can end) and tells the server;
                // not awaited, as a server that stopped reading could block the write.
                Task { try? await client.cancelRequest(context.requestID, reason: "timed out") }
            }
        }
        switch outcome {
        case .value(let result):
            return result
        case .failed(let error):
            if let end = await settledEnd() { throw self.error(for: end) }
            throw .protocolError(server: server, message: Self.describe(error))
        case .ended(let end):
            throw error(for: end)
        case .timedOut:
            throw .timeout(server: server, tool: what, after: timeout)
        case .cancelled:
            throw .cancelled
        }
    }

    /// Closes the session: ends the process group (or the HTTP session). Idempotent.
    func close() async {
        ended.fulfill(End(reason: "the session was closed", onPurpose: true))
        // The process is ended first and neither step is awaited: the SDK's disconnect can wait
        // for a read loop that only ends with the server's output, and stopping a process takes
        // up to its 2 s grace. The registry's shutdown bounds what is left.
        let transport = self.transport
        let client = self.client
        let stopped = Latch<Void>()
        Task {
            await transport.disconnect()
            stopped.fulfill(())
        }
        Task { await client.disconnect() }
        _ = await stopped.wait(timeout: .seconds(3))
    }

    private func serverWentAway(_ reason: String) async {
        guard ended.fulfill(End(reason: reason, onPurpose: false)) else { return }
        let client = self.client
        Task { await client.disconnect() }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? MCPError { return error.errorDescription ?? "\(error)" }
        return "\(error)"
    }

    // MARK: - Racing a request against its deadline and the server's end

    enum Outcome<T: Sendable>: Sendable {
        case value(T)
        case failed(any Error)
        case ended(End)
        case timedOut
        case cancelled
    }

    /// Runs `operation` until it finishes, `timeout` passes, the session ends, or the task is
    /// cancelled; in the last three cases `abandon` makes the SDK drop the request. The operation
    /// runs in its own task so that the caller never waits for it past the deadline, even if the
    /// SDK failed to drop it.
    private func race<T: Sendable>(
        timeout: Duration, operation: @escaping @Sendable () async throws -> T,
        abandon: @escaping @Sendable (Outcome<T>) async -> Void
    ) async -> Outcome<T> {
        let first = Latch<Outcome<T>>()
        let work = Task {
            do {
                first.fulfill(.value(try await operation()))
            } catch {
                first.fulfill(.failed(error))
            }
        }
        let timer = Task {
            if (try? await Task.sleep(for: timeout)) != nil { first.fulfill(.timedOut) }
        }
        let watcher = Task { [ended] in
            if let end = await ended.wait() { first.fulfill(.ended(end)) }
        }
        let outcome = await first.wait() ?? .cancelled
        timer.cancel()
        watcher.cancel()
        switch outcome {
        case .value, .failed: break
        case .ended, .timedOut, .cancelled:
            // Not awaited: when a server dies during `initialize`, the SDK's disconnect can wait
            // for a read loop that never ends, and the caller must not wait with it.
            Task { await abandon(outcome) }
            work.cancel()
        }
        return outcome
    }
}
