import Foundation
import SparksProactive
import SparksStore
import Testing

/// The dashboard's health section shows the daemon's latest self-metrics and their anomalies.
@Suite(.timeLimit(.minutes(5))) struct HealthDashboardTests {
    @Test func theLatestSampleAndItsAnomaliesAreShown() async throws {
        try await ServerHarness.with { harness in
            let before = try await harness.get("/dashboard")
            #expect(before.body.contains("No samples"))
            let start = Date().addingTimeInterval(-120)
            for (offset, failures) in [(0, 0), (60, 6)] {
                let sample = SelfMetricsSnapshot(at: start.addingTimeInterval(Double(offset)), uptimeSeconds: 900 + Double(offset),
                                                 rssBytes: 90 << 20, llmCalls: 10, llmErrors: 0, toolInvocations: 10,
                                                 toolFailures: failures, averageLLMLatencyMs: 800, runningTasks: 1)
                try harness.store.recordSelfMetrics(String(decoding: try JSONEncoder().encode(sample), as: UTF8.self), at: sample.at)
            }
            let page = try await harness.get("/dashboard")
            #expect(page.status == 200)
            #expect(page.body.contains(#"<section id="health">"#))
            #expect(page.body.contains("rss 90.0 MiB"))
            #expect(page.body.contains("tool failures 6/10"))
            #expect(page.body.contains(#"<li class="fail">"#), "the 60 % tool failure rate is an anomaly")
            #expect(page.body.contains("model error and tool failure rates"))
        }
    }
}
