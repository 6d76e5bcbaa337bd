import SparksCore

/// Spots a spark that is going round in circles, after OpenHands' `StuckDetector`: the same call
/// failing the same way again and again, the same call and result repeating, or two calls
/// alternating without progress.
public struct StuckDetector: Sendable {
    public struct Thresholds: Sendable {
        public var repeatedError = 3
        public var repeatedAction = 4
        public var alternatingCycles = 3

        public init() {}
    }

    private struct Record: Sendable, Equatable {
        var fingerprint: String
        var observation: String
        var failed: Bool
    }

    public let thresholds: Thresholds
    private var history: [Record] = []

    public init(thresholds: Thresholds = Thresholds()) {
        self.thresholds = thresholds
    }

    /// Records a finished call; returns why the spark is stuck, if it is.
    public mutating func record(tool: String, arguments: String, observation: String, failed: Bool) -> (ReasonCode, String)? {
        history.append(Record(fingerprint: LoopGuard.fingerprint(tool: tool, arguments: arguments),
                              observation: String(observation.prefix(2000)), failed: failed))
        if history.count > 20 { history.removeFirst(history.count - 20) }

        let errorRun = trailing(thresholds.repeatedError)
        if errorRun.count == thresholds.repeatedError, errorRun.allSatisfy({ $0.failed }),
           Set(errorRun.map(\.fingerprint)).count == 1
        {
            return (.stuckRepeatedError, "`\(tool)` failed \(thresholds.repeatedError) times in a row with the same arguments")
        }
        let actionRun = trailing(thresholds.repeatedAction)
        if actionRun.count == thresholds.repeatedAction, Set(actionRun.map(\.fingerprint)).count == 1,
           Set(actionRun.map(\.observation)).count == 1
        {
            return (.stuckNoProgress, "`\(tool)` returned the same result \(thresholds.repeatedAction) times in a row")
        }
        let span = trailing(thresholds.alternatingCycles * 2)
        if span.count == thresholds.alternatingCycles * 2 {
            let even = Set(stride(from: 0, to: span.count, by: 2).map { span[$0].fingerprint })
            let odd = Set(stride(from: 1, to: span.count, by: 2).map { span[$0].fingerprint })
            if even.count == 1, odd.count == 1, even != odd {
                return (.stuckAlternating, "the last \(span.count) calls alternate between the same two actions")
            }
        }
        return nil
    }

    private func trailing(_ count: Int) -> [Record] {
        Array(history.suffix(count))
    }
}
