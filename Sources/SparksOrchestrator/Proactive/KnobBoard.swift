import Foundation
import SparksConfig
import SparksCore
import SparksProactive
import SparksStore

/// The runtime knobs in force: the defaults, what config.toml says (autonomy, scanner mode, loop
/// guard, model), then every knob set while running, which is stored so the daemon, the REPL and
/// Telegram see the same values and a restart keeps them. Reading is cheap, so the daemon reads
/// the board at each tick: a change applies without a restart.
public struct KnobBoard: Sendable {
    let store: SparksStore
    let config: SparksConfig

    public init(store: SparksStore, config: SparksConfig) {
        self.store = store
        self.config = config
    }

    /// Keys of the same table that hold loop state, not knobs (`state.mood`).
    static let statePrefix = "state."

    /// The mood the daemon last drifted to, when mood is on.
    public var mood: MoodState? {
        guard let text = ((try? store.knobOverrides()) ?? []).first(where: { $0.key == Self.statePrefix + "mood" })?.value else { return nil }
        return try? JSONDecoder().decode(MoodState.self, from: Data(text.utf8))
    }

    func saveMood(_ mood: MoodState) {
        guard let data = try? JSONEncoder().encode(mood) else { return }
        try? store.setKnob(Self.statePrefix + "mood", value: String(decoding: data, as: UTF8.self))
    }

    /// Planned conversation re-entries (session → when), kept across restarts like one-shot jobs.
    var reentries: [String: Date] {
        guard let text = ((try? store.knobOverrides()) ?? []).first(where: { $0.key == Self.statePrefix + "reentries" })?.value,
              let plans = try? JSONDecoder().decode([String: Double].self, from: Data(text.utf8)) else { return [:] }
        return plans.mapValues { Date(timeIntervalSince1970: $0) }
    }

    func saveReentries(_ plans: [String: Date]) {
        guard let data = try? JSONEncoder().encode(plans.mapValues(\.timeIntervalSince1970)) else { return }
        try? store.setKnob(Self.statePrefix + "reentries", value: String(decoding: data, as: UTF8.self))
    }

    /// The knobs from config alone.
    public var configured: RuntimeKnobs {
        var knobs = RuntimeKnobs()
        try? knobs.set("autonomy", String(config.orchestration.autonomy))
        try? knobs.set("scanner_mode", config.orchestration.scanner.mode)
        try? knobs.set("loop_guard.window", String(config.agent.loopGuard.windowSize))
        try? knobs.set("loop_guard.repeat", String(config.agent.loopGuard.repeatThreshold))
        try? knobs.set("ticket_intake", config.tickets.enabled ? "on" : "off")
        try? knobs.set("ticket_intake.interval", String(max(30, config.tickets.pollIntervalSecs)))
        return knobs
    }

    /// The knobs in force now. A stored value that no longer validates is skipped.
    public func current() -> RuntimeKnobs {
        var knobs = configured
        for (key, value) in (try? store.knobOverrides()) ?? [] where !key.hasPrefix(Self.statePrefix) {
            try? knobs.set(key, value)
        }
        return knobs
    }

    /// Validates and applies one change; `persist` stores it (the daemon and other front-ends
    /// pick it up) — without it, only the returned knobs change. Each change is a `knob_change` event.
    ///
    /// - Throws: `SparksError` (`invalid_input`) naming the knob and what it accepts.
    @discardableResult
    public func set(_ key: String, _ value: String, persist: Bool = true, by who: String) throws(SparksError)
        -> (knobs: RuntimeKnobs, change: KnobChange)
    {
        var knobs = current()
        let change: KnobChange
        do { change = try knobs.set(key, value) } catch {
            throw SparksError(.invalidInput, error.message, hint: "`sparks knobs` lists every knob and its value")
        }
        if persist {
            if change.key == RuntimeKnobs.allKey {
                // `all` is shorthand: store the switches it set, so each can still be changed alone.
                for (name, newValue) in knobs.describe() where ["all_proactive", "heartbeat", "cron", "mood", "memory_scan", "idle_musings",
                                                                "conversation_reentry", "mood_injection"].contains(name) {
                    try store.setKnob(name, value: newValue)
                }
            } else {
                try store.setKnob(change.key, value: change.new)
            }
        }
        store.emit(.knobChange, "\(change.key): \(change.old) → \(change.new) (by \(who)\(persist ? "" : ", not stored"))",
                   details: .object(["key": .string(change.key), "old": .string(change.old), "new": .string(change.new),
                                     "by": .string(who), "persisted": .bool(persist)]))
        return (knobs, change)
    }

    /// Returns a knob to its configured value.
    public func reset(_ key: String, by who: String) throws(SparksError) -> Bool {
        let name = key.lowercased()
        guard RuntimeKnobs.knownKeys.contains(name) || name.hasPrefix(RuntimeKnobs.autoApprovePrefix) else {
            throw SparksError(.invalidInput, "unknown knob \"\(key)\"", hint: "`sparks knobs` lists them")
        }
        let removed = try store.deleteKnob(name)
        if removed {
            store.emit(.knobChange, "\(name) reset to its configured value (by \(who))",
                       details: .object(["key": .string(name), "by": .string(who), "reset": .bool(true)]))
        }
        return removed
    }
}
