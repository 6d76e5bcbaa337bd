import Foundation

/// The switches and dials users turn at run time (`sparks knobs`, `/knobs`): which proactive
/// features run, how often, how chatty the assistant may be, and a few agent settings.
///
/// Values are only changed through `set(_:_:)` (or decoding), which validates them, so a
/// `RuntimeKnobs` value is always usable as is.
public struct RuntimeKnobs: Sendable, Hashable {
    /// How the prompt-injection scanner treats a hit.
    public enum ScannerMode: String, Sendable, Hashable, Codable, CaseIterable {
        case block
        case flagOnly = "flag_only"
    }

    /// The coding-agent CLI delegated to for code work.
    public enum CLITool: String, Sendable, Hashable, Codable, CaseIterable {
        case claudeCode = "claude_code"
        case codex
        case opencode
    }

    // Feature switches.
    public internal(set) var allProactive = false
    public internal(set) var heartbeat = false
    public internal(set) var cron = true
    public internal(set) var mood = false
    public internal(set) var memoryScan = false
    public internal(set) var idleMusings = false
    public internal(set) var conversationReentry = false
    public internal(set) var ticketIntake = false
    public internal(set) var moodInjection = false
    public internal(set) var selfDev = false

    /// How readily the assistant starts things on its own (re-entries), 0–1.
    public internal(set) var spontaneity = 0.5
    /// Chance a low-urgency pulse is delivered, 0–1.
    public internal(set) var tolerance = 0.5
    public internal(set) var quietHours = Self.defaultQuietHours
    /// IANA name of the zone quiet hours and mood are read in; always resolvable.
    public internal(set) var timeZoneIdentifier = "UTC"

    /// Seconds between heartbeats (at least 10).
    public internal(set) var heartbeatInterval = 1800
    /// Heartbeat spread as a share of the interval, 0–1.
    public internal(set) var heartbeatJitter = 0.2
    /// Seconds between memory scans (at least 60).
    public internal(set) var memoryScanInterval = 3600
    /// Seconds without activity before idle musings may start (at least 60).
    public internal(set) var idleThreshold = 1800
    /// Seconds after a conversation before re-entering it (at least 60).
    public internal(set) var reentryDelay = 7200
    /// Re-entry spread as a share of the delay, 0–1.
    public internal(set) var reentryJitter = 0.7
    /// Seconds between ticket-intake polls (at least 30).
    public internal(set) var ticketIntakeInterval = 300
    /// Pulses delivered per sliding hour, 1–60.
    public internal(set) var pulseMaxPerHour = 4

    /// Autonomy level 0 (ask for everything) – 4 (fully autonomous).
    public internal(set) var autonomy = 3
    /// Tool calls the loop guard looks back over (at least 2).
    public internal(set) var loopGuardWindow = 12
    /// Identical calls in the window that count as a loop (at least 2).
    public internal(set) var loopGuardRepeat = 2
    public internal(set) var scannerMode = ScannerMode.block
    /// Model override; nil means the configured default.
    public internal(set) var model: String?
    public internal(set) var cliTool = CLITool.claudeCode

    /// Per spark: regex patterns of tool calls approved without asking.
    public internal(set) var autoApprove: [String: [String]] = [:]
    /// Regex patterns whose matches are treated as sensitive.
    public internal(set) var sensitivePatterns: [String] = []

    /// The defaults.
    public init() {}

    /// The zone named by `timeZoneIdentifier`.
    public var timeZone: TimeZone {
        // The identifier was validated when set; UTC only guards against a platform change.
        TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }

    // "22-8" always parses; building it directly keeps a throwing call out of a property default.
    private static var defaultQuietHours: QuietHours {
        (try? QuietHours(start: 22, end: 8)) ?? .off
    }
}
