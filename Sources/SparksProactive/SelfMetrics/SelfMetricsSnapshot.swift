import Foundation

/// Sparks' view of its own health at one moment: process resources, LLM and tool reliability,
/// and workload. Stored after each collection, fed to anomaly detection and shown in prompts.
public struct SelfMetricsSnapshot: Sendable, Hashable, Codable {
    /// When the snapshot was taken.
    public var at: Date
    /// Seconds since the process started.
    public var uptimeSeconds: Double
    /// Resident set size; 0 when the process sample was unavailable.
    public var rssBytes: UInt64
    /// Physical memory of the machine; 0 when the process sample was unavailable.
    public var totalMemoryBytes: UInt64
    /// CPU use since the previous sample, in percent of one core.
    public var cpuPercent: Double
    /// LLM calls in the last hour.
    public var llmCalls: Int
    /// Failed LLM calls in the last hour.
    public var llmErrors: Int
    /// `llmErrors ÷ llmCalls`; 0 when there were no calls.
    public var errorRate: Double
    /// LLM calls since start; the number of calls `averageLLMLatencyMs` is averaged over.
    public var totalLLMCalls: Int
    /// Tool runs since start.
    public var toolInvocations: Int
    /// Failed tool runs since start.
    public var toolFailures: Int
    /// `toolFailures ÷ toolInvocations`; 0 when no tool has run.
    public var toolFailureRate: Double
    /// Mean latency of every LLM call since start; nil when there has been none.
    public var averageLLMLatencyMs: Double?
    /// Autonomous tasks running now.
    public var runningTasks: Int
    /// Memories stored.
    public var memoryCount: Int
    /// Size of the database file.
    public var databaseBytes: UInt64

    /// The rates are derived from the counts so they can never disagree with them.
    public init(
        at: Date, uptimeSeconds: Double, rssBytes: UInt64 = 0, totalMemoryBytes: UInt64 = 0,
        cpuPercent: Double = 0, llmCalls: Int = 0, llmErrors: Int = 0, totalLLMCalls: Int? = nil,
        toolInvocations: Int = 0, toolFailures: Int = 0, averageLLMLatencyMs: Double? = nil,
        runningTasks: Int = 0, memoryCount: Int = 0, databaseBytes: UInt64 = 0
    ) {
        self.at = at
        self.uptimeSeconds = uptimeSeconds
        self.rssBytes = rssBytes
        self.totalMemoryBytes = totalMemoryBytes
        self.cpuPercent = cpuPercent
        self.llmCalls = llmCalls
        self.llmErrors = llmErrors
        self.errorRate = Self.rate(llmErrors, of: llmCalls)
        self.totalLLMCalls = totalLLMCalls ?? llmCalls
        self.toolInvocations = toolInvocations
        self.toolFailures = toolFailures
        self.toolFailureRate = Self.rate(toolFailures, of: toolInvocations)
        self.averageLLMLatencyMs = averageLLMLatencyMs
        self.runningTasks = runningTasks
        self.memoryCount = memoryCount
        self.databaseBytes = databaseBytes
    }

    /// One line for logs and prompts, e.g.
    /// `rss 85.2 MiB · cpu 3.1% · llm errors 0/12 (0%) · tool failures 1/40 (2.5%) · llm latency 812 ms · running 1`.
    public var summary: String {
        let mebibytes = Double(rssBytes) / 1_048_576
        let latency = averageLLMLatencyMs.map { "\(Int($0.rounded())) ms" } ?? "n/a"
        return [
            "rss \(Self.oneDecimal(mebibytes)) MiB",
            "cpu \(Self.oneDecimal(cpuPercent))%",
            "llm errors \(llmErrors)/\(llmCalls) (\(Self.percent(errorRate)))",
            "tool failures \(toolFailures)/\(toolInvocations) (\(Self.percent(toolFailureRate)))",
            "llm latency \(latency)",
            "running \(runningTasks)",
        ].joined(separator: " · ")
    }

    static func rate(_ part: Int, of whole: Int) -> Double {
        whole > 0 ? Double(part) / Double(whole) : 0
    }

    /// A fraction as a percentage with at most one decimal: 0.025 → "2.5%", 0 → "0%".
    static func percent(_ fraction: Double) -> String {
        let text = oneDecimal(fraction * 100)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + "%"
    }

    /// Fixed one-decimal rendering; `String(format:)` without a locale always uses a `.` separator.
    static func oneDecimal(_ value: Double) -> String {
        String(format: "%.1f", value.isFinite ? value : 0)
    }
}
