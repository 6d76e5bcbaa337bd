import Foundation
import Testing

@testable import SparksProactive

@Suite struct SelfMetricsSnapshotTests {
    private let at = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func summaryReadsAsOneLine() {
        let snapshot = SelfMetricsSnapshot(
            at: at, uptimeSeconds: 600, rssBytes: 89_338_675, totalMemoryBytes: 16 << 30, cpuPercent: 3.14,
            llmCalls: 12, llmErrors: 0, toolInvocations: 40, toolFailures: 1, averageLLMLatencyMs: 812.3,
            runningTasks: 1)

        #expect(
            snapshot.summary
                == "rss 85.2 MiB · cpu 3.1% · llm errors 0/12 (0%) · tool failures 1/40 (2.5%) · llm latency 812 ms · running 1")
    }

    @Test func ratesAreDerivedFromCountsAndZeroWithoutCalls() {
        let idle = SelfMetricsSnapshot(at: at, uptimeSeconds: 1)
        #expect(idle.errorRate == 0)
        #expect(idle.toolFailureRate == 0)
        #expect(idle.averageLLMLatencyMs == nil)
        #expect(idle.summary.contains("llm errors 0/0 (0%)"))
        #expect(idle.summary.contains("llm latency n/a"))

        let busy = SelfMetricsSnapshot(at: at, uptimeSeconds: 1, llmCalls: 8, llmErrors: 2, toolInvocations: 3, toolFailures: 1)
        #expect(busy.errorRate == 0.25)
        #expect(busy.toolFailureRate == 1.0 / 3.0)
        #expect(busy.summary.contains("llm errors 2/8 (25%)"))
        #expect(busy.summary.contains("tool failures 1/3 (33.3%)"))
    }

    @Test func roundTripsThroughJSON() throws {
        let snapshot = SelfMetricsSnapshot(
            at: at, uptimeSeconds: 42, rssBytes: 1, totalMemoryBytes: 2, cpuPercent: 3, llmCalls: 4, llmErrors: 1,
            totalLLMCalls: 9, toolInvocations: 5, toolFailures: 2, averageLLMLatencyMs: 700, runningTasks: 1,
            memoryCount: 12, databaseBytes: 4096)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970

        let decoded = try decoder.decode(SelfMetricsSnapshot.self, from: encoder.encode(snapshot))

        #expect(decoded == snapshot)
    }
}
