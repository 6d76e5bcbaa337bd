import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SparksCore

/// Settings for one OpenAI-compatible endpoint.
public struct ClientSettings: Sendable {
    /// Base URL up to and including the version, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    public var apiKey: String?
    public var model: String
    /// Seconds to wait for the server to answer, and at most between two pieces of a streamed answer.
    public var timeoutSecs: Int
    public var temperature: Double
    public var maxTokens: Int
    public var retry: RetryPolicy
    /// Where the key came from, for error hints (e.g. `OPENAI_API_KEY`).
    public var apiKeyHint: String?
    /// How the server takes a reply schema.
    public var structuredOutput: StructuredOutput

    public init(baseURL: String, apiKey: String?, model: String, timeoutSecs: Int = 120, temperature: Double = 0.2,
                maxTokens: Int = 4096, retry: RetryPolicy = RetryPolicy(), apiKeyHint: String? = nil,
                structuredOutput: StructuredOutput = .none) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeoutSecs = timeoutSecs
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.retry = retry
        self.apiKeyHint = apiKeyHint
        self.structuredOutput = structuredOutput
    }
}

/// The one client for every provider: OpenAI, OpenRouter, Ollama, Zen and llama.cpp servers all
/// speak `POST {base}/chat/completions` and `GET {base}/models`.
///
/// Owns an `HTTPClient`; call `shutdown()` when done with it.
public final class OpenAICompatibleClient: ChatModel {
    public let settings: ClientSettings
    private let http: HTTPClient
    private let logger: Logger
    private let redactor: Redactor
    private let sleep: @Sendable (Double) async throws -> Void

    public init(settings: ClientSettings, logger: Logger = Logger(label: "sparks.llm"),
                sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) }) {
        self.settings = settings
        self.logger = logger
        self.sleep = sleep
        self.redactor = Redactor(secrets: settings.apiKey.map { [$0] } ?? [])
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(Int64(settings.timeoutSecs)))
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var defaultModel: String { settings.model }

    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Requests

    public func complete(_ request: ChatRequest) async throws(SparksError) -> ChatResponse {
        let model = request.model ?? settings.model
        let body = WireFormat.requestBody(request, model: model, stream: false, temperature: settings.temperature,
                                          maxTokens: settings.maxTokens,
                                          structuredOutput: settings.structuredOutput)
        let (response, data) = try await send(path: "/chat/completions", method: .POST, body: body, model: model)
        _ = response
        guard let json = JSONValue.parse(String(decoding: data, as: UTF8.self)) else {
            throw SparksError(.llmBadResponse, "the provider's answer is not JSON",
                              hint: "is llm.base_url an OpenAI-compatible endpoint (it usually ends in /v1)?")
        }
        let (message, finish, usage) = try WireFormat.response(json)
        if let usage { return ChatResponse(message: message, finishReason: finish, usage: usage) }
        let estimate = TokenUsage(promptTokens: TokenEstimator.estimate(request.messages),
                                  completionTokens: TokenEstimator.estimate(message.content ?? ""))
        return ChatResponse(message: message, finishReason: finish, usage: estimate, usageEstimated: true)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.runStream(request, continuation: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: SparksError.wrap(error, code: .llmBadResponse))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func listModels() async throws(SparksError) -> [String] {
        let (_, data) = try await send(path: "/models", method: .GET, body: nil, model: nil)
        guard let json = JSONValue.parse(String(decoding: data, as: UTF8.self)),
              let list = json["data"]?.arrayValue ?? json["models"]?.arrayValue
        else {
            throw SparksError(.llmBadResponse, "the provider's model list is not in the OpenAI format")
        }
        return list.compactMap { $0["id"]?.stringValue ?? $0["name"]?.stringValue }
    }

    private func runStream(_ request: ChatRequest, continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation)
        async throws
    {
        let model = request.model ?? settings.model
        let body = WireFormat.requestBody(request, model: model, stream: true, temperature: settings.temperature,
                                          maxTokens: settings.maxTokens,
                                          structuredOutput: settings.structuredOutput)
        // Retries happen only before the first byte of the answer: a half-delivered answer cannot be replayed.
        let response = try await withRetries(model: model) { () async throws(SparksError) -> HTTPClientResponse in
            let response = try await self.execute(path: "/chat/completions", method: .POST, body: body)
            if response.status.code >= 400 {
                let data = try await self.collect(response.body)
                throw self.failure(status: response.status.code, headers: response.headers, body: data, model: model)
            }
            return response
        }
        let contentType = response.headers.first(name: "content-type") ?? ""
        if !contentType.contains("text/event-stream") {
            // Some servers ignore `stream: true` and answer in one piece.
            let data = try await collect(response.body)
            guard let json = JSONValue.parse(String(decoding: data, as: UTF8.self)) else {
                throw SparksError(.llmBadResponse, "the provider's answer is neither an event stream nor JSON")
            }
            let (message, finish, usage) = try WireFormat.response(json)
            if let text = message.content { continuation.yield(.text(text)) }
            for call in message.toolCalls { continuation.yield(.toolCall(call)) }
            if let usage { continuation.yield(.usage(usage)) }
            continuation.yield(.finished(finish))
            return
        }
        var parser = SSEParser()
        var accumulator = StreamAccumulator()
        var finish = FinishReason.unknown
        var done = false
        func handle(_ data: String) throws {
            if data == "[DONE]" {
                done = true
                return
            }
            guard let chunk = JSONValue.parse(data) else { return }
            if let error = chunk["error"] {
                let message = error["message"]?.stringValue ?? error.canonicalText
                throw SparksError(.llmServer, "the provider failed mid-answer: \(redactor.redact(message))")
            }
            if let usage = WireFormat.usage(chunk["usage"]) { continuation.yield(.usage(usage)) }
            guard let choice = chunk["choices"]?.arrayValue?.first else { return }
            if let delta = choice["delta"] {
                if let text = WireFormat.text(delta["content"]), !text.isEmpty { continuation.yield(.text(text)) }
                accumulator.add(delta: delta)
            }
            if let reason = choice["finish_reason"], reason != .null { finish = WireFormat.finishReason(reason) }
        }
        do {
            for try await buffer in response.body {
                try Task.checkCancellation()
                for event in parser.feed(buffer.readableBytesView) {
                    try handle(event)
                    if done { break }
                }
                if done { break }
            }
            for event in parser.finish() where !done { try handle(event) }
        } catch let error as SparksError {
            throw error
        } catch {
            throw mapTransport(error, during: "reading the streamed answer")
        }
        for call in accumulator.calls() { continuation.yield(.toolCall(call)) }
        continuation.yield(.finished(finish))
    }

    // MARK: Transport

    private func send(path: String, method: HTTPMethod, body: JSONValue?, model: String?)
        async throws(SparksError) -> (HTTPClientResponse, Data)
    {
        try await withRetries(model: model) { () async throws(SparksError) -> (HTTPClientResponse, Data) in
            let response = try await self.execute(path: path, method: method, body: body)
            let data = try await self.collect(response.body)
            if response.status.code >= 400 {
                throw self.failure(status: response.status.code, headers: response.headers, body: data, model: model)
            }
            return (response, data)
        }
    }

    private func execute(path: String, method: HTTPMethod, body: JSONValue?) async throws(SparksError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: settings.baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        request.headers.add(name: "User-Agent", value: "sparks/\(SparksVersion.current)")
        if let key = settings.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.canonicalText))
        }
        do {
            return try await http.execute(request, timeout: .seconds(Int64(settings.timeoutSecs)), logger: logger)
        } catch {
            throw mapTransport(error, during: "sending the request")
        }
    }

    private func collect(_ body: HTTPClientResponse.Body) async throws(SparksError) -> Data {
        do {
            let buffer = try await body.collect(upTo: 32 * 1024 * 1024)
            return Data(buffer.readableBytesView)
        } catch {
            throw mapTransport(error, during: "reading the answer")
        }
    }

    /// A failure is retried when it is transient (rate limit, server error, timeout, refused
    /// connection) and retries are left; everything else is reported at once.
    private func withRetries<T>(model: String?, _ operation: () async throws(SparksError) -> T) async throws(SparksError) -> T {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let failure {
                guard failure.isTransient, attempt < settings.retry.maxRetries else { throw failure }
                let retryAfter = failure.retryAfter
                if let retryAfter, retryAfter > settings.retry.maxRetryAfter { throw failure }
                let delay = settings.retry.delay(attempt: attempt, retryAfter: retryAfter, random: Double.random(in: 0..<1))
                logger.warning("LLM request failed, retrying", metadata: [
                    "code": "\(failure.code)", "attempt": "\(attempt + 1)", "delay_s": "\(String(format: "%.2f", delay))",
                ])
                do { try await sleep(delay) } catch { throw SparksError(.cancelled, "cancelled while waiting to retry") }
                attempt += 1
            }
        }
    }

    private func failure(status: UInt, headers: HTTPHeaders, body: Data, model: String?) -> SparksError {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let detail = WireFormat.errorDetail(text)
        let serverMessage = redactor.redact(detail?.message ?? text.trimmingCharacters(in: .whitespacesAndNewlines))
        let shown = serverMessage.isEmpty ? "" : ": \(serverMessage.prefix(500))"
        let lower = serverMessage.lowercased()
        let retryAfter = RetryPolicy.parseRetryAfter(headers.first(name: "retry-after"))
        let host = URL(string: settings.baseURL)?.host ?? settings.baseURL

        if lower.contains("tool"), ["support", "requires", "enable", "not allowed", "jinja"].contains(where: lower.contains) {
            return SparksError(.llmToolsUnsupported, "the model does not accept native tool calls (HTTP \(status)\(shown))",
                               hint: "Sparks falls back to JSON-in-text tool calls; set llm.tool_mode = \"json\" to skip the attempt")
        }
        switch status {
        case 401, 403:
            let keyHint = settings.apiKey == nil
                ? "no API key is set: export SPARKS_LLM_API_KEY\(settings.apiKeyHint.map { " or \($0)" } ?? "")"
                : "check the key in \(settings.apiKeyHint ?? "SPARKS_LLM_API_KEY") (and that it is valid for \(host))"
            return SparksError(.llmAuth, "the provider at \(host) refused the API key (HTTP \(status)\(shown))", hint: keyHint)
        case 404:
            if detail?.code == "model_not_found" || lower.contains("model") {
                return SparksError(.llmModelNotFound, "model \"\(model ?? settings.model)\" is not available at \(host) (HTTP 404\(shown))",
                                   hint: "set llm.model (or SPARKS_LLM_MODEL) to a model the provider offers")
            }
            return SparksError(.llmBadResponse, "\(settings.baseURL) has no OpenAI-compatible API (HTTP 404 for the request)",
                               hint: "check llm.base_url: it usually ends in /v1")
        case 408:
            return SparksError(.llmTimeout, "the provider timed out (HTTP 408\(shown))").transient(retryAfter)
        case 429:
            return SparksError(.llmRateLimited, "the provider is rate-limiting requests (HTTP 429\(shown))",
                               hint: retryAfter.map { "it asked to wait \(Int($0)) s" } ?? "wait a moment and try again")
                .transient(retryAfter)
        case 500...599:
            return SparksError(.llmServer, "the provider had an error (HTTP \(status)\(shown))").transient(retryAfter)
        default:
            if detail?.code == "model_not_found" {
                return SparksError(.llmModelNotFound, "model \"\(model ?? settings.model)\" is not available at \(host)\(shown)",
                                   hint: "set llm.model (or SPARKS_LLM_MODEL) to a model the provider offers")
            }
            return SparksError(.llmRequestRejected, "the provider rejected the request (HTTP \(status)\(shown))")
        }
    }

    private func mapTransport(_ error: any Error, during activity: String) -> SparksError {
        if let sparks = error as? SparksError { return sparks }
        if error is CancellationError { return SparksError(.cancelled, "cancelled while \(activity)") }
        let text = String(describing: error)
        if let client = error as? HTTPClientError,
           client == .readTimeout || client == .deadlineExceeded || client == .connectTimeout
        {
            return SparksError(.llmTimeout, "no answer from \(settings.baseURL) within \(settings.timeoutSecs) s while \(activity)",
                               hint: "raise llm.timeout_secs, or check that the server is not overloaded").transient(nil)
        }
        let lower = text.lowercased()
        let reason = lower.contains("refused") ? "connection refused"
            : lower.contains("resolve") || lower.contains("dns") || lower.contains("nodename") ? "the host name does not resolve"
            : redactor.redact(text)
        return SparksError(.llmUnreachable, "cannot reach \(settings.baseURL): \(reason)",
                           hint: "is the server running? check llm.base_url (or SPARKS_LLM_BASE_URL)").transient(nil)
    }
}

/// Retry information carried on an error. Kept out of `SparksError`'s public shape: only the client needs it.
private struct TransientMarker: Error, Sendable {
    var retryAfter: Double?
}

extension SparksError {
    fileprivate func transient(_ retryAfter: Double?) -> SparksError {
        var copy = self
        copy.cause = TransientMarker(retryAfter: retryAfter)
        return copy
    }

    fileprivate var isTransient: Bool { cause is TransientMarker }
    fileprivate var retryAfter: Double? { (cause as? TransientMarker)?.retryAfter }
}
