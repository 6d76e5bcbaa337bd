import Foundation
import SparksCore
import SparksProactive
import SparksStore

/// The activity log is the event log read as activity: chat turns, routing decisions, tool runs
/// and tasks, with each tool run under the start of its task so reviews can draw the tree.
public enum ActivityLog {
    /// The events as activity entries; events that are not activity (metrics, knobs…) are left out.
    public static func entries(_ events: [EventRecord]) -> [ActivityEntry] {
        var taskStarts: [UUID: Int64] = [:]
        var entries: [ActivityEntry] = []
        for event in events {
            let details = event.details.flatMap(JSONValue.parse)
            let task = event.taskID?.uuidString.lowercased()
            let session = event.sessionKey ?? event.taskID.map { "task:\($0.uuidString.lowercased().prefix(8))" } ?? "daemon"
            func entry(_ kind: ActivityKind, parent: Int64? = nil, tool: String? = nil, output: String? = nil, duration: Int? = nil,
                       ok: Bool? = nil) -> ActivityEntry {
                ActivityEntry(id: event.id, at: event.createdAt, session: session, kind: kind, spark: event.spark, taskID: task,
                              parentID: parent, summary: event.message, detail: details?["reason"]?.stringValue, toolName: tool,
                              toolInput: nil, toolOutput: output, durationMs: duration, ok: ok).truncatingToolText()
            }
            switch event.category {
            case EventCategory.chatIn.rawValue: entries.append(entry(.chatIn))
            case EventCategory.chatOut.rawValue: entries.append(entry(.chatOut))
            case EventCategory.routing.rawValue, EventCategory.selection.rawValue: entries.append(entry(.routing))
            case EventCategory.taskStarted.rawValue:
                if let id = event.taskID { taskStarts[id] = event.id }
                entries.append(entry(.taskStarted))
            case EventCategory.taskFinished.rawValue:
                let succeeded = details?["status"]?.stringValue == TaskStatus.succeeded.rawValue
                entries.append(entry(succeeded ? .taskFinished : .taskFailed, ok: succeeded))
            case EventCategory.toolUsage.rawValue:
                entries.append(entry(.toolRun, parent: event.taskID.flatMap { taskStarts[$0] },
                                     tool: details?["tool"]?.stringValue ?? String(event.message.prefix { $0 != " " && $0 != ":" }),
                                     output: details?["preview"]?.stringValue, duration: details?["duration_ms"]?.intValue,
                                     ok: details?["ok"]?.boolValue ?? false))
            case EventCategory.pulse.rawValue:
                if details?["delivered"]?.boolValue == true { entries.append(entry(.pulse)) }
            default:
                continue
            }
        }
        return entries
    }
}
