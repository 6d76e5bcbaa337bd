import Foundation
import Synchronization

/// Accumulates LLM and tool outcomes as they happen, for `SelfMetricsSnapshot`s.
///
/// - LLM error rate: over a sliding hour of call timestamps, pruned by the time the caller passes
///   in (never a wall clock), so a burst of errors stops counting an hour later.
/// - LLM latency: the cumulative mean of every call, failed or not, since start.
/// - Tool failure rate: cumulative failures ÷ runs since start.
public final class SelfMetricsCounters: Sendable {
    /// Length of the LLM error-rate window.
    public static let windowLength: TimeInterval = 3600

    private struct Call {
        var at: Date
        var failed: Bool
    }

    private struct State {
        /// LLM calls inside the sliding hour.
        var window: [Call] = []
        var totalCalls = 0
        var totalLatencyMs: Double = 0
        var toolRuns = 0
        var toolFailures = 0
    }

    /// When the process started; uptime is measured from here.
    public let startedAt: Date
    private let state = Mutex(State())

    public init(startedAt: Date) {
        self.startedAt = startedAt
    }

    /// Records one LLM call.
    public func recordLLMCall(latency: Duration, failed: Bool, at time: Date) {
        let parts = latency.components
        let ms = Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
        recordLLMCall(latencyMs: ms, failed: failed, at: time)
    }

    /// Records one LLM call whose latency is in milliseconds. A negative or non-finite latency
    /// counts as 0 so one bad measurement cannot poison the mean.
    public func recordLLMCall(latencyMs: Double, failed: Bool, at time: Date) {
        let latency = latencyMs.isFinite ? max(latencyMs, 0) : 0
        state.withLock { state in
            state.window.append(Call(at: time, failed: failed))
            Self.prune(&state.window, at: time)
            state.totalCalls += 1
            state.totalLatencyMs += latency
        }
    }

    /// Records one tool run.
    public func recordToolRun(failed: Bool) {
        state.withLock { state in
            state.toolRuns += 1
            if failed { state.toolFailures += 1 }
        }
    }

    /// A snapshot at `time`, combining the counters with a process sample and the workload figures
    /// other parts of Sparks own.
    ///
    /// - Parameters:
    ///   - process: This collection's reading; nil when it failed (e.g. no `/proc`), which leaves
    ///     memory figures and CPU at 0.
    ///   - previous: The reading from the previous collection; CPU % is measured between the two
    ///     and is 0 on the first collection.
    public func snapshot(
        at time: Date, process: ProcessSample?, previous: ProcessSample? = nil, runningTasks: Int = 0,
        memoryCount: Int = 0, databaseBytes: UInt64 = 0
    ) -> SelfMetricsSnapshot {
        let cpu: Double
        if let process, let previous {
            cpu = ProcessSampler.cpuPercent(from: previous, to: process)
        } else {
            cpu = 0
        }
        return state.withLock { state in
            Self.prune(&state.window, at: time)
            return SelfMetricsSnapshot(
                at: time, uptimeSeconds: max(time.timeIntervalSince(startedAt), 0),
                rssBytes: process?.rssBytes ?? 0, totalMemoryBytes: process?.totalMemoryBytes ?? 0,
                cpuPercent: cpu, llmCalls: state.window.count,
                llmErrors: state.window.count(where: \.failed), totalLLMCalls: state.totalCalls,
                toolInvocations: state.toolRuns, toolFailures: state.toolFailures,
                averageLLMLatencyMs: state.totalCalls > 0 ? state.totalLatencyMs / Double(state.totalCalls) : nil,
                runningTasks: runningTasks, memoryCount: memoryCount, databaseBytes: databaseBytes)
        }
    }

    /// Drops calls an hour old or more: a call at 10:00 stops counting at 11:00. Calls stamped
    /// after `time` (a caller's clock running ahead) are kept.
    private static func prune(_ window: inout [Call], at time: Date) {
        window.removeAll { time.timeIntervalSince($0.at) >= windowLength }
    }
}
