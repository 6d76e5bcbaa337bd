import Foundation

/// How far a session review goes into detail (`/review [summary|standard|detailed]`).
public enum ReviewLevel: String, Sendable, Hashable, Codable, CaseIterable {
    /// Counts only: events per kind, sparks, task outcomes, tool failures, time span.
    case summary
    /// The summary plus one line per chat turn, routing decision, task and pulse.
    case standard
    /// Everything, with tool runs as a tree under their task and their input and output.
    case detailed
}

/// The markup a review is rendered in.
public enum ReviewFormat: Sendable, Hashable {
    /// Plain text (CLI, logs).
    case plain
    /// Telegram's HTML parse mode: headings in `<b>`, and `<`, `>`, `&` in all logged text escaped,
    /// since Telegram rejects a whole message over one stray `<`.
    case telegramHTML

    /// `text` made safe to embed in this format (unchanged for `.plain`).
    public func escape(_ text: String) -> String {
        switch self {
        case .plain: return text
        case .telegramHTML: return Self.escapeHTML(text)
        }
    }

    /// `text` with `&`, `<` and `>` replaced by entities — the three Telegram's HTML mode requires.
    public static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A heading: bold in HTML, as is in plain text. `text` is escaped.
    func heading(_ text: String) -> String {
        switch self {
        case .plain: return text
        case .telegramHTML: return "<b>\(Self.escapeHTML(text))</b>"
        }
    }
}

/// Deterministic text for times, durations and one-line excerpts (no locale, no formatter state).
enum ReviewText {
    /// `HH:mm:ss` of `date` in `timeZone`.
    static func clock(_ date: Date, in timeZone: TimeZone) -> String {
        let parts = components(date, timeZone)
        return "\(pad(parts.hour ?? 0)):\(pad(parts.minute ?? 0)):\(pad(parts.second ?? 0))"
    }

    /// `yyyy-MM-dd` of `date` in `timeZone`.
    static func day(_ date: Date, in timeZone: TimeZone) -> String {
        let parts = components(date, timeZone)
        return "\(parts.year ?? 0)-\(pad(parts.month ?? 0))-\(pad(parts.day ?? 0))"
    }

    /// `yyyy-MM-dd HH:mm:ss` of `date` in `timeZone`.
    static func dateTime(_ date: Date, in timeZone: TimeZone) -> String {
        "\(day(date, in: timeZone)) \(clock(date, in: timeZone))"
    }

    /// A span in seconds as `45s`, `5m 30s` or `2h 05m`.
    static func span(seconds: Int) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(pad(seconds % 60))s" }
        return "\(seconds / 3600)h \(pad(seconds % 3600 / 60))m"
    }

    /// A run time in milliseconds as `120ms`, `1.2s` or `2m 05s`.
    static func duration(ms: Int) -> String {
        if ms < 1000 { return "\(max(0, ms))ms" }
        if ms < 60_000 { return "\(ms / 1000).\(ms % 1000 / 100)s" }
        return span(seconds: ms / 1000)
    }

    /// `text` on one line (runs of whitespace, newlines included, become one space), cut to `limit`
    /// characters with `…`.
    static func oneLine(_ text: String, limit: Int = 200) -> String {
        let flat = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        guard flat.count > limit else { return flat }
        return String(flat.prefix(limit)) + "…"
    }

    private static func components(_ date: Date, _ timeZone: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    private static func pad(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
