import SparksCore

/// Refuses a tool call that repeats an identical earlier call (same tool, same arguments after
/// canonicalising the JSON) within a recent window. A call that changed files clears the window:
/// re-reading a file or re-running a check after an edit is progress, not a loop (the original
/// blocked those too).
public struct LoopGuard: Sendable {
    public typealias Settings = LoopGuardSettings

    public let settings: Settings
    private var window: [String] = []
    /// How many calls the guard has refused in this task.
    public private(set) var refusals = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Tool name plus canonical JSON of the arguments, so key order and spacing do not matter.
    public static func fingerprint(tool: String, arguments: String) -> String {
        let canonical = JSONValue.parse(arguments)?.canonicalText
            ?? arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        return tool + "\u{1F}" + canonical
    }

    /// Records a call; returns the refusal text when it repeats too often.
    public mutating func check(tool: String, arguments: String) -> String? {
        guard settings.enabled else { return nil }
        let fingerprint = Self.fingerprint(tool: tool, arguments: arguments)
        let earlier = window.filter { $0 == fingerprint }.count
        window.append(fingerprint)
        if window.count > settings.windowSize { window.removeFirst(window.count - settings.windowSize) }
        guard earlier + 1 >= settings.repeatThreshold else { return nil }
        refusals += 1
        return "\(ReasonCode.loopGuardTriggered.marker) Loop guard blocked repeated tool call `\(tool)` with the same "
            + "arguments (\(earlier + 1) times in the last \(settings.windowSize) calls, nothing changed in between). "
            + "Its result would be the same as before. Change the arguments or use a different tool; "
            + "if the task is done, give your final answer."
    }

    /// Whether `check` would refuse this call, without recording it.
    public func wouldRefuse(tool: String, arguments: String) -> Bool {
        guard settings.enabled else { return false }
        let fingerprint = Self.fingerprint(tool: tool, arguments: arguments)
        return window.filter { $0 == fingerprint }.count + 1 >= settings.repeatThreshold
    }

    /// Files changed: earlier results may no longer hold, so earlier calls may be repeated.
    public mutating func stateChanged() {
        window.removeAll()
    }
}
