import Hummingbird
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
        let task = Task { try await app.runService() }
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
