import Foundation

/// The pieces session and task reviews share: entry lines, the counts block and the detailed tree.
/// Every piece of logged text goes through `format.escape` exactly once, here.
struct ReviewRenderer {
    let timeZone: TimeZone
    let format: ReviewFormat
    /// Whether timestamps carry the date: entries spread over more than one local day.
    let showsDay: Bool

    /// Longest summary a one-line (standard) entry shows.
    static let lineSummaryLimit = 160

    init(timeZone: TimeZone, format: ReviewFormat, entries: [ActivityEntry]) {
        self.timeZone = timeZone
        self.format = format
        let days = Set(entries.map { ReviewText.day($0.at, in: timeZone) })
        self.showsDay = days.count > 1
    }

    func timestamp(_ date: Date) -> String {
        showsDay ? ReviewText.dateTime(date, in: timeZone) : ReviewText.clock(date, in: timeZone)
    }

    /// `time kind [spark] text`, escaped. Tool runs read `tool ok|failed (duration) — summary`.
    func line(_ entry: ActivityEntry, summaryLimit: Int = .max) -> String {
        var text = "\(timestamp(entry.at)) \(entry.kind.rawValue)"
        if let spark = entry.spark, !spark.isEmpty { text += " [\(spark)]" }
        let summary = ReviewText.oneLine(entry.summary, limit: summaryLimit)
        if entry.kind == .toolRun {
            text += " \(entry.toolName ?? "?")"
            if let ok = entry.ok { text += ok ? " ok" : " failed" }
            if let ms = entry.durationMs { text += " (\(ReviewText.duration(ms: ms)))" }
            if !summary.isEmpty { text += " — \(summary)" }
        } else {
            if !summary.isEmpty { text += " \(summary)" }
            if let ms = entry.durationMs { text += " (\(ReviewText.duration(ms: ms)))" }
        }
        return format.escape(text)
    }

    /// `N runs[, M failed]` for a set of tool runs.
    static func toolCount(_ runs: [ActivityEntry]) -> String {
        let failed = runs.filter { $0.ok == false }.count
        let runsText = runs.count == 1 ? "1 run" : "\(runs.count) runs"
        return failed == 0 ? runsText : "\(runsText), \(failed) failed"
    }

    /// `Period: start → end (span)`, or nil for no entries.
    func period(_ ordered: [ActivityEntry]) -> String? {
        guard let first = ordered.first, let last = ordered.last else { return nil }
        let end =
            ReviewText.day(first.at, in: timeZone) == ReviewText.day(last.at, in: timeZone)
            ? ReviewText.clock(last.at, in: timeZone) : ReviewText.dateTime(last.at, in: timeZone)
        let seconds = Int(last.at.timeIntervalSince(first.at).rounded(.down))
        return "Period: \(ReviewText.dateTime(first.at, in: timeZone)) → \(end) (\(ReviewText.span(seconds: seconds)))"
    }

    /// The counts block: period, events per kind, sparks, task outcomes, tools with failures.
    func counts(_ ordered: [ActivityEntry]) -> [String] {
        var lines: [String] = []
        if let period = period(ordered) { lines.append(period) }
        let perKind = ActivityKind.allCases.compactMap { kind -> String? in
            let count = ordered.filter { $0.kind == kind }.count
            return count == 0 ? nil : "\(kind.rawValue) \(count)"
        }
        lines.append("Events: \(ordered.count) — \(perKind.joined(separator: ", "))")
        let sparks = Set(ordered.compactMap(\.spark).filter { !$0.isEmpty }).sorted()
        lines.append("Sparks: \(sparks.isEmpty ? "none" : sparks.joined(separator: ", "))")
        let started = ordered.filter { $0.kind == .taskStarted }.count
        let finished = ordered.filter { $0.kind == .taskFinished }.count
        let failed = ordered.filter { $0.kind == .taskFailed }.count
        lines.append("Tasks: \(started) started, \(finished) ok, \(failed) failed")
        let runs = ordered.filter { $0.kind == .toolRun }
        if runs.isEmpty {
            lines.append("Tools: none")
        } else {
            let perTool = Dictionary(grouping: runs, by: { $0.toolName ?? "?" }).sorted { $0.key < $1.key }
                .map { name, runs in
                    let failures = runs.filter { $0.ok == false }.count
                    return failures == 0 ? "\(name) \(runs.count)" : "\(name) \(runs.count) (\(failures) failed)"
                }
            lines.append("Tools: \(Self.toolCount(runs)) — \(perTool.joined(separator: ", "))")
        }
        return lines.map(format.escape)
    }

    /// Every entry as a tree through `parentID`: children indented two spaces per level, each entry
    /// followed by its task id, detail and (truncated) tool input and output.
    func tree(_ tree: ActivityTree) -> [String] {
        var lines: [String] = []
        tree.walk { entry, depth in
            let indent = String(repeating: "  ", count: depth)
            lines.append(indent + line(entry))
            let fieldIndent = indent + "    "
            if entry.kind == .taskStarted, let taskID = entry.taskID {
                lines += field("task", taskID, indent: fieldIndent)
            }
            if let detail = entry.detail, !detail.isEmpty {
                lines += field("detail", detail, indent: fieldIndent)
            }
            if let input = entry.toolInput, !input.isEmpty {
                lines += field("input", ActivityEntry.truncatedToolText(input), indent: fieldIndent)
            }
            if let output = entry.toolOutput, !output.isEmpty {
                lines += field("output", ActivityEntry.truncatedToolText(output), indent: fieldIndent)
            }
        }
        return lines
    }

    /// `label: first line`, further lines of `value` indented two more spaces.
    private func field(_ label: String, _ value: String, indent: String) -> [String] {
        let valueLines = value.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var lines = ["\(indent)\(label): \(format.escape(valueLines.first ?? ""))"]
        for rest in valueLines.dropFirst() { lines.append("\(indent)  \(format.escape(rest))") }
        return lines
    }
}
