import Foundation
import Synchronization

/// Decides which pulses reach the user, so proactive features stay welcome: silent pulses never
/// do, urgent ones always do, and the rest respect quiet hours, the user's tolerance for small
/// talk and an hourly budget.
///
/// Checks, in order: silent → drop; high → deliver; quiet hours → drop low and medium; low →
/// deliver with probability `tolerance`; then at most `maxPerHour` deliveries in any sliding hour.
/// Urgent deliveries spend the budget too but are never refused by it.
public final class PulseGate: Sendable {
    /// How tolerant the user is of unprompted messages.
    public struct Settings: Sendable, Hashable {
        public var quietHours: QuietHours
        /// The zone quiet hours are read in.
        public var timeZone: TimeZone
        /// Chance (0–1) that a low-urgency pulse is delivered.
        public var tolerance: Double
        /// Deliveries allowed in any sliding hour before low and medium pulses are dropped.
        public var maxPerHour: Int

        /// Out-of-range `tolerance` is clamped to 0–1 and `maxPerHour` raised to at least 1, since
        /// knobs validate these before they get here.
        public init(
            quietHours: QuietHours = .off, timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current,
            tolerance: Double = 0.5, maxPerHour: Int = 4
        ) {
            self.quietHours = quietHours
            self.timeZone = timeZone
            self.tolerance = tolerance.isFinite ? min(max(tolerance, 0), 1) : 0.5
            self.maxPerHour = max(maxPerHour, 1)
        }

        /// Settings with the time zone given by IANA name.
        ///
        /// - Throws: `ProactiveError` (`time_zone_unknown`) for a name Foundation does not know.
        public init(
            quietHours: QuietHours, timeZoneIdentifier: String, tolerance: Double = 0.5,
            maxPerHour: Int = 4
        ) throws(ProactiveError) {
            self.init(
                quietHours: quietHours, timeZone: try ProactiveTimeZone.resolve(timeZoneIdentifier),
                tolerance: tolerance, maxPerHour: maxPerHour)
        }

        /// The gate settings the runtime knobs describe.
        public init(knobs: RuntimeKnobs) {
            self.init(
                quietHours: knobs.quietHours, timeZone: knobs.timeZone, tolerance: knobs.tolerance,
                maxPerHour: knobs.pulseMaxPerHour)
        }
    }

    private struct State {
        var settings: Settings
        /// Delivery times inside the current sliding hour, oldest first.
        var window: [Date] = []
        var history: [DeliveredPulse] = []
    }

    /// Length of the rate-limit window.
    public static let windowLength: TimeInterval = 3600

    private let state: Mutex<State>
    private let now: @Sendable () -> Date
    private let random: UnitRandom
    private let historyLimit: Int

    /// - Parameters:
    ///   - now: The clock; deliveries are stamped and the sliding hour measured with it.
    ///   - random: Rolls the tolerance dice for low pulses.
    ///   - historyLimit: How many delivered pulses `recentDeliveries` keeps.
    public init(
        settings: Settings, now: @escaping @Sendable () -> Date = { Date() },
        random: UnitRandom = .system, historyLimit: Int = 100
    ) {
        self.state = Mutex(State(settings: settings))
        self.now = now
        self.random = random
        self.historyLimit = max(historyLimit, 0)
    }

    /// The settings in force.
    public var settings: Settings {
        state.withLock { $0.settings }
    }

    /// Applies new settings (e.g. after `/knobs tolerance 0.8`); the delivery window is kept so a
    /// change cannot reset the hourly budget.
    public func update(_ settings: Settings) {
        state.withLock { $0.settings = settings }
    }

    /// Delivered pulses, oldest first, at most `historyLimit` of them.
    public var recentDeliveries: [DeliveredPulse] {
        state.withLock { $0.history }
    }

    /// Deliveries counted against the budget right now.
    public var deliveriesInLastHour: Int {
        let time = now()
        return state.withLock { state in
            Self.prune(&state.window, at: time)
            return state.window.count
        }
    }

    /// Decides whether `pulse` reaches the user now, and records it when it does.
    public func decide(_ pulse: Pulse) -> PulseDecision {
        let time = now()
        return state.withLock { state in
            Self.prune(&state.window, at: time)
            let settings = state.settings
            switch pulse.urgency {
            case .silent:
                return PulseDecision(delivered: false, reason: .silent)
            case .high:
                return Self.deliver(pulse, reason: .urgent, at: time, state: &state, limit: historyLimit)
            case .low, .medium:
                if settings.quietHours.contains(time, in: settings.timeZone) {
                    return PulseDecision(delivered: false, reason: .quietHours)
                }
                if pulse.urgency == .low, random.next() >= settings.tolerance {
                    return PulseDecision(delivered: false, reason: .tolerance)
                }
                if state.window.count >= settings.maxPerHour {
                    return PulseDecision(delivered: false, reason: .rateLimited)
                }
                return Self.deliver(pulse, reason: .delivered, at: time, state: &state, limit: historyLimit)
            }
        }
    }

    private static func deliver(
        _ pulse: Pulse, reason: PulseDecision.Reason, at time: Date, state: inout State, limit: Int
    ) -> PulseDecision {
        state.window.append(time)
        state.history.append(DeliveredPulse(pulse: pulse, deliveredAt: time, reason: reason))
        if state.history.count > limit {
            state.history.removeFirst(state.history.count - limit)
        }
        return PulseDecision(delivered: true, reason: reason)
    }

    /// Drops deliveries an hour old or more: a delivery at 10:00 stops counting at 11:00.
    private static func prune(_ window: inout [Date], at time: Date) {
        window.removeAll { time.timeIntervalSince($0) >= windowLength }
    }
}
