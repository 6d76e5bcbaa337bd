import Foundation

/// One line of `history.jsonl`: enough to chart runs over time and to find the latest gate result.
public struct EvalHistoryEntry: Sendable, Codable, Equatable {
    public var id: String
    public var suite: String
    /// ISO-8601 UTC.
    public var finishedAt: String
    public var provider: String?
    public var model: String?
    public var overall: Double
    public var passRate: Double
    public var gateOk: Bool

    public init(_ result: EvalRunResult) {
        id = result.id
        suite = result.suite
        finishedAt = ISOTimestamp.string(result.finishedAt)
        provider = result.provider
        model = result.model
        overall = result.scorecard.quality.overall
        passRate = result.scorecard.success.passRate
        gateOk = result.scorecard.success.gateOk
    }

    private enum CodingKeys: String, CodingKey {
        case id, suite, provider, model, overall
        case finishedAt = "finished_at"
        case passRate = "pass_rate"
        case gateOk = "gate_ok"
    }

    // Absent provider/model are written as null so every line has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(suite, forKey: .suite)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(provider, forKey: .provider)
        try container.encode(model, forKey: .model)
        try container.encode(overall, forKey: .overall)
        try container.encode(passRate, forKey: .passRate)
        try container.encode(gateOk, forKey: .gateOk)
    }
}

/// Where ``EvalReport/write(_:to:)`` put a run's files.
public struct EvalReportFiles: Sendable, Equatable {
    /// `<id>.json`, the full result.
    public var json: String
    /// `<id>.md`, the readable report.
    public var markdown: String
    /// `history.jsonl`, one line per run.
    public var history: String
}

/// Renders and stores a run's result.
public enum EvalReport {
    /// The name of the append-only run log in a results directory.
    public static let historyFileName = "history.jsonl"

    /// A readable Markdown report: gate and overall, a table of task runs, then each run's notes.
    public static func markdown(_ result: EvalRunResult) -> String {
        let card = result.scorecard
        var lines = [
            "# Eval \(result.suite): gate \(result.gate.passed ? "PASS" : "FAIL"), overall \(ScoreFormat.fixed(card.quality.overall))",
            "",
            "- Run: `\(result.id)`",
            "- Started: \(ISOTimestamp.string(result.startedAt)), finished: \(ISOTimestamp.string(result.finishedAt))",
            "- Provider: \(result.provider ?? "-"), model: \(result.model ?? "-"), repeat: \(result.repeatCount)",
            "- Pass rate: \(ScoreFormat.fixed(card.success.passRate)); quality: plan \(ScoreFormat.fixed(card.quality.plan)), "
                + "tests \(ScoreFormat.fixed(card.quality.tests)), diff \(ScoreFormat.fixed(card.quality.diff))",
            "- Safety: failed \(ScoreFormat.fixed(card.safety.failedRate)), rolled back \(ScoreFormat.fixed(card.safety.rolledBackRate)), "
                + "timeout \(ScoreFormat.fixed(card.safety.timeoutRate))",
        ]
        if !result.gate.reasons.isEmpty {
            lines += ["", "## Gate reasons", ""]
            lines += result.gate.reasons.map { "- \(cell($0))" }
        }
        lines += [
            "", "## Tasks", "",
            "| Task | Lane | Run | Status | Exec | Tests | Diff | Plan | Overall |",
            "|---|---|---:|---|---:|---:|---:|---:|---:|",
        ]
        for task in result.tasks {
            let score = task.score
            let cells = [
                cell(task.id), cell(task.lane), "\(task.run)", cell(task.status), ScoreFormat.fixed(score.exec),
                ScoreFormat.fixed(score.tests), ScoreFormat.fixed(score.diff), ScoreFormat.fixed(score.plan),
                ScoreFormat.fixed(score.overall),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        let noted = result.tasks.filter { !$0.score.notes.isEmpty || $0.error != nil || $0.reason != nil }
        if !noted.isEmpty {
            lines += ["", "## Notes"]
            for task in noted {
                lines += ["", "### \(task.id) (run \(task.run))", ""]
                if let reason = task.reason { lines.append("- status \(task.status): \(reason)") }
                if let error = task.error { lines.append("- harness error \(error.code): \(error.message)") }
                lines += task.score.notes.map { "- \($0)" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One compact JSON line (no trailing newline) for `history.jsonl`.
    public static func historyLine(_ result: EvalRunResult) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and bools cannot fail; an empty object keeps the line valid JSON.
        guard let data = try? encoder.encode(EvalHistoryEntry(result)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `<id>.json` (pretty, sorted keys) and `<id>.md` into `directory` (created if needed)
    /// and appends the run to `history.jsonl` there.
    public static func write(_ result: EvalRunResult, to directory: String) throws(EvalError) -> EvalReportFiles {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        let files = EvalReportFiles(
            json: base.appendingPathComponent("\(result.id).json").path,
            markdown: base.appendingPathComponent("\(result.id).md").path,
            history: base.appendingPathComponent(historyFileName).path)
        do {
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(result) + Data("\n".utf8)).write(to: URL(fileURLWithPath: files.json), options: .atomic)
            try Data(markdown(result).utf8).write(to: URL(fileURLWithPath: files.markdown), options: .atomic)
            try appendLine(historyLine(result), to: files.history)
        } catch {
            throw EvalError(
                code: EvalError.Code.reportWriteFailed, message: "cannot write the eval report into \(directory): \(error)",
                hint: "check that the directory is writable", cause: error)
        }
        return files
    }

    private static func appendLine(_ line: String, to path: String) throws {
        let data = Data((line + "\n").utf8)
        guard FileManager.default.fileExists(atPath: path) else {
            try data.write(to: URL(fileURLWithPath: path))
            return
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    /// A table cell: pipes escaped and line breaks flattened so the row stays one row.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

/// The runs recorded in a results directory's `history.jsonl`.
public enum EvalHistory {
    /// Every readable line, oldest first; a line that is not an entry is skipped.
    public static func read(directory: String) -> [EvalHistoryEntry] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + EvalReport.historyFileName) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            try? JSONDecoder().decode(EvalHistoryEntry.self, from: Data(line.utf8))
        }
    }
}
