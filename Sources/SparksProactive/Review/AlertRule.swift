import Foundation

/// How urgent an alert is; ordered `info < warning < critical`.
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, warning, critical

    /// Parses a severity name, case-insensitively. `warn` is accepted as `warning`: the original
    /// stored `warn` as the default, which then never matched the engine's `warning` rank.
    ///
    /// - Throws: `ReviewError` `alert_invalid` (field `severity`) for any other word.
    public init(parsing text: String) throws(ReviewError) {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let severity = AlertSeverity(rawValue: word) {
            self = severity
        } else if word == "warn" {
            self = .warning
        } else {
            throw ReviewError(
                .alertInvalid, field: "severity", input: text,
                message: "Unknown alert severity '\(text)'. Use one of: info, warning, critical.")
        }
    }

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// Which field of an activity entry an alert rule's pattern is looked for in.
public enum AlertTarget: String, Sendable, Hashable, Codable, CaseIterable {
    case toolName = "tool_name"
    case summary
    case detail
    case toolInput = "tool_input"
    case toolOutput = "tool_output"
    case spark
    /// The entry's kind (`ActivityKind` raw value, e.g. `task_failed`).
    case eventType = "event_type"
    /// Every field above.
    case any

    /// The concrete fields, in the order `any` tries them.
    public static let fields: [AlertTarget] = [.summary, .detail, .toolName, .toolInput, .toolOutput, .spark, .eventType]

    /// Parses a target name case-insensitively, in snake or camel case (`tool_name`, `toolName`);
    /// `ghost` (the original's name for a spark) means `spark`.
    ///
    /// - Throws: `ReviewError` `alert_invalid` (field `target`) for any other word.
    public init(parsing text: String) throws(ReviewError) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "")
        if let target = Self.allCases.first(where: { $0.rawValue.replacingOccurrences(of: "_", with: "") == key }) {
            self = target
        } else if key == "ghost" {
            self = .spark
        } else {
            throw ReviewError(
                .alertInvalid, field: "target", input: text,
                message: "Unknown alert target '\(text)'. Use one of: "
                    + Self.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
    }

    /// The value of this field in `entry`; nil for `any` and for fields the entry lacks.
    public func value(in entry: ActivityEntry) -> String? {
        switch self {
        case .toolName: return entry.toolName
        case .summary: return entry.summary
        case .detail: return entry.detail
        case .toolInput: return entry.toolInput
        case .toolOutput: return entry.toolOutput
        case .spark: return entry.spark
        case .eventType: return entry.kind.rawValue
        case .any: return nil
        }
    }
}

/// A user's alert: fire when `pattern` shows up in the `target` field of a new activity entry.
public struct AlertRule: Sendable, Hashable, Codable, Identifiable, CustomStringConvertible {
    /// Longest pattern a rule accepts.
    public static let maxPatternLength = 200
    /// Seconds a rule stays quiet after firing, unless it says otherwise.
    public static let defaultSilenceSeconds = 300

    public let id: Int64
    public let name: String
    /// Looked for as a case-insensitive substring (not a regex).
    public let pattern: String
    public let target: AlertTarget
    public let severity: AlertSeverity
    public let enabled: Bool
    /// After firing, the rule does not fire again for this many seconds.
    public let silenceSeconds: Int

    /// A validated rule.
    ///
    /// - Throws: `ReviewError` `alert_invalid` naming the field: `name` when blank, `pattern` when
    ///   blank or over 200 characters, `silenceSeconds` when negative.
    public init(
        id: Int64, name: String, pattern: String, target: AlertTarget = .toolName,
        severity: AlertSeverity = .warning, enabled: Bool = true,
        silenceSeconds: Int = AlertRule.defaultSilenceSeconds
    ) throws(ReviewError) {
        try Self.validate(name: name, pattern: pattern, silenceSeconds: silenceSeconds)
        self.id = id
        self.name = name
        self.pattern = pattern
        self.target = target
        self.severity = severity
        self.enabled = enabled
        self.silenceSeconds = silenceSeconds
    }

    /// Checks the free-text fields of a rule; the enums are valid by construction.
    static func validate(name: String, pattern: String, silenceSeconds: Int) throws(ReviewError) {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ReviewError(
                .alertInvalid, field: "name", input: name, message: "An alert needs a name, e.g. build-failures.")
        }
        if pattern.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ReviewError(
                .alertInvalid, field: "pattern", input: pattern,
                message: "The alert pattern is empty. Give the text to look for, e.g. \"permission denied\".")
        }
        if pattern.count > maxPatternLength {
            throw ReviewError(
                .alertInvalid, field: "pattern", input: pattern,
                message:
                    "The alert pattern has \(pattern.count) characters; the limit is \(maxPatternLength). Use a shorter, distinctive part of the text."
            )
        }
        if silenceSeconds < 0 {
            throw ReviewError(
                .alertInvalid, field: "silenceSeconds", input: String(silenceSeconds),
                message: "The silence window is \(silenceSeconds) s; it must be 0 or more seconds.")
        }
    }

    /// This rule with `enabled` flipped (`/alerts toggle`).
    public func toggled() -> AlertRule {
        AlertRule(unchecked: self, enabled: !enabled)
    }

    private init(unchecked rule: AlertRule, enabled: Bool) {
        self.id = rule.id
        self.name = rule.name
        self.pattern = rule.pattern
        self.target = rule.target
        self.severity = rule.severity
        self.enabled = enabled
        self.silenceSeconds = rule.silenceSeconds
    }

    /// Whether `pattern` occurs, ignoring case, in the `target` field of `entry` (any field for
    /// `.any`). Ignores `enabled`: that is the engine's business.
    public func matches(_ entry: ActivityEntry) -> Bool {
        matchedField(in: entry) != nil
    }

    /// The field `pattern` was found in: `target` itself, or for `.any` the first field in
    /// `AlertTarget.fields` order that contains it; nil when there is no match.
    public func matchedField(in entry: ActivityEntry) -> AlertTarget? {
        let candidates = target == .any ? AlertTarget.fields : [target]
        return candidates.first { field in
            guard let value = field.value(in: entry) else { return false }
            return value.range(of: pattern, options: .caseInsensitive) != nil
        }
    }

    /// `#3 build-failures [on] tool_output ~ "error" (warning, silence 300s)`, for `/alerts list`.
    public var description: String {
        "#\(id) \(name) [\(enabled ? "on" : "off")] \(target.rawValue) ~ \"\(pattern)\" (\(severity.rawValue), silence \(silenceSeconds)s)"
    }

    // Target and severity are decoded through the lenient parsers, so stored legacy values
    // (`warn`, `ghost`) still load; the text fields are validated like the initialiser's.
    private enum CodingKeys: String, CodingKey {
        case id, name, pattern, target, severity, enabled
        case silenceSeconds = "silence_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                id: container.decode(Int64.self, forKey: .id),
                name: container.decode(String.self, forKey: .name),
                pattern: container.decode(String.self, forKey: .pattern),
                target: AlertTarget(parsing: container.decodeIfPresent(String.self, forKey: .target) ?? "tool_name"),
                severity: AlertSeverity(parsing: container.decodeIfPresent(String.self, forKey: .severity) ?? "warning"),
                enabled: container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true,
                silenceSeconds: container.decodeIfPresent(Int.self, forKey: .silenceSeconds) ?? Self.defaultSilenceSeconds)
        } catch let error as ReviewError {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message, underlyingError: error))
        }
    }
}
