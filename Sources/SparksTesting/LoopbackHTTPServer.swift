import Hummingbird
import Logging

/// Runs a Hummingbird router on 127.0.0.1 (random port) for the duration of `body`, for tests
/// that need a real server: `body` gets the port.
public enum LoopbackHTTPServer {
    public static func with(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
        var logger = Logger(label: "loopback-test-server")
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() },
                              logger: logger)
        let task = Task { try await app.runService() }
        var port = 0
        for await value in stream { port = value }
        do { try await body(port) } catch {
            task.cancel()
            throw error
        }
        task.cancel()
    }
}
