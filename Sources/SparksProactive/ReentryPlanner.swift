import Foundation

/// Timing for unprompted follow-ups: when to come back to a conversation, whether to plan a
/// re-entry at all, and when the user has been idle long enough for idle musings.
public enum ReentryPlanner {
    /// Chance of planning a re-entry at spontaneity 1; scaled down linearly with spontaneity.
    public static let baseChance = 0.3
    /// Conversations shorter than this (user + assistant turns) are not worth coming back to.
    public static let minimumTurns = 2

    /// When to re-enter: `delay` seconds after `now`, spread uniformly by ±`jitter`·`delay` so
    /// re-entries do not land on a predictable beat. `jitter` is clamped to 0–1 (so the result
    /// is never before `now`) and a negative `delay` counts as 0. One draw.
    public static func due(after now: Date, delay: Double, jitter: Double, random: UnitRandom) -> Date {
        let base = max(delay.isFinite ? delay : 0, 0)
        let spread = min(max(jitter.isFinite ? jitter : 0, 0), 1) * base
        return now.addingTimeInterval(base + random.uniform(-spread...spread))
    }

    /// Whether to plan a re-entry after a conversation of `turns` turns: never below
    /// `minimumTurns`, otherwise with probability `baseChance`·`spontaneity` (spontaneity
    /// clamped to 0–1). Draws only when the conversation is long enough.
    public static func shouldPlan(turns: Int, spontaneity: Double, random: UnitRandom) -> Bool {
        guard turns >= minimumTurns else { return false }
        let chance = baseChance * min(max(spontaneity.isFinite ? spontaneity : 0, 0), 1)
        return random.next() < chance
    }

    /// Whether the user has been idle for at least `threshold` seconds since `lastActivity`.
    public static func isIdle(since lastActivity: Date, now: Date, threshold: Double) -> Bool {
        now.timeIntervalSince(lastActivity) >= threshold
    }
}
