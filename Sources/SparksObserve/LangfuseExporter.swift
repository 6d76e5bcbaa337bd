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
    public var batch = BatchSettings()
    public var flushInterval: Duration {
        get { batch.flushInterval }
        set { batch.flushInterval = newValue }
    }
    public var batchSize: Int {
        get { batch.batchSize }
        set { batch.batchSize = newValue }
    }
    public var maxQueued: Int {
        get { batch.maxQueued }
        set { batch.maxQueued = newValue }
    }
    public var maxAttempts: Int {
        get { batch.maxAttempts }
        set { batch.maxAttempts = newValue }
    }

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
public final class LangfuseExporter: Service, TraceSink, Sendable {
    public let settings: LangfuseSettings
    let logger: Logger
    private let sender: HTTPBatchSender

    public init(settings: LangfuseSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let credentials = Data("\(settings.publicKey):\(settings.secretKey)".utf8).base64EncodedString()
        let url = settings.baseURL + "/api/public/ingestion"
        self.sender = HTTPBatchSender(name: "langfuse", settings: settings.batch, logger: logger) { batch in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
            request.body = .bytes(ByteBuffer(string: JSONValue.object(["batch": .array(batch)]).canonicalText))
            return request
        }
    }

    /// Counts for tests and `doctor`: events sent, dropped, batches that failed for good.
    public var counts: (sent: Int, dropped: Int, failedBatches: Int, queued: Int) { sender.counts }

    /// Queues one ingestion event (`trace-create`, `span-create`, `generation-create`, …).
    public func record(type: String, body: JSONValue, at date: Date = Date()) {
        sender.enqueue(.object([
            "id": .string(UUID().uuidString.lowercased()), "timestamp": .string(ObservedEvent.timestampText(date)),
            "type": .string(type), "body": body,
        ]))
    }

    /// Sends in the background until cancelled or shut down, then sends what is left.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: settings.flushInterval)
                await flush()
            }
        } onGracefulShutdown: {}
        await close()
    }

    /// Sends everything queued now, batch by batch.
    @discardableResult
    public func flush() async -> Bool { await sender.flush() }

    /// Sends what is left and closes the HTTP client.
    public func close() async {
        await flush()
        await sender.shutdown()
    }

    // MARK: - Spans

    /// Langfuse keeps the task's id in its usual form as the trace id.
    static func langfuseTraceID(_ hex: String) -> String {
        guard hex.count == 32 else { return hex }
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    static func time(_ date: Date) -> JSONValue { .string(ObservedEvent.timestampText(date)) }

    /// The trace is created when the task starts and given its output at the end; the run span
    /// likewise (so the Langfuse UI shows a task while it runs); the rest are sent when they end.
    public func record(_ span: TraceSpan) {
        let traceID = Self.langfuseTraceID(span.traceID)
        let metadata = JSONValue.object(span.attributes)
        func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
        let level: JSONValue = .string(span.ok ? "DEFAULT" : "ERROR")
        switch span.kind {
        case .task:
            var body: [String: JSONValue] = ["id": .string(traceID), "metadata": metadata]
            if span.end == nil {
                body["name"] = .string("task")
                body["timestamp"] = Self.time(span.start)
                body["input"] = optional(span.input)
                body["sessionId"] = span.attributes["repository"] ?? .null
                body["userId"] = span.attributes["source"] ?? .null
                body["tags"] = .array(["sparks", "spark:\(span.attributes["spark"]?.stringValue ?? "")",
                                       "lane:\(span.attributes["lane"]?.stringValue ?? "")",
                                       "risk:\(span.attributes["risk"]?.stringValue ?? "")"].map { .string($0) })
            } else {
                body["output"] = optional(span.output)
            }
            record(type: "trace-create", body: .object(body), at: span.end ?? span.start)
        case .run:
            if let end = span.end {
                record(type: "span-update", body: .object([
                    "id": .string(span.spanID), "traceId": .string(traceID), "endTime": Self.time(end), "output": optional(span.output),
                    "level": level,
                ]), at: end)
            } else {
                record(type: "span-create", body: .object([
                    "id": .string(span.spanID), "traceId": .string(traceID), "name": .string("spark:\(span.name)"),
                    "startTime": Self.time(span.start), "input": optional(span.input),
                ]), at: span.start)
            }
        case .generation:
            let usage = span.usage ?? TokenUsage()
            record(type: "generation-create", body: .object([
                "id": .string(span.spanID), "traceId": .string(traceID), "parentObservationId": optional(span.parentID),
                "name": .string(span.name), "model": optional(span.model), "startTime": Self.time(span.start),
                "endTime": Self.time(span.end ?? span.start), "input": optional(span.input), "output": optional(span.output),
                "usage": .object(["input": .number(Double(usage.promptTokens)), "output": .number(Double(usage.completionTokens)),
                                  "total": .number(Double(usage.totalTokens)), "unit": .string("TOKENS")]),
                "metadata": .object(span.attributes.merging(["usage_estimated": .bool(span.usageEstimated)]) { $1 }),
            ]), at: span.end ?? span.start)
        case .tool, .verify:
            record(type: "span-create", body: .object([
                "id": .string(span.spanID), "traceId": .string(traceID), "parentObservationId": optional(span.parentID),
                "name": .string(span.kind == .tool ? "tool:\(span.name)" : "verify"), "startTime": Self.time(span.start),
                "endTime": Self.time(span.end ?? span.start), "input": optional(span.input), "output": optional(span.output),
                "level": level,
            ]), at: span.end ?? span.start)
        }
    }
}
