import Foundation
import Testing

@testable import SparksProactive

@Suite struct AnomalyDetectorTests {
    private let detector = AnomalyDetector()

    private func snapshot(
        uptime: Double = 600, llmCalls: Int = 0, llmErrors: Int = 0, totalLLMCalls: Int? = nil, toolRuns: Int = 0,
        toolFailures: Int = 0, latencyMs: Double? = nil
    ) -> SelfMetricsSnapshot {
        SelfMetricsSnapshot(
            at: Date(timeIntervalSince1970: 1_700_000_000), uptimeSeconds: uptime, llmCalls: llmCalls,
            llmErrors: llmErrors, totalLLMCalls: totalLLMCalls, toolInvocations: toolRuns, toolFailures: toolFailures,
            averageLLMLatencyMs: latencyMs)
    }

    @Test func healthyMetricsRaiseNothing() {
        let healthy = snapshot(llmCalls: 20, llmErrors: 1, toolRuns: 40, toolFailures: 2, latencyMs: 900)
        #expect(detector.detect(healthy).isEmpty)
    }

    @Test func toolFailureRateFiresAboveThresholdWithEnoughRuns() throws {
        let anomalies = detector.detect(snapshot(toolRuns: 10, toolFailures: 4))
        let anomaly = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.toolFailureRate])
        #expect(anomaly.observed == 0.4)
        #expect(anomaly.threshold == 0.3)
        #expect(anomaly.message.contains("4 of 10 runs failed"))

        // Exactly at the threshold is not above it.
        #expect(detector.detect(snapshot(toolRuns: 10, toolFailures: 3)).isEmpty)
        // One failure in the first runs is no anomaly: too few runs to judge.
        #expect(detector.detect(snapshot(toolRuns: 4, toolFailures: 4)).isEmpty)
        #expect(detector.detect(snapshot(toolRuns: 5, toolFailures: 4)).map(\.kind) == [.toolFailureRate])
    }

    @Test func llmLatencyFiresAboveThresholdWithEnoughCalls() throws {
        let anomalies = detector.detect(snapshot(totalLLMCalls: 3, latencyMs: 7200))
        let anomaly = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.llmLatency])
        #expect(anomaly.observed == 7200)
        #expect(anomaly.threshold == 5000)
        #expect(anomaly.message.contains("7200 ms"))

        #expect(detector.detect(snapshot(totalLLMCalls: 3, latencyMs: 5000)).isEmpty)
        #expect(detector.detect(snapshot(totalLLMCalls: 2, latencyMs: 60_000)).isEmpty)
        #expect(detector.detect(snapshot(totalLLMCalls: 50, latencyMs: nil)).isEmpty)
    }

    @Test func llmErrorRateFiresAboveThresholdWithEnoughCalls() throws {
        let anomalies = detector.detect(snapshot(llmCalls: 10, llmErrors: 3))
        let anomaly = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.llmErrorRate])
        #expect(anomaly.observed == 0.3)
        #expect(anomaly.threshold == 0.2)

        #expect(detector.detect(snapshot(llmCalls: 10, llmErrors: 2)).isEmpty)
        #expect(detector.detect(snapshot(llmCalls: 4, llmErrors: 4)).isEmpty)
    }

    @Test func nothingFiresDuringWarmup() {
        let sick = { (uptime: Double) in
            self.snapshot(uptime: uptime, llmCalls: 10, llmErrors: 9, toolRuns: 10, toolFailures: 9, latencyMs: 9000)
        }
        #expect(detector.detect(sick(299)).isEmpty)
        #expect(detector.detect(sick(300)).map(\.kind) == [.toolFailureRate, .llmLatency, .llmErrorRate])
    }

    @Test func thresholdsAreConfigurable() {
        let strict = AnomalyDetector(
            thresholds: .init(warmupSeconds: 0, toolFailureRate: 0.05, minimumToolRuns: 1, llmLatencyMs: 500))
        let kinds = strict.detect(snapshot(uptime: 1, totalLLMCalls: 3, toolRuns: 10, toolFailures: 1, latencyMs: 800)).map(
            \.kind)
        #expect(kinds == [.toolFailureRate, .llmLatency])
    }

    @Test func signatureIsSortedAndDeduplicated() {
        let error = Anomaly(kind: .llmErrorRate, observed: 0.5, threshold: 0.2, message: "e")
        let tools = Anomaly(kind: .toolFailureRate, observed: 0.5, threshold: 0.3, message: "t")
        let latency = Anomaly(kind: .llmLatency, observed: 9000, threshold: 5000, message: "l")

        #expect(AnomalyDetector.signature(for: [tools, error]) == "alert_kinds=llm_error_rate,tool_failure_rate")
        #expect(AnomalyDetector.signature(for: [error, tools, error]) == "alert_kinds=llm_error_rate,tool_failure_rate")
        #expect(
            AnomalyDetector.signature(for: [tools, latency, error])
                == "alert_kinds=llm_error_rate,llm_latency,tool_failure_rate")
    }

    @Test func diagnosticGoalNamesSignatureFindingsAndIsReadOnly() {
        let anomalies = detector.detect(snapshot(toolRuns: 10, toolFailures: 5, latencyMs: nil))
        let goal = AnomalyDetector.diagnosticGoal(for: anomalies)

        #expect(goal.hasPrefix("Investigate why"))
        #expect(goal.contains("alert_kinds=tool_failure_rate"))
        #expect(goal.contains("5 of 10 runs failed"))
        #expect(goal.hasSuffix("Do not change code; report likely causes and a fix."))
    }
}
