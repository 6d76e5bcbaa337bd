import Foundation
import Testing

@testable import SparksProactive

@Suite struct SelfMetricsCountersTests {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func errorsOlderThanAnHourFallOutOfTheErrorRate() {
        let counters = SelfMetricsCounters(startedAt: start)
        for _ in 0..<3 { counters.recordLLMCall(latencyMs: 100, failed: true, at: start) }
        for _ in 0..<2 { counters.recordLLMCall(latencyMs: 400, failed: false, at: start.addingTimeInterval(1800)) }

        let before = counters.snapshot(at: start.addingTimeInterval(3599), process: nil)
        #expect(before.llmCalls == 5)
        #expect(before.llmErrors == 3)
        #expect(before.errorRate == 0.6)

        let after = counters.snapshot(at: start.addingTimeInterval(3600), process: nil)
        #expect(after.llmCalls == 2)
        #expect(after.llmErrors == 0)
        #expect(after.errorRate == 0)
        // Latency is a cumulative mean: the old calls still count.
        #expect(after.totalLLMCalls == 5)
        #expect(after.averageLLMLatencyMs == 220)
    }

    @Test func durationLatencyIsConvertedToMilliseconds() {
        let counters = SelfMetricsCounters(startedAt: start)
        counters.recordLLMCall(latency: .milliseconds(1500), failed: false, at: start)
        counters.recordLLMCall(latency: .seconds(2.5), failed: false, at: start)
        #expect(counters.snapshot(at: start, process: nil).averageLLMLatencyMs == 2000)
    }

    @Test func noCallsMeansNoAverageLatency() {
        let snapshot = SelfMetricsCounters(startedAt: start).snapshot(at: start, process: nil)
        #expect(snapshot.averageLLMLatencyMs == nil)
        #expect(snapshot.totalLLMCalls == 0)
    }

    @Test func toolFailureRateIsCumulative() {
        let counters = SelfMetricsCounters(startedAt: start)
        for index in 0..<8 { counters.recordToolRun(failed: index < 2) }
        let snapshot = counters.snapshot(at: start.addingTimeInterval(86_400), process: nil)
        #expect(snapshot.toolInvocations == 8)
        #expect(snapshot.toolFailures == 2)
        #expect(snapshot.toolFailureRate == 0.25)
    }

    @Test func snapshotCombinesProcessSampleWorkloadAndUptime() {
        let counters = SelfMetricsCounters(startedAt: start)
        let previous = ProcessSample(at: start.addingTimeInterval(30), rssBytes: 10, totalMemoryBytes: 99, cpuSeconds: 1)
        let current = ProcessSample(at: start.addingTimeInterval(60), rssBytes: 2048, totalMemoryBytes: 4096, cpuSeconds: 4)

        let snapshot = counters.snapshot(
            at: start.addingTimeInterval(60), process: current, previous: previous, runningTasks: 2, memoryCount: 17,
            databaseBytes: 123_456)

        #expect(snapshot.uptimeSeconds == 60)
        #expect(snapshot.rssBytes == 2048)
        #expect(snapshot.totalMemoryBytes == 4096)
        #expect(snapshot.cpuPercent == 10)  // 3 CPU seconds over 30 s
        #expect(snapshot.runningTasks == 2)
        #expect(snapshot.memoryCount == 17)
        #expect(snapshot.databaseBytes == 123_456)

        let first = counters.snapshot(at: start.addingTimeInterval(60), process: current)
        #expect(first.cpuPercent == 0)
    }

    @Test func concurrentRecordingLosesNothing() async {
        let counters = SelfMetricsCounters(startedAt: start)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    counters.recordToolRun(failed: index % 4 == 0)
                    counters.recordLLMCall(latencyMs: 10, failed: index % 2 == 0, at: self.start)
                }
            }
        }
        let snapshot = counters.snapshot(at: start, process: nil)
        #expect(snapshot.toolInvocations == 200)
        #expect(snapshot.toolFailures == 50)
        #expect(snapshot.llmCalls == 200)
        #expect(snapshot.llmErrors == 100)
    }
}
