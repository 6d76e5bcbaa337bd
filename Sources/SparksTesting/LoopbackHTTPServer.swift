import Hummingbird
import Synchronization
import Logging

/// Runs a Hummingbird router on 127.0.0.1 (random port) for the duration of `body`, for tests
/// that need a real server: `body` gets the port.
public enum LoopbackHTTPServer {
    /// Starts `router` and returns the running service (cancel it to stop) and its port.
    /// Shutdown by cancellation logs errors that say nothing about a test; the logger keeps them out.
    public static func start(_ router: Router<BasicRequestContext>, label: String = "loopback-test-server") async
        -> (task: Task<Void, any Error>, port: Int)
    {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() },
                              logger: logger)
        // A server that fails to start ends the stream too, so this returns (port 0) instead of waiting forever.
        let task = Task {
            do { try await app.runService() } catch {
                continuation.finish()
                throw error
            }
            continuation.finish()
        }
        var port = 0
        for await value in stream { port = value }
        return (task, port)
    }

    public static func with(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
        let (task, port) = await start(router)
        do { try await body(port) } catch {
            task.cancel()
            throw error
        }
        task.cancel()
    }
}

/// A test double's running loopback server: start it once, read its port, stop it.
public final class LoopbackRunner: Sendable {
    private let state = Mutex<(task: Task<Void, any Error>?, port: Int?)>((nil, nil))

    public init() {}

    /// The port, or 0 before `start`.
    public var port: Int { state.withLock { $0.port } ?? 0 }

    /// Starts `router` on 127.0.0.1; returns once the port is bound.
    public func start(_ router: Router<BasicRequestContext>, label: String) async {
        let (task, port) = await LoopbackHTTPServer.start(router, label: label)
        state.withLock { $0 = (task, port) }
    }

    /// Stops the server and waits for it to end.
    public func stop() async {
        let task = state.withLock { $0.task }
        task?.cancel()
        _ = try? await task?.value
    }
}
