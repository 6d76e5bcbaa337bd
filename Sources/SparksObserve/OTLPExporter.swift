import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SparksCore

/// Where OpenTelemetry spans go: an OTLP/HTTP collector (Jaeger, Tempo, the OpenTelemetry
/// Collector, Langfuse's `/api/public/otel`).
public struct OTLPSettings: Sendable {
    /// The full traces URL, e.g. `http://127.0.0.1:4318/v1/traces`.
    public var tracesURL: String
    /// Extra headers (an `Authorization` for a hosted backend), from `OTEL_EXPORTER_OTLP_HEADERS`.
    public var headers: [(String, String)]
    public var serviceName: String
    public var batch = BatchSettings()

    public init(tracesURL: String, headers: [(String, String)] = [], serviceName: String = "sparks") {
        self.tracesURL = tracesURL
        self.headers = headers
        self.serviceName = serviceName
    }
}

/// Exports task traces as OpenTelemetry spans over OTLP/HTTP with JSON encoding (the protocol's
/// `application/json` form), with the GenAI semantic-convention attributes: the task is the root
/// span, `invoke_agent <spark>` below it, and below that `chat <model>` per model call (with
/// `gen_ai.usage.input_tokens`/`output_tokens`), `execute_tool <name>` per tool call and
/// `verify`. Batched and retried in the background like the Langfuse exporter; a span is sent
/// when it ends.
public final class OTLPExporter: Service, TraceSink, Sendable {
    public let settings: OTLPSettings
    private let sender: HTTPBatchSender

    public init(settings: OTLPSettings, logger: Logger) {
        self.settings = settings
        let url = settings.tracesURL
        let headers = settings.headers
        let resource = JSONValue.object(["attributes": .array([
            Self.attribute("service.name", .string(settings.serviceName)),
            Self.attribute("service.version", .string(SparksVersion.current)),
        ])])
        self.sender = HTTPBatchSender(name: "otlp", settings: settings.batch, logger: logger) { spans in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let body = JSONValue.object(["resourceSpans": .array([.object([
                "resource": resource,
                "scopeSpans": .array([.object([
                    "scope": .object(["name": .string("sparks"), "version": .string(SparksVersion.current)]),
                    "spans": .array(spans),
                ])]),
            ])])])
            request.body = .bytes(ByteBuffer(string: body.canonicalText))
            return request
        }
    }

    public var counts: (sent: Int, dropped: Int, failedBatches: Int, queued: Int) { sender.counts }

    public func record(_ span: TraceSpan) {
        guard let end = span.end else { return }
        sender.enqueue(Self.otlpSpan(span, end: end))
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: settings.batch.flushInterval)
                await flush()
            }
        } onGracefulShutdown: {}
        await close()
    }

    @discardableResult
    public func flush() async -> Bool { await sender.flush() }

    public func close() async {
        await flush()
        await sender.shutdown()
    }

    // MARK: - Mapping

    /// OTLP's `KeyValue`: integers as strings (int64 in JSON), doubles, booleans, strings.
    static func attribute(_ key: String, _ value: JSONValue) -> JSONValue {
        let any: JSONValue
        switch value {
        case .number(let number) where number == number.rounded() && abs(number) < 9e15:
            any = .object(["intValue": .string(String(Int64(number)))])
        case .number(let number): any = .object(["doubleValue": .number(number)])
        case .bool(let flag): any = .object(["boolValue": .bool(flag)])
        case .string(let text): any = .object(["stringValue": .string(text)])
        case .null: any = .object(["stringValue": .string("")])
        default: any = .object(["stringValue": .string(value.canonicalText)])
        }
        return .object(["key": .string(key), "value": any])
    }

    static func nanos(_ date: Date) -> JSONValue {
        .string(String(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) * 1000))
    }

    static func otlpSpan(_ span: TraceSpan, end: Date) -> JSONValue {
        var attributes: [String: JSONValue] = [:]
        for (key, value) in span.attributes { attributes["sparks.\(key)"] = value }
        let name: String
        var kind = 1  // SPAN_KIND_INTERNAL
        switch span.kind {
        case .task:
            name = "sparks.task"
            attributes["sparks.task.id"] = .string(LangfuseExporter.langfuseTraceID(span.traceID))
        case .run:
            name = "invoke_agent \(span.name)"
            attributes["gen_ai.operation.name"] = .string("invoke_agent")
            attributes["gen_ai.agent.name"] = .string(span.name)
        case .generation:
            name = "chat \(span.model ?? "")"
            kind = 3  // SPAN_KIND_CLIENT
            attributes["gen_ai.operation.name"] = .string("chat")
            attributes["gen_ai.request.model"] = .string(span.model ?? "")
            attributes["gen_ai.response.model"] = .string(span.model ?? "")
            attributes["sparks.step_name"] = .string(span.name)
            if let usage = span.usage {
                attributes["gen_ai.usage.input_tokens"] = .number(Double(usage.promptTokens))
                attributes["gen_ai.usage.output_tokens"] = .number(Double(usage.completionTokens))
            }
            attributes["sparks.usage_estimated"] = .bool(span.usageEstimated)
        case .tool:
            name = "execute_tool \(span.name)"
            attributes["gen_ai.operation.name"] = .string("execute_tool")
            attributes["gen_ai.tool.name"] = .string(span.name)
        case .verify:
            name = "verify"
        }
        // Inputs and outputs (already redacted and truncated) under the keys Langfuse's and
        // OpenInference's OTel readers show as input and output.
        if let input = span.input { attributes["input.value"] = .string(input) }
        if let output = span.output { attributes["output.value"] = .string(output) }
        var object: [String: JSONValue] = [
            "traceId": .string(span.traceID), "spanId": .string(span.spanID), "name": .string(name), "kind": .number(Double(kind)),
            "startTimeUnixNano": nanos(span.start), "endTimeUnixNano": nanos(end),
            "attributes": .array(attributes.keys.sorted().map { attribute($0, attributes[$0] ?? .null) }),
            // STATUS_CODE_OK = 1, STATUS_CODE_ERROR = 2.
            "status": .object(["code": .number(span.ok ? 1 : 2)]),
        ]
        if let parent = span.parentID { object["parentSpanId"] = .string(parent) }
        return .object(object)
    }
}
