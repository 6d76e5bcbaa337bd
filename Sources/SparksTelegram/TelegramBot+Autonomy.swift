import Foundation
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksProactive
import SparksStore

/// The bot's share of autonomous work: runtime knobs, mood, session review, explanations, the
/// activity watch, search, alert rules, and pulses forwarded to the allowlisted users.
extension TelegramBot {
    static let autonomyHelp = """
        /knobs — runtime knobs   /set KEY VALUE — change one   /mood — the mood (when on)
        /review [summary|standard|detailed] [hours] — this chat's activity   /explain ID — why a task went as it did
        /watch [secs] — follow the activity live   /search TEXT — find it in the activity log
        /alerts [list|add NAME PATTERN [target] [severity]|remove ID|toggle ID]   /plan — a planning interview
        """

    /// The reply to one of these commands, or nil when `name` is not one of them.
    func autonomyCommand(_ name: String, argument: String, chat: Int64, orchestrator: Orchestrator) async -> String? {
        let store = orchestrator.store
        let board = KnobBoard(store: store, config: orchestrator.config)
        switch name {
        case "/knobs":
            return board.current().describe().map { "\($0.key) = \($0.value)" }.joined(separator: "\n")
        case "/set":
            let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { return "Usage: /set KEY VALUE (/knobs lists the keys)" }
            do {
                let change = try board.set(words[0], words[1], by: "telegram:\(chat)").change
                return "\(change.key): \(change.old) → \(change.new)"
            } catch {
                return "⚠️ \(error.message)"
            }
        case "/mood":
            guard board.current().mood else { return "Mood is off (experimental): /set mood on, and /set all_proactive on." }
            return MoodEngine.promptLine(board.mood ?? MoodState())
        case "/review":
            let request: ReviewRequest
            do { request = try ReviewRequest(parsing: argument) } catch { return "⚠️ \(error.message)" }
            let entries = ActivityLog.entries((try? store.sessionEvents("telegram:\(chat)", since: request.since(now: Date()))) ?? [])
            guard !entries.isEmpty else { return "Nothing in this chat in the last \(request.hours) h." }
            return SessionReview(timeZone: .current).render(entries, level: request.level)
        case "/explain":
            guard argument.count >= 4, let task = try? store.task(idPrefix: argument.lowercased()) else {
                return "Usage: /explain ID (at least 4 characters of a task id; /tasks lists them)"
            }
            do {
                return try TaskExplanation.explain(task.id, store: store, sparks: orchestrator.config.sparks).text
            } catch {
                return "⚠️ \(error.message)"
            }
        case "/watch":
            let filter: WatchFilter
            do { filter = try WatchFilter(parsing: argument, timeZone: .current) } catch { return "⚠️ \(error.message)" }
            Task { await self.watch(filter, chat: chat, store: store) }
            return "👀 Watching for \(filter.seconds) s\(filter.note.map { " (\($0))" } ?? "")."
        case "/search":
            guard argument.count >= 2 else { return "Usage: /search TEXT" }
            let needle = argument.lowercased()
            let matches = ((try? store.events(limit: 5000)) ?? []).filter { $0.message.lowercased().contains(needle) }.suffix(50)
            guard !matches.isEmpty else { return "No activity mentions \"\(argument)\"." }
            return matches.map { event in
                "\(HistoryTime.short(event.createdAt)) \(event.category) \(event.sessionKey ?? event.taskID.map { String($0.uuidString.lowercased().prefix(8)) } ?? "") "
                    + String(event.message.prefix(160))
            }.joined(separator: "\n")
        case "/alerts":
            return alerts(argument, store: store)
        default:
            return nil
        }
    }

    func alerts(_ argument: String, store: SparksStore) -> String {
        let command: AlertCommand
        do { command = try AlertCommand(parsing: argument) } catch { return "⚠️ \(error.message)" }
        switch command {
        case .list:
            let rules = (try? store.alertRules()) ?? []
            return rules.isEmpty ? "No alert rules. /alerts add NAME PATTERN [target] [severity]"
                : rules.map { "#\($0.id) \($0.enabled ? "on" : "off") \($0.name): \"\($0.pattern)\" in \($0.target) [\($0.severity)]" }
                    .joined(separator: "\n")
        case .add(let name, let pattern, let target, let severity):
            guard let id = try? store.insertAlertRule(name: name, pattern: pattern, target: target.rawValue, severity: severity.rawValue) else {
                return "⚠️ The rule could not be stored."
            }
            return "#\(id) \(name): \"\(pattern)\" in \(target.rawValue) [\(severity.rawValue)]"
        case .remove(let id):
            return (try? store.deleteAlertRule(id: id)) == true ? "Removed #\(id)." : "There is no rule #\(id)."
        case .toggle(let id):
            guard let enabled = try? store.toggleAlertRule(id: id) else { return "There is no rule #\(id)." }
            return "#\(id) \(enabled ? "on" : "off")"
        }
    }

    /// Sends new activity lines every couple of seconds until the filter's time is up.
    func watch(_ filter: WatchFilter, chat: Int64, store: SparksStore) async {
        var cursor = (try? store.events(limit: 1).last?.id) ?? 0
        let deadline = filter.deadline(from: Date())
        while Date() < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .seconds(WatchFilter.pollSeconds))
            guard let events = try? store.events(after: cursor), let last = events.last else { continue }
            cursor = last.id
            let lines = filter.lines(for: ActivityLog.entries(events).filter(filter.accepts))
            for part in TelegramText.split(lines.joined(separator: "\n")) where !part.isEmpty {
                _ = try? await api.sendMessage(chatID: chat, text: part)
            }
        }
        _ = try? await api.sendMessage(chatID: chat, text: "👀 Watch ended.")
    }

    /// Posts every delivered pulse to each allowlisted user (a private chat's id is the user's id),
    /// from the moment the bot starts.
    func forwardPulses(store: SparksStore, interval: Duration = .seconds(2)) async {
        var cursor = (try? store.events(limit: 1).last?.id) ?? 0
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard let events = try? store.events(after: cursor), let last = events.last else { continue }
            cursor = last.id
            for event in events where event.category == EventCategory.pulse.rawValue {
                guard let details = event.details.flatMap(JSONValue.parse), details["delivered"]?.boolValue == true else { continue }
                let icon = details["source"]?.stringValue == "alert" ? "🚨" : "✦"
                // A pulse for one Telegram chat (a conversation re-entry) goes there; the rest to everyone allowed.
                let targeted = event.sessionKey.flatMap { $0.hasPrefix("telegram:") ? Int64($0.dropFirst("telegram:".count)) : nil }
                for user in targeted.map({ [$0] }) ?? settings.allowedUsers.sorted() {
                    _ = try? await api.sendMessage(chatID: user, text: "\(icon) \(event.message)")
                }
            }
        }
    }
}

/// Short local times for chat lines.
enum HistoryTime {
    static func short(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "MM-dd HH:mm"
        formatter.timeZone = .current
        return formatter.string(from: date)
    }
}
