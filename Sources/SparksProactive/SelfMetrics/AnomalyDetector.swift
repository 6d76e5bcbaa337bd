import Foundation

/// A self-metric outside its healthy range.
public struct Anomaly: Sendable, Hashable, Codable {
    /// What went wrong; the raw values are stable and appear in `health_alert` signatures.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case toolFailureRate = "tool_failure_rate"
        case llmLatency = "llm_latency"
        case llmErrorRate = "llm_error_rate"
    }

    public let kind: Kind
    /// The value seen (a 0–1 fraction for rates, milliseconds for latency).
    public let observed: Double
    /// The limit it exceeded, in the same unit.
    public let threshold: Double
    /// A sentence for logs, alerts and the diagnostic goal.
    public let message: String

    public init(kind: Kind, observed: Double, threshold: Double, message: String) {
        self.kind = kind
        self.observed = observed
        self.threshold = threshold
        self.message = message
    }
}

/// Flags unhealthy self-metrics (reference §15.8): a tool failure rate, average LLM latency or LLM
/// error rate above its threshold, once the process has warmed up and enough calls were seen for
/// the figure to mean something.
public struct AnomalyDetector: Sendable {
    /// Limits; each rate or latency must be strictly above its threshold to be an anomaly.
    public struct Thresholds: Sendable, Hashable, Codable {
        /// Uptime before any anomaly is reported, in seconds.
        public var warmupSeconds: Double
        /// Tool failures ÷ runs above which tools are unhealthy.
        public var toolFailureRate: Double
        /// Tool runs needed before the failure rate is judged, so one early failure is no alarm.
        public var minimumToolRuns: Int
        /// Mean LLM latency, in milliseconds, above which the model is too slow.
        public var llmLatencyMs: Double
        /// LLM calls needed before the mean latency is judged.
        public var minimumLatencyCalls: Int
        /// LLM errors ÷ calls in the last hour above which the model is unreliable.
        public var llmErrorRate: Double
        /// LLM calls in the last hour needed before the error rate is judged.
        public var minimumErrorRateCalls: Int

        public init(
            warmupSeconds: Double = 300, toolFailureRate: Double = 0.3, minimumToolRuns: Int = 5,
            llmLatencyMs: Double = 5000, minimumLatencyCalls: Int = 3, llmErrorRate: Double = 0.2,
            minimumErrorRateCalls: Int = 5
        ) {
            self.warmupSeconds = warmupSeconds
            self.toolFailureRate = toolFailureRate
            self.minimumToolRuns = max(minimumToolRuns, 1)
            self.llmLatencyMs = llmLatencyMs
            self.minimumLatencyCalls = max(minimumLatencyCalls, 1)
            self.llmErrorRate = llmErrorRate
            self.minimumErrorRateCalls = max(minimumErrorRateCalls, 1)
        }
    }

    public var thresholds: Thresholds

    public init(thresholds: Thresholds = Thresholds()) {
        self.thresholds = thresholds
    }

    /// The anomalies in `snapshot`, in `Kind` declaration order; empty during warmup.
    public func detect(_ snapshot: SelfMetricsSnapshot) -> [Anomaly] {
        let limits = thresholds
        guard snapshot.uptimeSeconds >= limits.warmupSeconds else { return [] }
        var found: [Anomaly] = []
        if snapshot.toolInvocations >= limits.minimumToolRuns, snapshot.toolFailureRate > limits.toolFailureRate {
            found.append(
                Anomaly(
                    kind: .toolFailureRate, observed: snapshot.toolFailureRate, threshold: limits.toolFailureRate,
                    message: "Tool failure rate is \(SelfMetricsSnapshot.percent(snapshot.toolFailureRate))"
                        + " (\(snapshot.toolFailures) of \(snapshot.toolInvocations) runs failed),"
                        + " above \(SelfMetricsSnapshot.percent(limits.toolFailureRate))."))
        }
        if snapshot.totalLLMCalls >= limits.minimumLatencyCalls, let latency = snapshot.averageLLMLatencyMs,
            latency > limits.llmLatencyMs
        {
            found.append(
                Anomaly(
                    kind: .llmLatency, observed: latency, threshold: limits.llmLatencyMs,
                    message: "Average LLM latency is \(Int(latency.rounded())) ms over \(snapshot.totalLLMCalls)"
                        + " calls, above \(Int(limits.llmLatencyMs.rounded())) ms."))
        }
        if snapshot.llmCalls >= limits.minimumErrorRateCalls, snapshot.errorRate > limits.llmErrorRate {
            found.append(
                Anomaly(
                    kind: .llmErrorRate, observed: snapshot.errorRate, threshold: limits.llmErrorRate,
                    message: "LLM error rate is \(SelfMetricsSnapshot.percent(snapshot.errorRate))"
                        + " (\(snapshot.llmErrors) of \(snapshot.llmCalls) calls in the last hour failed),"
                        + " above \(SelfMetricsSnapshot.percent(limits.llmErrorRate))."))
        }
        return found
    }

    /// The signature a `health_alert` / `health_fix` memory carries for a set of anomalies:
    /// `alert_kinds=` followed by the distinct kinds, sorted and comma-separated, so the same
    /// problems always give the same text whatever order they were found in.
    public static func signature(for anomalies: [Anomaly]) -> String {
        "alert_kinds=" + Set(anomalies.map(\.kind.rawValue)).sorted().joined(separator: ",")
    }

    /// The goal of the read-only diagnostic task dispatched for `anomalies`. It names the signature
    /// so the task's success can be recorded as a `health_fix` for it.
    public static func diagnosticGoal(for anomalies: [Anomaly]) -> String {
        let findings = anomalies.map(\.message).joined(separator: " ")
        return "Investigate why Sparks' self-metrics are unhealthy (\(signature(for: anomalies))). \(findings)"
            + " Look at recent tool failures, LLM call errors and logs. Do not change code; report likely"
            + " causes and a fix."
    }
}
