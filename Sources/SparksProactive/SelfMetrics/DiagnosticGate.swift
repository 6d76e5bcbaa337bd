import Foundation
import Synchronization

/// Decides whether a diagnostic task may be dispatched for a set of anomalies, so a persistent
/// problem does not spawn a task every collection.
///
/// Refuses while any diagnostic was dispatched within `cooldown` (the cooldown is shared by all
/// signatures: a different mix of anomalies minutes later is usually the same trouble), and while
/// a fix for the same signature was recorded within `fixSuppression`.
///
/// State lives in memory; at startup, replay recent `health_fix` memories with
/// `recordFix(signature:at:)` so a restart does not forget them.
public final class DiagnosticGate: Sendable {
    /// How long dispatches are held back.
    public struct Settings: Sendable, Hashable, Codable {
        /// Minimum time between two dispatches, in seconds.
        public var cooldown: TimeInterval
        /// How long a recorded fix silences its signature, in seconds.
        public var fixSuppression: TimeInterval

        public init(cooldown: TimeInterval = 900, fixSuppression: TimeInterval = 6 * 3600) {
            self.cooldown = max(cooldown, 0)
            self.fixSuppression = max(fixSuppression, 0)
        }
    }

    /// The gate's answer.
    public enum Decision: Sendable, Hashable {
        /// A diagnostic may go out.
        case dispatch
        /// Another diagnostic went out recently; the next may go at `until`.
        case coolingDown(until: Date)
        /// This signature was fixed at `fixedAt`; it stays quiet until the suppression ends.
        case recentlyFixed(fixedAt: Date)

        public var allowsDispatch: Bool { self == .dispatch }
    }

    private struct State {
        var lastDispatch: Date?
        /// Latest fix time per signature.
        var fixes: [String: Date] = [:]
    }

    public let settings: Settings
    private let state = Mutex(State())
    private let now: @Sendable () -> Date

    /// - Parameter now: The clock cooldown and suppression are measured with.
    public init(settings: Settings = Settings(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.now = now
    }

    /// What the gate would say for `signature` now, without recording anything.
    public func decision(for signature: String) -> Decision {
        let time = now()
        return state.withLock { Self.decide(signature, at: time, state: &$0, settings: settings) }
    }

    /// Asks to dispatch for `signature`; when allowed, the dispatch is recorded in the same step
    /// so two concurrent callers cannot both get `.dispatch`.
    public func tryDispatch(signature: String) -> Decision {
        let time = now()
        return state.withLock { state in
            let decision = Self.decide(signature, at: time, state: &state, settings: settings)
            if decision == .dispatch { state.lastDispatch = time }
            return decision
        }
    }

    /// Records that a diagnostic for `signature` succeeded (a `health_fix`) at `time`.
    public func recordFix(signature: String, at time: Date) {
        state.withLock { state in
            if let known = state.fixes[signature], known >= time { return }
            state.fixes[signature] = time
        }
    }

    private static func decide(_ signature: String, at time: Date, state: inout State, settings: Settings) -> Decision {
        // Forget fixes that can no longer suppress anything, so the table stays small.
        state.fixes = state.fixes.filter { time.timeIntervalSince($0.value) < settings.fixSuppression }
        if let fixedAt = state.fixes[signature] {
            return .recentlyFixed(fixedAt: fixedAt)
        }
        if let last = state.lastDispatch, time.timeIntervalSince(last) < settings.cooldown {
            return .coolingDown(until: last.addingTimeInterval(settings.cooldown))
        }
        return .dispatch
    }
}
