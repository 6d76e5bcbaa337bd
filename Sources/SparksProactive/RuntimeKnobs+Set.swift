import Foundation

extension RuntimeKnobs {
    /// The pseudo-knob that switches every proactive feature at once.
    public static let allKey = "all"
    /// Prefix of the per-spark auto-approve lists: `auto_approve.<spark>`.
    public static let autoApprovePrefix = "auto_approve."

    /// The switches `all` sets together. Ticket intake and self-development are deliberately not
    /// among them: they start work, so each must be switched on by name.
    static var allSwitches: [WritableKeyPath<RuntimeKnobs, Bool>] {
        [
            \.allProactive, \.heartbeat, \.cron, \.mood, \.memoryScan, \.idleMusings,
            \.conversationReentry, \.moodInjection,
        ]
    }

    /// Every fixed-name knob, in the order `describe()` lists them.
    static var definitions: [KnobDefinition] {
        [
            KnobDefinition(key: "all_proactive", kind: .flag(\.allProactive)),
            KnobDefinition(key: "heartbeat", kind: .flag(\.heartbeat)),
            KnobDefinition(key: "cron", kind: .flag(\.cron)),
            KnobDefinition(key: "mood", kind: .flag(\.mood)),
            KnobDefinition(key: "memory_scan", kind: .flag(\.memoryScan)),
            KnobDefinition(key: "idle_musings", kind: .flag(\.idleMusings)),
            KnobDefinition(key: "conversation_reentry", kind: .flag(\.conversationReentry)),
            KnobDefinition(key: "ticket_intake", kind: .flag(\.ticketIntake)),
            KnobDefinition(key: "mood_injection", kind: .flag(\.moodInjection)),
            KnobDefinition(key: "self_dev", kind: .flag(\.selfDev)),
            KnobDefinition(key: "spontaneity", kind: .fraction(\.spontaneity)),
            KnobDefinition(key: "tolerance", kind: .fraction(\.tolerance)),
            KnobDefinition(key: "quiet_hours", kind: .quietHours),
            KnobDefinition(key: "timezone", kind: .timeZone),
            KnobDefinition(key: "heartbeat.interval", kind: .seconds(\.heartbeatInterval, atLeast: 10)),
            KnobDefinition(key: "heartbeat.jitter", kind: .fraction(\.heartbeatJitter)),
            KnobDefinition(key: "memory_scan.interval", kind: .seconds(\.memoryScanInterval, atLeast: 60)),
            KnobDefinition(key: "idle_threshold", kind: .seconds(\.idleThreshold, atLeast: 60)),
            KnobDefinition(key: "reentry.delay", kind: .seconds(\.reentryDelay, atLeast: 60)),
            KnobDefinition(key: "reentry.jitter", kind: .fraction(\.reentryJitter)),
            KnobDefinition(key: "ticket_intake.interval", kind: .seconds(\.ticketIntakeInterval, atLeast: 30)),
            KnobDefinition(key: "pulse.max_per_hour", kind: .whole(\.pulseMaxPerHour, in: 1...60)),
            KnobDefinition(key: "autonomy", kind: .whole(\.autonomy, in: 0...4)),
            KnobDefinition(key: "loop_guard.window", kind: .whole(\.loopGuardWindow, atLeast: 2)),
            KnobDefinition(key: "loop_guard.repeat", kind: .whole(\.loopGuardRepeat, atLeast: 2)),
            KnobDefinition(key: "scanner_mode", kind: .scannerMode),
            KnobDefinition(key: "model", kind: .model),
            KnobDefinition(key: "cli_tool", kind: .cliTool),
            KnobDefinition(key: "sensitive_patterns", kind: .sensitivePatterns),
        ]
    }

    /// Every knob name `set` accepts, besides `auto_approve.<spark>`.
    public static var knownKeys: [String] {
        [allKey] + definitions.map(\.key)
    }

    /// Changes one knob from user text.
    ///
    /// Booleans take on/off, true/false, yes/no, 1/0; `all` sets every proactive switch;
    /// `model` takes a name or reset/default; list knobs (`sensitive_patterns`,
    /// `auto_approve.<spark>`) take comma-separated regexes, or none. Knob names are not
    /// case-sensitive, spark names are.
    ///
    /// - Throws: `knob_unknown` (with the closest known name) or `knob_invalid` (naming what is
    ///   accepted); the knobs are unchanged on error.
    @discardableResult
    public mutating func set(_ key: String, _ value: String) throws(KnobError) -> KnobChange {
        let trimmedKey = key.trimmingCharacters(in: .whitespaces)
        let name = trimmedKey.lowercased()

        if name == Self.allKey {
            let old = allSwitchesSummary
            let on = try KnobParse.flag(value.trimmingCharacters(in: .whitespacesAndNewlines), key: Self.allKey)
            for path in Self.allSwitches { self[keyPath: path] = on }
            return KnobChange(key: Self.allKey, old: old, new: allSwitchesSummary)
        }

        if name.hasPrefix(Self.autoApprovePrefix) {
            let spark = String(trimmedKey.dropFirst(Self.autoApprovePrefix.count))
            guard !spark.isEmpty, !spark.contains(where: \.isWhitespace) else {
                throw KnobError(
                    .invalid, key: key,
                    message: "auto_approve needs a spark name without spaces, e.g. auto_approve.coder.")
            }
            let canonical = Self.autoApprovePrefix + spark
            let old = KnobParse.render(list: autoApprove[spark] ?? [])
            let patterns = try KnobParse.patterns(value.trimmingCharacters(in: .whitespacesAndNewlines), key: canonical)
            autoApprove[spark] = patterns.isEmpty ? nil : patterns
            return KnobChange(key: canonical, old: old, new: KnobParse.render(list: patterns))
        }

        guard let definition = Self.definitions.first(where: { $0.key == name }) else {
            let suggestion = closest(to: name, among: Self.knownKeys)
            let hint = suggestion.map { " Did you mean '\($0)'?" } ?? ""
            throw KnobError(
                .unknown, key: key,
                message: "Unknown knob '\(key)'.\(hint) `sparks knobs` lists them all.",
                suggestion: suggestion)
        }
        let old = definition.render(self)
        var updated = self
        try definition.apply(value, to: &updated)
        self = updated
        return KnobChange(key: definition.key, old: old, new: definition.render(self))
    }

    /// Every knob and its current value, as `sparks knobs` and `/knobs` print them; each value is
    /// text `set` accepts back. Fixed knobs come first in a stable order, then
    /// `auto_approve.<spark>` entries sorted by spark.
    public func describe() -> [(key: String, value: String)] {
        let fixed = Self.definitions.map { (key: $0.key, value: $0.render(self)) }
        let approvals = autoApprove.keys.sorted().map { spark in
            (key: Self.autoApprovePrefix + spark, value: KnobParse.render(list: autoApprove[spark] ?? []))
        }
        return fixed + approvals
    }

    /// `on` or `off` when every switch `all` controls agrees, `mixed` otherwise.
    private var allSwitchesSummary: String {
        let values = Set(Self.allSwitches.map { self[keyPath: $0] })
        guard values.count == 1, let value = values.first else { return "mixed" }
        return value ? "on" : "off"
    }
}
