import Foundation
import Hummingbird
import NIOCore
import SparksCore
import SparksLLM
import SparksOrchestrator
import SparksStore

/// The OpenAI-compatible API: `GET /v1/models` lists `sparks` (routed: scanned, then answered,
/// looked up or handed to the spark KPIs choose) and `sparks/<name>` for each spark;
/// `POST /v1/chat/completions` runs the conversation's newest message through the orchestrator,
/// whole or streamed as server-sent chunks with the task's progress.
public struct OpenAIAPI: Sendable {
    public let orchestrator: Orchestrator
    /// Where sparks work when a request names no `metadata.repository`.
    public let repository: String
    public var maxBodyBytes = 1 << 20

    public init(orchestrator: Orchestrator, repository: String) {
        self.orchestrator = orchestrator
        self.repository = repository
    }

    var created: Int { Int(Date().timeIntervalSince1970) }

    func modelIDs() -> [String] {
        ["sparks"] + orchestrator.config.sparks.map { "sparks/\($0.name)" }
    }

    func register(on router: Hummingbird.Router<BasicRequestContext>) {
        router.get("/v1/models") { _, _ in
            let data = modelIDs().map(modelObject)
            return Self.json(.object(["object": .string("list"), "data": .array(data)]))
        }
        router.get("/v1/models/**") { request, _ in
            let id = String(request.uri.path.dropFirst("/v1/models/".count)).removingPercentEncoding ?? ""
            guard modelIDs().contains(id) else { return OpenAIError.modelNotFound(id).response }
            return Self.json(modelObject(id))
        }
        router.post("/v1/chat/completions") { request, _ in
            do {
                return try await completions(request)
            } catch let error as OpenAIError {
                return error.response
            } catch {
                return OpenAIError.internalError.response
            }
        }
        router.add(middleware: OpenAIErrorMiddleware())
    }

    func modelObject(_ id: String) -> JSONValue {
        .object(["id": .string(id), "object": .string("model"), "created": .number(Double(created)), "owned_by": .string("sparks")])
    }

    func completions(_ request: Request) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw Self.tooLarge(maxBodyBytes)
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBodyBytes) } catch {
            throw Self.tooLarge(maxBodyBytes)
        }
        let parsed = try ChatCompletionRequest.parse(JSONValue.parse(String(buffer: body)))
        let spark: String?
        if parsed.model == "sparks" {
            spark = nil
        } else if parsed.model.hasPrefix("sparks/"), orchestrator.config.spark(named: String(parsed.model.dropFirst(7))) != nil {
            spark = String(parsed.model.dropFirst(7))
        } else {
            throw OpenAIError.modelNotFound(parsed.model)
        }
        let repository = parsed.repository ?? self.repository
        var isDirectory: ObjCBool = false
        guard repository.hasPrefix("/"), FileManager.default.fileExists(atPath: repository, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OpenAIError.invalid("'metadata.repository' must be an absolute path to a directory on the Sparks host.",
                                      param: "metadata.repository")
        }
        let session: ChatSession
        do {
            session = try ChatSession(model: orchestrator.model, store: orchestrator.store,
                                      sessionKey: "api:\(parsed.user ?? "anonymous")", history: parsed.history)
        } catch {
            throw OpenAIError.from(error)
        }
        session.temperature = parsed.temperature
        var pipeline = ChatPipeline(orchestrator: orchestrator, session: session, repository: repository)
        pipeline.channel = "api"
        let id = "chatcmpl-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return parsed.stream ? stream(parsed, pipeline: pipeline, spark: spark, id: id)
            : try await whole(parsed, pipeline: pipeline, spark: spark, id: id)
    }

    static func tooLarge(_ limit: Int) -> OpenAIError {
        OpenAIError(status: .contentTooLarge, message: "The request body is larger than \(limit) bytes.", type: "invalid_request_error",
                    param: nil, code: "request_too_large")
    }

    /// The answer, cut to `max_tokens` (estimated) when it is longer.
    static func limit(_ answer: String, maxTokens: Int?) -> (text: String, finish: String) {
        guard let maxTokens, TokenEstimator.estimate(answer) > maxTokens else { return (answer, "stop") }
        var low = 0
        var high = answer.count
        while low < high {
            let middle = (low + high + 1) / 2
            if TokenEstimator.estimate(String(answer.prefix(middle))) <= maxTokens { low = middle } else { high = middle - 1 }
        }
        return (String(answer.prefix(low)), "length")
    }

    func usage(_ request: ChatCompletionRequest, _ turn: ChatPipeline.Turn, answer: String) -> JSONValue {
        let reported = turn.outcome?.usage
        let prompt = reported?.promptTokens ?? TokenEstimator.estimate(request.history + [.user(request.message)])
        let completion = reported?.completionTokens ?? TokenEstimator.estimate(answer)
        return .object(["prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(completion)),
                        "total_tokens": .number(Double(prompt + completion))])
    }

    /// What Sparks did with the message, beside the answer (ignored by OpenAI clients).
    func extensions(_ turn: ChatPipeline.Turn) -> JSONValue {
        var fields: [String: JSONValue] = ["route": .string(turn.route.kind.rawValue)]
        if let outcome = turn.outcome {
            fields["task_id"] = .string(outcome.taskID.uuidString.lowercased())
            fields["status"] = .string(outcome.status.rawValue)
        }
        if let spark = turn.selection?.spark ?? turn.route.spark { fields["spark"] = .string(spark) }
        return .object(fields)
    }

    func whole(_ request: ChatCompletionRequest, pipeline: ChatPipeline, spark: String?, id: String) async throws -> Response {
        let turn: ChatPipeline.Turn
        do { turn = try await pipeline.handle(request.message, explicitSpark: spark) } catch { throw OpenAIError.from(error) }
        let (answer, finish) = Self.limit(turn.answer, maxTokens: request.maxTokens)
        return Self.json(.object([
            "id": .string(id), "object": .string("chat.completion"), "created": .number(Double(created)), "model": .string(request.model),
            "choices": .array([.object([
                "index": .number(0), "message": .object(["role": .string("assistant"), "content": .string(answer), "refusal": .null]),
                "logprobs": .null, "finish_reason": .string(finish),
            ])]),
            "usage": usage(request, turn, answer: answer), "system_fingerprint": .null, "sparks": extensions(turn),
        ]))
    }

    /// Server-sent chunks: the role, the task's progress (in a `sparks.progress` field, with an
    /// empty delta), the answer, the finish reason, the usage when asked for, then `[DONE]`.
    /// A client that goes away stops the task.
    func stream(_ request: ChatCompletionRequest, pipeline: ChatPipeline, spark: String?, id: String) -> Response {
        let created = self.created
        let chunk: @Sendable (JSONValue, String?, [String: JSONValue]) -> String = { delta, finish, extra in
            var fields: [String: JSONValue] = [
                "id": .string(id), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
                "model": .string(request.model), "system_fingerprint": .null,
                "choices": .array([.object(["index": .number(0), "delta": delta, "logprobs": .null,
                                            "finish_reason": finish.map { .string($0) } ?? .null])]),
            ]
            fields.merge(extra) { $1 }
            return "data: \(JSONValue.object(fields).canonicalText)\n\n"
        }
        let (lines, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1000))
        let stop = StopSignal()
        let work = Task {
            continuation.yield(chunk(.object(["role": .string("assistant"), "content": .string("")]), nil, [:]))
            let progress: TaskEventSink = { event in
                guard let text = Self.progress(event) else { return }
                continuation.yield(chunk(.object([:]), nil, ["sparks": .object(["progress": .string(text)])]))
            }
            do {
                let turn = try await pipeline.handle(request.message, explicitSpark: spark, stop: stop, events: progress)
                let (answer, finish) = Self.limit(turn.answer, maxTokens: request.maxTokens)
                var rest = Substring(answer)
                while !rest.isEmpty {
                    let piece = rest.prefix(200)
                    rest = rest.dropFirst(piece.count)
                    continuation.yield(chunk(.object(["content": .string(String(piece))]), nil, [:]))
                }
                continuation.yield(chunk(.object([:]), finish, ["sparks": extensions(turn)]))
                if request.includeUsage {
                    continuation.yield("data: " + JSONValue.object([
                        "id": .string(id), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
                        "model": .string(request.model), "choices": .array([]), "usage": usage(request, turn, answer: answer),
                    ]).canonicalText + "\n\n")
                }
            } catch {
                let failure = (error as? SparksError).map(OpenAIError.from) ?? OpenAIError.internalError
                continuation.yield("data: \(failure.json.canonicalText)\n\n")
            }
            continuation.yield("data: [DONE]\n\n")
            continuation.finish()
        }
        let body = ResponseBody { writer in
            do {
                for await line in lines { try await writer.write(ByteBuffer(string: line)) }
                try await writer.finish(nil)
            } catch {
                // The client went away: stop the task it started.
                stop.stop(.user)
                work.cancel()
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// One line of progress for a streaming client.
    static func progress(_ event: TaskEvent) -> String? {
        switch event {
        case .selected(let spark, _, _, let explanation): "spark \(spark): \(explanation.prefix(160))"
        case .queued(let taskID, let spark): "task \(taskID.uuidString.lowercased().prefix(8)) queued for \(spark)"
        case .waitingForSlot(let running): "waiting for a slot (\(running) running)"
        case .started(_, let spark, _): "\(spark) started"
        case .toolFinished(let step, let name, let ok, let durationMs, _): "[\(step)] \(name) \(ok ? "ok" : "failed") (\(durationMs) ms)"
        case .verifyFinished(let passed, _): "verify \(passed ? "passed" : "failed")"
        case .phase(let name, let detail): "\(name): \(detail.prefix(120))"
        case .retrying(let attempt, _, _): "model failure on attempt \(attempt); retrying"
        default: nil
        }
    }

    static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.canonicalText)))
    }
}

/// Under `/v1`, Hummingbird's own refusals (no such route, wrong method) in OpenAI's error shape.
struct OpenAIErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let status = error.status
            let code = status == .notFound ? "unknown_url" : status == .methodNotAllowed ? "method_not_allowed" : "invalid_request"
            let message = status == .notFound ? "Sparks does not serve \(request.method) \(request.uri.path)."
                : status == .methodNotAllowed ? "\(request.method) is not allowed on \(request.uri.path)."
                : "The request could not be handled (HTTP \(status.code))."
            return OpenAIError(status: status, message: message, type: "invalid_request_error", param: nil, code: code).response
        }
    }
}
