import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SparksCore
import Synchronization

/// How a background exporter batches and retries.
public struct BatchSettings: Sendable {
    /// Send at least this often…
    public var flushInterval: Duration = .seconds(1)
    /// …and whenever this many items wait.
    public var batchSize = 50
    /// Items kept while the server is slow or down; the oldest are dropped beyond it.
    public var maxQueued = 10_000
    public var maxAttempts = 4

    public init() {}
}

/// The queue and HTTP client behind the trace exporters: `enqueue` only appends to a bounded
/// queue (so a slow or absent server never slows a task); `flush` sends batches, retrying server
/// errors, rate limits and network failures with exponential backoff.
final class HTTPBatchSender: Sendable {
    let name: String
    let settings: BatchSettings
    let logger: Logger
    let http: HTTPClient
    /// Builds the request for one batch.
    let makeRequest: @Sendable ([JSONValue]) -> HTTPClientRequest
    private let state = Mutex<(queue: [JSONValue], dropped: Int, sent: Int, failedBatches: Int)>(([], 0, 0, 0))

    init(name: String, settings: BatchSettings, logger: Logger, makeRequest: @escaping @Sendable ([JSONValue]) -> HTTPClientRequest) {
        self.name = name
        self.settings = settings
        self.logger = logger
        self.makeRequest = makeRequest
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(3), read: .seconds(15))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    var counts: (sent: Int, dropped: Int, failedBatches: Int, queued: Int) {
        state.withLock { ($0.sent, $0.dropped, $0.failedBatches, $0.queue.count) }
    }

    func enqueue(_ item: JSONValue) {
        state.withLock { state in
            state.queue.append(item)
            if state.queue.count > settings.maxQueued {
                let excess = state.queue.count - settings.maxQueued
                state.queue.removeFirst(excess)
                state.dropped += excess
            }
        }
    }

    /// Sends everything queued now, batch by batch; false when a batch failed for good.
    func flush() async -> Bool {
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

    func shutdown() async {
        try? await http.shutdown()
    }

    private func send(_ batch: [JSONValue]) async -> Bool {
        for attempt in 1...settings.maxAttempts {
            do {
                let response = try await http.execute(makeRequest(batch), timeout: .seconds(15))
                _ = try? await response.body.collect(upTo: 1 << 20)
                // Langfuse answers 207 with per-event results: the batch itself was accepted.
                if (200..<300).contains(response.status.code) { return true }
                if response.status.code < 500 && response.status.code != 429 {
                    logger.warning("\(name) refused a batch", metadata: ["status": "\(response.status.code)"])
                    return false
                }
            } catch {
                logger.debug("\(name) unreachable", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
            guard attempt < settings.maxAttempts else { break }
            try? await Task.sleep(for: .milliseconds(200 * (1 << (attempt - 1))))
        }
        logger.warning("could not send a batch to \(name)", metadata: ["items": "\(batch.count)"])
        return false
    }
}
