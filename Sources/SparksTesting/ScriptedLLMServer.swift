import Foundation
import Hummingbird
import Logging
import NIOCore
import SparksCore
import Synchronization

/// An OpenAI-compatible server on 127.0.0.1 (random port) that answers from a script, for tests.
/// It speaks the real wire format: `GET /v1/models`, `POST /v1/chat/completions` in one piece or
/// as server-sent events with tool-call fragments split over chunks, usage, `[DONE]`, and
/// OpenAI's error JSON. It records every request.
public final class ScriptedLLMServer: Sendable {
    public struct Options: Sendable {
        /// When set, requests without `Authorization: Bearer <key>` get 401.
        public var apiKey: String?
        /// Models it serves; a request for another gets 404 `model_not_found`.
        public var models: [String] = ["scripted-model"]
        /// Answer requests that carry `tools` with 400 "does not support tools" (a model without tool calling).
        public var rejectTools = false
        /// Characters per streamed content piece.
        public var chunkSize = 4

        public init(apiKey: String? = nil, models: [String] = ["scripted-model"], rejectTools: Bool = false) {
            self.apiKey = apiKey
            self.models = models
            self.rejectTools = rejectTools
        }
    }

    private struct State {
        var replies: [ScriptedReply]
        var requests: [RecordedRequest] = []
    }

    private let state: Mutex<State>
    private let options: Options
    private let server = LoopbackRunner()

    public init(replies: [ScriptedReply] = [], options: Options = Options()) {
        self.state = Mutex(State(replies: replies))
        self.options = options
    }

    /// `http://127.0.0.1:<port>/v1`, once started.
    public var baseURL: String { "http://127.0.0.1:\(server.port)/v1" }

    public var requests: [RecordedRequest] { state.withLock { $0.requests } }
    public var chatRequests: [RecordedRequest] { requests.filter { $0.path.hasSuffix("/chat/completions") } }
    public var remainingReplies: Int { state.withLock { $0.replies.count } }

    public func enqueue(_ replies: [ScriptedReply]) {
        state.withLock { $0.replies.append(contentsOf: replies) }
    }

    /// Starts listening; returns once the port is bound.
    public func start() async throws {
        let router = Router()
        router.get("/v1/models") { request, _ in try await self.models(request) }
        router.post("/v1/chat/completions") { request, _ in try await self.chat(request) }
        await server.start(router, label: "scripted-llm-server")
    }

    public func stop() async {
        await server.stop()
    }


    // MARK: Handlers

    private func record(_ request: Request, body: JSONValue?) {
        let recorded = RecordedRequest(method: request.method.rawValue, path: request.uri.path,
                                       authorization: request.headers[.authorization], body: body)
        state.withLock { $0.requests.append(recorded) }
    }

    private func authorized(_ request: Request) -> Bool {
        guard let key = options.apiKey else { return true }
        return request.headers[.authorization] == "Bearer \(key)"
    }

    private func models(_ request: Request) async throws -> Response {
        record(request, body: nil)
        guard authorized(request) else { return Self.error(401, "Incorrect API key provided.", code: "invalid_api_key") }
        let data: [JSONValue] = options.models.map { ["id": .string($0), "object": "model", "created": 1_700_000_000, "owned_by": "scripted"] }
        return Self.json(200, ["object": "list", "data": .array(data)])
    }

    private func chat(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 * 1024 * 1024)
        let body = JSONValue.parse(String(buffer: buffer))
        record(request, body: body)
        guard authorized(request) else { return Self.error(401, "Incorrect API key provided.", code: "invalid_api_key") }
        guard let body, body["messages"]?.arrayValue != nil else {
            return Self.error(400, "`messages` is required", code: "invalid_request_error")
        }
        let model = body["model"]?.stringValue ?? ""
        guard options.models.contains(model) else {
            return Self.error(404, "The model `\(model)` does not exist or you do not have access to it.", code: "model_not_found")
        }
        if options.rejectTools, body["tools"] != nil {
            return Self.error(400, "registry.ollama.ai/library/\(model) does not support tools", code: nil)
        }
        let next = state.withLock { state -> ScriptedReply? in
            state.replies.isEmpty ? nil : state.replies.removeFirst()
        }
        guard let reply = next else {
            return Self.error(400, "scripted server: no reply left in the script", code: "script_exhausted")
        }
        if reply.delay > 0 { try? await Task.sleep(for: .seconds(reply.delay)) }
        if reply.status != 200 {
            var response = Self.error(reply.status, reply.errorMessage ?? "scripted error", code: reply.errorCode)
            if let retryAfter = reply.retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        }
        if body["stream"]?.boolValue == true {
            let includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
            return stream(reply, model: model, includeUsage: includeUsage)
        }
        return Self.json(200, completion(reply, model: model))
    }

    private func completion(_ reply: ScriptedReply, model: String) -> JSONValue {
        var message: [String: JSONValue] = ["role": "assistant", "content": reply.text.map(JSONValue.string) ?? .null]
        if !reply.toolCalls.isEmpty {
            message["tool_calls"] = .array(reply.toolCalls.map { call in
                ["id": .string(call.id), "type": "function", "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
            })
        }
        var object: [String: JSONValue] = [
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": 1_700_000_000, "model": .string(model),
            "choices": [["index": 0, "message": .object(message), "finish_reason": reply.toolCalls.isEmpty ? "stop" : "tool_calls"]],
        ]
        if let usage = reply.usage { object["usage"] = Self.usage(usage) }
        return .object(object)
    }

    /// The chunk sequence of a real stream: role, content pieces, tool-call fragments, finish, usage, `[DONE]`.
    private func stream(_ reply: ScriptedReply, model: String, includeUsage: Bool) -> Response {
        var events: [JSONValue] = []
        func chunk(_ delta: JSONValue, finish: JSONValue = .null) -> JSONValue {
            ["id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": .string(model),
             "choices": [["index": 0, "delta": delta, "finish_reason": finish]]]
        }
        events.append(chunk(["role": "assistant", "content": ""]))
        if let text = reply.text {
            var rest = Substring(text)
            while !rest.isEmpty {
                events.append(chunk(["content": .string(String(rest.prefix(options.chunkSize)))]))
                rest = rest.dropFirst(options.chunkSize)
            }
        }
        for (index, call) in reply.toolCalls.enumerated() {
            events.append(chunk(["tool_calls": [["index": .number(Double(index)), "id": .string(call.id), "type": "function",
                                                 "function": ["name": .string(call.name), "arguments": ""]]]]))
            let pieces = max(1, min(3, call.arguments.count))
            let size = (call.arguments.count + pieces - 1) / max(1, pieces)
            var rest = Substring(call.arguments)
            while !rest.isEmpty {
                events.append(chunk(["tool_calls": [["index": .number(Double(index)),
                                                     "function": ["arguments": .string(String(rest.prefix(size)))]]]]))
                rest = rest.dropFirst(size)
            }
        }
        events.append(chunk(.object([:]), finish: reply.toolCalls.isEmpty ? "stop" : "tool_calls"))
        if includeUsage, let usage = reply.usage {
            events.append(["id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 1_700_000_000,
                           "model": .string(model), "choices": [], "usage": Self.usage(usage)])
        }
        let lines = events.map { "data: \($0.canonicalText)\n\n" } + ["data: [DONE]\n\n"]
        let body = ResponseBody { writer in
            for line in lines {
                try await writer.write(ByteBuffer(string: line))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    private static func usage(_ usage: TokenUsage) -> JSONValue {
        ["prompt_tokens": .number(Double(usage.promptTokens)), "completion_tokens": .number(Double(usage.completionTokens)),
         "total_tokens": .number(Double(usage.totalTokens))]
    }

    private static func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value.canonicalText)))
    }

    private static func error(_ status: Int, _ message: String, code: String?) -> Response {
        let type = status == 401 ? "invalid_request_error" : status >= 500 ? "server_error" : "invalid_request_error"
        return json(status, ["error": ["message": .string(message), "type": .string(type), "param": .null,
                                       "code": code.map(JSONValue.string) ?? .null]])
    }
}
