import Foundation

/// One tournament: every candidate's context through the eval harness, the non-regression gate
/// against the baseline, the winner, and (when asked and earned) the winner as the active profile.
public struct TournamentRunner: Sendable {
    public struct Report: Sendable, Codable {
        public var id: String
        public var suite: String
        public var finishedAt: Date
        public var mode: String
        public var rules: TournamentRules
        public var candidates: [TournamentCandidate]
        public var entries: [TournamentEntry]
        /// Each candidate's eval run id.
        public var runs: [String: String]
        public var decision: TournamentDecision
        public var promotedProfile: String?
    }

    public let runner: EvalRunner
    /// Where results, tournament reports, the history and the active profile live.
    public let directory: String

    public init(runner: EvalRunner, directory: String) {
        self.runner = runner
        self.directory = directory
    }

    public var profilePath: String { directory + "/optimizer-profile.json" }
    public var historyPath: String { directory + "/optimizer-history.jsonl" }

    /// - Parameter backlog: improvement ideas, most important first; the top ones seed backlog-derived candidates.
    public func run(_ suite: EvalSuite, maxCandidates: Int, options: EvalRunner.Options, provider: String?, model: String?,
                    promote: Bool, backlog: [String] = [], progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let profile = try OptimizerProfile.load(from: profilePath)
        let candidates = TournamentCandidates.make(baselineContext: profile?.context ?? "", maxCandidates: maxCandidates, backlog: backlog)
        let (rules, mode) = AdaptiveGuardrails.rules(recentRuns: recentRuns(), base: TournamentRules())
        progress("tournament: \(candidates.count) candidate(s) on suite \(suite.name); guardrails \(mode.rawValue)")
        var entries: [TournamentEntry] = []
        var runs: [String: String] = [:]
        for (index, candidate) in candidates.enumerated() {
            var candidateOptions = options
            candidateOptions.context = candidate.context.isEmpty ? nil : candidate.context
            let result = try await runner.run(suite, options: candidateOptions, provider: provider, model: model)
            _ = try EvalReport.write(result, to: directory)
            runs[candidate.id] = result.id
            let means = Array(result.meanOverallByTask.values)
            let entry = TournamentEntry(candidateID: candidate.id, overall: result.scorecard.quality.overall,
                                        execRate: result.scorecard.success.passRate,
                                        avgTask: means.isEmpty ? 0 : means.reduce(0, +) / Double(means.count),
                                        gateOK: result.gate.passed, exitOK: !result.tasks.contains { $0.error != nil })
            entries.append(entry)
            progress(String(format: "  [%d/%d] %@: overall %.3f, exec %.2f, gate %@", index + 1, candidates.count, candidate.id,
                            entry.overall, entry.execRate, entry.gateOK ? "PASS" : "FAIL"))
        }
        guard let baseline = entries.first else { throw EvalError(code: EvalError.Code.suiteInvalid, message: "no candidates to run") }
        let decision = Tournament.decide(baseline: baseline, entries: entries, rules: rules)
        var promoted: String?
        if promote, decision.promote, let winner = candidates.first(where: { $0.id == decision.winner }),
           let entry = entries.first(where: { $0.candidateID == decision.winner }) {
            try OptimizerProfile(candidateID: winner.id, context: winner.context, promotedAt: Date(), overall: entry.overall,
                                 baselineOverall: baseline.overall).save(to: profilePath)
            promoted = profilePath
        }
        let finished = Date()
        let report = Report(id: "tournament-" + EvalRunResult.runID(startedAt: finished).dropFirst("eval-".count), suite: suite.name,
                            finishedAt: finished, mode: mode.rawValue, rules: rules, candidates: candidates, entries: entries, runs: runs,
                            decision: decision, promotedProfile: promoted)
        try write(report)
        return report
    }

    /// Clean (no candidate broke the gate) or not, per earlier tournament, oldest first.
    func recentRuns() -> [Bool] {
        guard let data = FileManager.default.contents(atPath: historyPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["clean"] as? Bool
        }
    }

    func write(_ report: Report) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/\(report.id).json"))
        try Self.markdown(report).write(toFile: directory + "/\(report.id).md", atomically: true, encoding: .utf8)
        let line = try JSONSerialization.data(withJSONObject: [
            "id": report.id, "suite": report.suite, "winner": report.decision.winner, "promote": report.decision.promote,
            "clean": report.decision.gated.isEmpty,
        ], options: [.sortedKeys])
        if !FileManager.default.fileExists(atPath: historyPath) { FileManager.default.createFile(atPath: historyPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: historyPath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line + Data("\n".utf8))
    }

    public static func markdown(_ report: Report) -> String {
        var text = "# Optimizer tournament \(report.id)\n\n"
        text += "- Suite: \(report.suite); guardrails: \(report.mode) (max regression \(report.rules.maxRegression), "
            + "min improvement \(report.rules.minImprovement), strict \(report.rules.strict))\n"
        text += "- Winner: **\(report.decision.winner)**; promote: \(report.decision.promote ? "yes" : "no")"
            + (report.promotedProfile.map { " (written to \($0))" } ?? "") + "\n\n"
        text += "| Candidate | Overall | Exec | Avg task | Gate | Non-regression |\n|---|---:|---:|---:|---|---|\n"
        for entry in report.entries {
            text += String(format: "| %@ | %.3f | %.2f | %.3f | %@ | %@ |\n", entry.candidateID, entry.overall, entry.execRate, entry.avgTask,
                           entry.gateOK ? "PASS" : "FAIL", report.decision.gated[entry.candidateID] ?? "ok")
        }
        text += "\n## Reasons\n\n" + report.decision.reasons.map { "- \($0)\n" }.joined()
        return text
    }
}
