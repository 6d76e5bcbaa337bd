import Foundation

/// Renders a stretch of the activity log as text for `/review` and `sparks review`, without an LLM.
///
/// Output is deterministic: entries are put in time order (ties by id), times are shown in the
/// injected `timeZone` (with the date once the entries cover more than one local day), and nothing
/// depends on the current time or locale.
///
/// ```swift
/// let review = SessionReview(timeZone: zone, format: .telegramHTML)
/// let text = review.render(entries, level: .standard)
/// ```
public struct SessionReview: Sendable {
    public var timeZone: TimeZone
    public var format: ReviewFormat

    public init(timeZone: TimeZone, format: ReviewFormat = .plain) {
        self.timeZone = timeZone
        self.format = format
    }

    /// The review of `entries` (any order) at `level`.
    ///
    /// - `summary`: period, events per kind, sparks, tasks started/ok/failed, tools with failures.
    /// - `standard`: the summary, then a timeline with one line per chat turn, routing decision,
    ///   task event and pulse. Tool runs under a task are folded into that task's line as counts;
    ///   tool runs without a task (direct tools in chat) keep a line of their own.
    /// - `detailed`: the summary, then every entry as a tree through `parentID` — tool runs
    ///   indented under their task — with detail and tool input/output (cut to 2000 characters).
    public func render(_ entries: [ActivityEntry], level: ReviewLevel) -> String {
        let tree = ActivityTree(entries)
        var lines = [format.heading("Session review")]
        guard !tree.isEmpty else {
            lines.append(format.escape("No activity in this period."))
            return lines.joined(separator: "\n")
        }
        let renderer = ReviewRenderer(timeZone: timeZone, format: format, entries: tree.ordered)
        lines += renderer.counts(tree.ordered)
        switch level {
        case .summary:
            break
        case .standard:
            lines += ["", format.heading("Timeline")]
            lines += timeline(tree, renderer)
        case .detailed:
            lines += ["", format.heading("Details")]
            lines += renderer.tree(tree)
        }
        return lines.joined(separator: "\n")
    }

    private func timeline(_ tree: ActivityTree, _ renderer: ReviewRenderer) -> [String] {
        var folded: [Int64: [ActivityEntry]] = [:]
        var shown: [ActivityEntry] = []
        for entry in tree.ordered {
            if entry.kind == .toolRun, let owner = tree.owner(of: entry) {
                folded[owner.id, default: []].append(entry)
            } else {
                shown.append(entry)
            }
        }
        return shown.map { entry in
            let line = renderer.line(entry, summaryLimit: ReviewRenderer.lineSummaryLimit)
            guard let runs = folded[entry.id] else { return line }
            return line + format.escape(" — tools: \(ReviewRenderer.toolCount(runs))")
        }
    }
}
