import Foundation
import Synchronization

/// An alert rule that fired on a new activity entry.
public struct AlertFiring: Sendable, Hashable {
    public let rule: AlertRule
    /// The oldest new entry that matched.
    public let entry: ActivityEntry
    /// The field the pattern was found in (never `.any`).
    public let field: AlertTarget
    /// How many new entries matched; one firing stands for all of them.
    public let matchCount: Int
    public let firedAt: Date
    /// One line for the log, the webhook's `message` and the chat, e.g.
    /// `Alert 'build-failures' (warning): "error" in tool_output of tool_run shell: error[E0308]: … (+1 more)`.
    public let message: String
}

/// When each rule last fired, which is all the state the silence window needs.
///
/// A value, so the caller may persist it across restarts or keep it in memory.
public struct AlertSilences: Sendable, Hashable, Codable {
    /// Rule id → time of its last firing.
    public private(set) var lastFired: [Int64: Date]

    public init(lastFired: [Int64: Date] = [:]) {
        self.lastFired = lastFired
    }

    /// Whether `rule` fired less than `silenceSeconds` before `now`. The window is half-open:
    /// at exactly `lastFired + silenceSeconds` the rule may fire again.
    public func isSilenced(_ rule: AlertRule, at now: Date) -> Bool {
        guard let last = lastFired[rule.id] else { return false }
        return now < last.addingTimeInterval(TimeInterval(rule.silenceSeconds))
    }

    public mutating func recordFiring(ruleID: Int64, at date: Date) {
        lastFired[ruleID] = date
    }

    /// Drops the state of a removed or re-enabled rule, so it may fire at once.
    public mutating func forget(ruleID: Int64) {
        lastFired[ruleID] = nil
    }
}

/// Decides which alert rules fire on newly logged activity.
///
/// The original engine looked for every rule's pattern in *all* fields of an entry and ignored the
/// rule's target (only `/watch` honoured it), so a rule on `tool_name` "git" also fired on any chat
/// message mentioning git, which surprised users. Here the target is honoured everywhere: a rule
/// fires only when `AlertRule.matches` says so.
///
/// The silence state sits behind a `Mutex`, so the periodic check and `/alerts remove|toggle`
/// (which call `forget`) may share one engine. Time is always passed in; the engine reads no clock.
public final class AlertEngine: Sendable {
    private let silences: Mutex<AlertSilences>

    public init(silences: AlertSilences = AlertSilences()) {
        self.silences = Mutex(silences)
    }

    /// A copy of the current silence state, e.g. to persist it.
    public var currentSilences: AlertSilences {
        silences.withLock { $0 }
    }

    /// Lets rule `ruleID` fire again without waiting out its silence window.
    public func forget(ruleID: Int64) {
        silences.withLock { $0.forget(ruleID: ruleID) }
    }

    /// The alerts that fire at `now` on the entries logged strictly after `since` (the previous
    /// check), recording each firing so the rule stays silent for its window.
    ///
    /// See `evaluate(rules:entries:since:now:minSeverity:silences:)` for the rules applied.
    public func evaluate(
        rules: [AlertRule], entries: [ActivityEntry], since: Date, now: Date, minSeverity: AlertSeverity = .info
    ) -> [AlertFiring] {
        silences.withLock { state in
            Self.evaluate(rules: rules, entries: entries, since: since, now: now, minSeverity: minSeverity, silences: &state)
        }
    }

    /// The pure form of `evaluate`: the state is passed in and updated.
    ///
    /// A rule fires when it is enabled, its severity is at least `minSeverity`, it is not inside its
    /// silence window at `now`, and it matches at least one entry with `at > since`. Each rule fires
    /// at most once per evaluation, on the oldest matching entry; `matchCount` tells how many
    /// matched. Firings come in the order of `rules`.
    public static func evaluate(
        rules: [AlertRule], entries: [ActivityEntry], since: Date, now: Date, minSeverity: AlertSeverity,
        silences: inout AlertSilences
    ) -> [AlertFiring] {
        let fresh = entries.filter { $0.at > since }.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
        guard !fresh.isEmpty else { return [] }
        var firings: [AlertFiring] = []
        for rule in rules where rule.enabled && rule.severity >= minSeverity && !silences.isSilenced(rule, at: now) {
            var first: (entry: ActivityEntry, field: AlertTarget)?
            var count = 0
            for entry in fresh {
                guard let field = rule.matchedField(in: entry) else { continue }
                count += 1
                if first == nil { first = (entry, field) }
            }
            guard let (entry, field) = first else { continue }
            silences.recordFiring(ruleID: rule.id, at: now)
            firings.append(
                AlertFiring(
                    rule: rule, entry: entry, field: field, matchCount: count, firedAt: now,
                    message: message(rule: rule, entry: entry, field: field, count: count)))
        }
        return firings
    }

    /// Longest excerpt of the matched field a message quotes.
    static let excerptLimit = 120

    private static func message(rule: AlertRule, entry: ActivityEntry, field: AlertTarget, count: Int) -> String {
        var source = entry.kind.rawValue
        if let tool = entry.toolName, !tool.isEmpty { source += " \(tool)" }
        if let spark = entry.spark, !spark.isEmpty { source += " [\(spark)]" }
        var text =
            "Alert '\(rule.name)' (\(rule.severity.rawValue)): \"\(rule.pattern)\" in \(field.rawValue) of \(source): "
            + excerpt(field.value(in: entry) ?? "", around: rule.pattern)
        if count > 1 { text += " (+\(count - 1) more)" }
        return text
    }

    /// The field on one line, cut to `excerptLimit` characters around the first match.
    static func excerpt(_ value: String, around pattern: String) -> String {
        let flat = ReviewText.oneLine(value, limit: .max)
        guard flat.count > excerptLimit else { return flat }
        var start = flat.startIndex
        if let match = flat.range(of: pattern, options: .caseInsensitive) {
            // Keep some text before the match for context.
            start = flat.index(match.lowerBound, offsetBy: -(excerptLimit / 3), limitedBy: flat.startIndex) ?? flat.startIndex
        }
        // Near the end, slide the window back so it stays full.
        let latestStart = flat.index(flat.endIndex, offsetBy: -excerptLimit)
        if start > latestStart { start = latestStart }
        let end = flat.index(start, offsetBy: excerptLimit)
        return (start > flat.startIndex ? "…" : "") + flat[start..<end] + (end < flat.endIndex ? "…" : "")
    }
}
