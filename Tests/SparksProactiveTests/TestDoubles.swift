import Foundation
import Synchronization
import Testing

@testable import SparksProactive

/// Hands out fixed values in order and records an issue if a test draws more than it planned,
/// so tests also pin down how many rolls each operation makes.
final class ScriptedRandom: Sendable {
    private let state: Mutex<(values: [Double], drawn: Int)>

    init(_ values: [Double]) {
        state = Mutex((values, 0))
    }

    var source: UnitRandom {
        UnitRandom { [self] in
            state.withLock { state in
                guard state.drawn < state.values.count else {
                    Issue.record("random drawn more than the \(state.values.count) scripted values")
                    return 0
                }
                defer { state.drawn += 1 }
                return state.values[state.drawn]
            }
        }
    }

    var drawn: Int { state.withLock { $0.drawn } }
}

/// A clock tests move by hand.
final class FakeClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    var now: @Sendable () -> Date {
        { [self] in current.withLock { $0 } }
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A UTC instant from its parts.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

func zone(_ identifier: String) -> TimeZone {
    TimeZone(identifier: identifier)!
}

/// A random source that always returns `value`.
func constant(_ value: Double) -> UnitRandom {
    UnitRandom { value }
}

/// The largest value a `UnitRandom` can return.
let almostOne = Double(1).nextDown
