import Foundation

/// A source of uniform random numbers in `0..<1`, passed in wherever proactive behaviour rolls
/// dice (pulse tolerance, heartbeat sampling, mood drift, re-entry timing) so tests can fix the
/// rolls.
public struct UnitRandom: Sendable {
    private let draw: @Sendable () -> Double

    /// Wraps a closure returning values in `0..<1`. Values outside that range are clamped into
    /// it, so a careless source cannot push an index or a probability out of bounds.
    public init(_ draw: @escaping @Sendable () -> Double) {
        self.draw = draw
    }

    /// The system's cryptographically secure generator.
    public static var system: UnitRandom {
        UnitRandom { Double.random(in: 0..<1) }
    }

    /// The next value, in `0..<1`.
    public func next() -> Double {
        let value = draw()
        guard value.isFinite, value > 0 else { return 0 }
        return value < 1 ? value : 1.0.nextDown
    }

    /// A value uniformly drawn from `range` (one draw).
    public func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + next() * (range.upperBound - range.lowerBound)
    }

    /// An index in `0..<count` (one draw); `count` must be positive.
    public func index(below count: Int) -> Int {
        precondition(count > 0, "index(below:) needs a positive count")
        return min(Int(next() * Double(count)), count - 1)
    }
}
