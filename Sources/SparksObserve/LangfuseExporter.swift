import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SparksCore
import Synchronization

/// Where traces go: a Langfuse server and its project keys.
public struct LangfuseSettings: Sendable {
    public var baseURL: String
    public var publicKey: String
    public var secretKey: String
    /// Send at least this often…
    public var flushInterval: Duration = .seconds(1)
    /// …and whenever this many events wait.
    public var batchSize = 50
    /// Events kept while the server is slow or down; the oldest are dropped beyond it.
    public var maxQueued = 10_000
    public var maxAttempts = 4

    public init(baseURL: String, publicKey: String, secretKey: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// Sends traces to Langfuse's public ingestion API (`POST /api/public/ingestion`, Basic auth) in
/// batches, in the background: recording an event only appends to a bounded queue, so a slow or
/// absent server never slows a task. Failed batches are retried with exponential backoff; events
/// beyond `maxQueued` are dropped (oldest first) and counted.
public final class LangfuseExporter: Service, Sendable {
    public let settings: LangfuseSettings
    let logger: Logger
    private let http: HTTPClient
    private let state = Mutex<(queue: [JSONValue], dropped: Int, sent: Int, failedBatches: Int)>(([], 0, 0, 0))

    public init(settings: LangfuseSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(3), read: .seconds(15))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Counts for tests and `doctor`: events sent, dropped, batches that failed for good.
    public var counts: (sent: Int, dropped: Int, failedBatches: Int, queued: Int) {
        state.withLock { ($0.sent, $0.dropped, $0.failedBatches, $0.queue.count) }
    }

    /// Queues one ingestion event (`trace-create`, `span-create`, `generation-create`, …).
    public func record(type: String, body: JSONValue, at date: Date = Date()) {
        let event = JSONValue.object([
            "id": .string(UUID().uuidString.lowercased()), "timestamp": .string(ObservedEvent.timestampText(date)),
            "type": .string(type), "body": body,
        ])
        state.withLock { state in
            state.queue.append(event)
            if state.queue.count > settings.maxQueued {
                let excess = state.queue.count - settings.maxQueued
                state.queue.removeFirst(excess)
                state.dropped += excess
            }
        }
    }

    /// Sends in the background until cancelled or shut down, then sends what is left.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: settings.flushInterval)
                await flush()
            }
        } onGracefulShutdown: {}
        await flush()
        try? await http.shutdown()
    }

    /// Sends everything queued now, batch by batch.
    @discardableResult
    public func flush() async -> Bool {
        var ok = true
        while true {
            let batch: [JSONValue] = state.withLock { state in
                let batch = Array(state.queue.prefix(settings.batchSize))
                state.queue.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return ok }
            if await send(batch) {
                state.withLock { $0.sent += batch.count }
            } else {
                state.withLock { $0.failedBatches += 1 }
                ok = false
            }
        }
    }

    /// Closes the HTTP client without running the service (in-process use).
    public func close() async {
        await flush()
        try? await http.shutdown()
    }

    private func send(_ batch: [JSONValue]) async -> Bool {
        let body = JSONValue.object(["batch": .array(batch)]).canonicalText
        let credentials = Data("\(settings.publicKey):\(settings.secretKey)".utf8).base64EncodedString()
        for attempt in 1...settings.maxAttempts {
            var request = HTTPClientRequest(url: settings.baseURL + "/api/public/ingestion")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
            request.body = .bytes(ByteBuffer(string: body))
            do {
                let response = try await http.execute(request, timeout: .seconds(15))
                _ = try? await response.body.collect(upTo: 1 << 20)
                // 207: per-event results; the batch itself was accepted.
                if (200..<300).contains(response.status.code) { return true }
                if response.status.code < 500 && response.status.code != 429 {
                    logger.warning("langfuse refused a batch", metadata: ["status": "\(response.status.code)"])
                    return false
                }
            } catch {
                logger.debug("langfuse unreachable", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
            guard attempt < settings.maxAttempts else { break }
            try? await Task.sleep(for: .milliseconds(200 * (1 << (attempt - 1))))
        }
        logger.warning("could not send a batch of traces to langfuse", metadata: ["events": "\(batch.count)"])
        return false
    }
}
