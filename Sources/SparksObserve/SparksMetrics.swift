import Foundation
import Prometheus
import SparksCore
import SparksStore

/// The daemon's metrics in Prometheus' text format (`GET /metrics`): tasks by status and queue
/// depth (read from the database at scrape time, so they count every process's tasks), and what
/// this process measured itself — model latency and tokens, tool calls and failures, sandbox run
/// time, finished tasks.
public final class SparksMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let latencyBuckets: [Duration] = [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                             .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120)]
    static let toolBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                          .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120)]

    public init() {}

    static func descriptor(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sparks", metricName: name, unitName: unit, helpText: help)
    }

    /// One model call: how long it took, whether it failed, the tokens it used.
    public func recordModelCall(model: String, duration: Duration, ok: Bool, usage: TokenUsage?) {
        let labels = [("model", model)]
        registry.makeDurationHistogram(descriptor: Self.descriptor("llm_request_duration", unit: "seconds", help: "Model calls' latency (until the last token), in seconds"), labels: labels, buckets: Self.latencyBuckets).record(duration)
        registry.makeCounter(descriptor: Self.descriptor("llm_requests", unit: "total", help: "Model calls by outcome"), labels: labels + [("outcome", ok ? "ok" : "error")]).increment()
        guard let usage else { return }
        registry.makeCounter(descriptor: Self.descriptor("llm_tokens", unit: "total", help: "Tokens used, prompt and completion"), labels: labels + [("kind", "prompt")]).increment(by: Int64(usage.promptTokens))
        registry.makeCounter(descriptor: Self.descriptor("llm_tokens", unit: "total", help: "Tokens used, prompt and completion"), labels: labels + [("kind", "completion")]).increment(by: Int64(usage.completionTokens))
    }

    /// One tool call of a spark.
    public func recordToolCall(tool: String, ok: Bool, durationMs: Int) {
        registry.makeCounter(descriptor: Self.descriptor("tool_calls", unit: "total", help: "Tool calls by tool and outcome"), labels: [("tool", tool), ("outcome", ok ? "ok" : "failed")]).increment()
        registry.makeDurationHistogram(descriptor: Self.descriptor("tool_duration", unit: "seconds", help: "Tool calls' duration in seconds"), labels: [("tool", tool)], buckets: Self.toolBuckets).record(.milliseconds(durationMs))
    }

    /// One command run in a sandbox (`outcome`: `ok`, `nonzero` exit, `timeout`, `error`).
    public func recordSandboxRun(kind: String, duration: Duration, outcome: String) {
        registry.makeDurationHistogram(descriptor: Self.descriptor("sandbox_run", unit: "seconds", help: "Time commands spent in the sandbox, in seconds"), labels: [("sandbox", kind)], buckets: Self.toolBuckets).record(duration)
        registry.makeCounter(descriptor: Self.descriptor("sandbox_runs", unit: "total", help: "Sandboxed commands by outcome"), labels: [("sandbox", kind), ("outcome", outcome)]).increment()
    }

    /// A task this process finished.
    public func recordTaskFinished(status: String, durationMs: Int) {
        registry.makeCounter(descriptor: Self.descriptor("tasks_finished", unit: "total", help: "Tasks finished by this process, by final status"), labels: [("status", status)]).increment()
        registry.makeDurationHistogram(descriptor: Self.descriptor("task_duration", unit: "seconds", help: "Finished tasks' wall time in seconds"), buckets: Self.latencyBuckets).record(.milliseconds(durationMs))
    }

    /// The text for a scrape: the database's current counts, then everything recorded.
    public func scrape(store: SparksStore) -> String {
        if let counts = try? store.taskCounts() {
            for status in TaskStatus.allCases {
                registry.makeGauge(descriptor: Self.descriptor("tasks", unit: "", help: "Tasks in the database by status"), labels: [("status", status.rawValue)]).set(Double(counts[status] ?? 0))
            }
            registry.makeGauge(descriptor: Self.descriptor("queue_depth", unit: "", help: "Tasks waiting in the queue")).set(Double(counts[.queued] ?? 0))
            registry.makeGauge(descriptor: Self.descriptor("tasks_running", unit: "", help: "Tasks running now (all processes)")).set(Double(counts[.running] ?? 0))
        }
        if let memories = try? store.memoryCounts() {
            registry.makeGauge(descriptor: Self.descriptor("memories", unit: "", help: "Active memories")).set(Double(memories.active))
        }
        return registry.emitToString()
    }
}
