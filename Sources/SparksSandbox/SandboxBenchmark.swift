import Foundation
import SparksCore

/// Measures what the sandbox costs per command, against a plain spawn of the same command in the
/// same run, so the numbers compare on a noisy machine.
public struct SandboxBenchmark: Sendable {
    public struct Series: Sendable, Codable {
        public var name: String
        public var runs: Int
        public var medianMs: Double
        public var p95Ms: Double
        /// Median minus the plain spawn's median.
        public var addedMedianMs: Double
        public var addedP95Ms: Double
    }

    public init() {}

    /// `runs` timings of `body`, in milliseconds.
    static func time(runs: Int, _ body: () async throws(SparksError) -> Void) async throws(SparksError) -> [Double] {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try await body()
            let elapsed = start.duration(to: .now)
            samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return samples.sorted()
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
        return sorted[index]
    }

    /// Plain spawn, then each sandbox variant, each running `/bin/true` `runs` times in `workdir`.
    public func run(runs: Int, workdir: String, variants: [(String, @Sendable () async throws(SparksError) -> Void)])
        async throws(SparksError) -> [Series]
    {
        let limits = SandboxLimits(timeoutSecs: 30)
        let plain = try await Self.time(runs: runs) { () async throws(SparksError) in
            _ = try await ProcessRunner().run(ProcessRunner.Spec(executable: "/bin/true", arguments: [], environment: [:],
                                                                 workingDirectory: workdir, stdin: nil, limits: limits))
        }
        let baseMedian = Self.percentile(plain, 0.5)
        let baseP95 = Self.percentile(plain, 0.95)
        var series = [Series(name: "plain spawn", runs: runs, medianMs: baseMedian, p95Ms: baseP95, addedMedianMs: 0, addedP95Ms: 0)]
        for (name, body) in variants {
            let samples = try await Self.time(runs: runs, body)
            let median = Self.percentile(samples, 0.5)
            let p95 = Self.percentile(samples, 0.95)
            series.append(Series(name: name, runs: runs, medianMs: median, p95Ms: p95, addedMedianMs: median - baseMedian,
                                 addedP95Ms: p95 - baseP95))
        }
        return series
    }
}
