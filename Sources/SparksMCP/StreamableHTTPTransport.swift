import AsyncHTTPClient
import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1
import SparksCore

/// The MCP streamable-HTTP client transport on AsyncHTTPClient. Each message is a POST; the
/// answer is either `application/json` or a `text/event-stream` read as it arrives (the SDK's
/// `HTTPClientTransport` cannot read event streams on Linux). Keeps `Mcp-Session-Id`, and listens
/// on a GET event stream for messages the server sends on its own (`tools/list_changed`).
actor StreamableHTTPTransport: Transport {
    nonisolated let logger: Logger
    private let url: String
    private let headers: [String: String]
    private let http: HTTPClient
    private let requestTimeout: Duration
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    /// Called when the server can no longer be reached or forgot the session.
    private let onLost: @Sendable (String) -> Void
    private var sessionID: String?
    private var protocolVersion: String?
    private var streams: [UUID: Task<Void, Never>] = [:]
    private var listener: Task<Void, Never>?
    private var connected = false

    static let maxBodyBytes = 64 * 1024 * 1024

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(
        url: String, headers: [String: String], http: HTTPClient, requestTimeout: Duration, logger: Logger,
        onLost: @escaping @Sendable (String) -> Void
    ) {
        self.url = url
        self.headers = headers
        self.http = http
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.onLost = onLost
        (messages, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    /// The URL without its query, which may hold a token.
    nonisolated var displayURL: String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }

    func connect() async throws {
        connected = true
    }

    func disconnect() async {
        guard connected else { return }
        connected = false
        listener?.cancel()
        listener = nil
        for task in streams.values { task.cancel() }
        streams = [:]
        continuation.finish()
        // Ending the session frees it on the server; a server that ignores DELETE is fine.
        if sessionID != nil {
            let request = makeRequest(method: .DELETE)
            _ = try? await http.execute(request, timeout: .seconds(2))
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }

    /// Sent with every request after initialization, as the protocol asks.
    func setProtocolVersion(_ version: String) {
        protocolVersion = version
    }

    func send(_ data: Data) async throws {
        guard connected else { throw Failure(description: "the HTTP transport is not connected") }
        var request = makeRequest(method: .POST)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json, text/event-stream")
        request.body = .bytes(ByteBuffer(bytes: data))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .milliseconds(Int64(requestTimeout.milliseconds)))
        } catch {
            let reason = "cannot reach \(displayURL): \(error)"
            if Self.meansUnreachable(error) { onLost(reason) }
            throw Failure(description: reason)
        }
        if let id = response.headers.first(name: "Mcp-Session-Id") { sessionID = id }
        let status = response.status.code
        guard (200..<300).contains(status) else {
            let body = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            if status == 404, sessionID != nil { onLost("the server no longer knows the session (HTTP 404)") }
            throw Failure(description: "HTTP \(status) from \(displayURL): \(body.prefix(500))")
        }
        let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") {
            // Read the stream after returning: the answer to this request may take a while, and
            // the server may send notifications on it first.
            let id = UUID()
            streams[id] = Task { await self.pump(response.body, id: id) }
        } else if status == 202 || status == 204 {
            _ = try? await response.body.collect(upTo: 4096)
        } else {
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            if body.readableBytes > 0 { continuation.yield(Data(body.readableBytesView)) }
        }
    }

    /// Opens the GET event stream once the session is initialized. A server without one (405) is fine.
    func startListening() {
        guard connected, listener == nil else { return }
        listener = Task { await self.listen() }
    }

    private func listen() async {
        var delay = Duration.seconds(1)
        while connected, !Task.isCancelled {
            var request = makeRequest(method: .GET)
            request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
            do {
                let response = try await http.execute(request, deadline: .distantFuture)
                let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
                guard response.status == .ok, contentType.hasPrefix("text/event-stream") else {
                    logger.debug("MCP server offers no GET event stream", metadata: ["status": "\(response.status.code)"])
                    return
                }
                delay = .seconds(1)
                await readEvents(response.body)
            } catch {
                if Task.isCancelled { return }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
    }

    private func pump(_ body: HTTPClientResponse.Body, id: UUID) async {
        await readEvents(body)
        streams[id] = nil
    }

    private func readEvents(_ body: HTTPClientResponse.Body) async {
        var parser = SSEParser()
        do {
            for try await chunk in body {
                for event in parser.feed(chunk.readableBytesView) where !event.isEmpty {
                    continuation.yield(Data(event.utf8))
                }
            }
        } catch {
            logger.debug("MCP event stream ended", metadata: ["error": "\(error)"])
        }
        for event in parser.finish() where !event.isEmpty { continuation.yield(Data(event.utf8)) }
    }

    private func makeRequest(method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let sessionID { request.headers.replaceOrAdd(name: "Mcp-Session-Id", value: sessionID) }
        if let protocolVersion { request.headers.replaceOrAdd(name: "MCP-Protocol-Version", value: protocolVersion) }
        return request
    }

    /// Whether a failed request means the server is gone, rather than this request being slow.
    private static func meansUnreachable(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .readTimeout || error == .cancelled || error == .writeTimeout
        {
            return false
        }
        return true
    }
}
