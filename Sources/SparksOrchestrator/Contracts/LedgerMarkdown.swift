import Foundation

extension FeatureDispatchLedger {
    public func markdown() -> String {
        var lines = ["# Feature dispatch: \(featureID)", ""]
        lines.append("- Status: **\(status.rawValue)**\(dryRun ? " (dry run)" : "")")
        lines.append("- Started: \(Markdown.time(startedAt))")
        lines.append("- Finished: \(Markdown.time(finishedAt)) (\(Markdown.seconds(finishedAt.timeIntervalSince(startedAt))) s)")
        if let contractFile { lines.append("- Contract: `\(contractFile)`") }
        lines.append("- Batches: " + batches.map { "[\($0.joined(separator: ", "))]" }.joined(separator: " → "))
        lines.append("")
        lines += Markdown.table(
            ["Task", "Status", "Attempts", "Sparks task", "Branch", "Verify exit", "Duration (s)", "Summary"],
            tasks.map { task in
                [task.taskID, task.status.rawValue, "\(task.attempts)", task.sparksTaskID?.uuidString ?? "",
                 task.branch ?? "", task.verifyExitCode.map(String.init) ?? "", Markdown.seconds(task.durationSecs),
                 task.error.map { "\(task.summary) (error: \($0))" } ?? task.summary]
            })
        return lines.joined(separator: "\n") + "\n"
    }
}

extension FeatureVerifyLedger {
    public func markdown() -> String {
        var lines = ["# Feature verification: \(featureID)", ""]
        lines.append("- Profile: \(report.profile.rawValue)")
        lines.append("- Promotable: **\(report.promotable ? "yes" : "no")**")
        lines.append("- Checks: \(report.count(.passed)) passed, \(report.count(.failed)) failed, "
            + "\(report.count(.skipped)) skipped")
        lines.append("- Finished: \(Markdown.time(finishedAt)) (\(Markdown.seconds(finishedAt.timeIntervalSince(startedAt))) s)")
        if let contractFile { lines.append("- Contract: `\(contractFile)`") }
        if !report.blockers.isEmpty { lines.append("- Blockers: " + report.blockers.map { "`\($0)`" }.joined(separator: ", ")) }
        lines += ["", "## Checks", ""]
        lines += Markdown.table(
            ["Check", "Outcome", "Required", "Profile", "Exit", "Duration (s)", "Command"],
            report.checks.map { check in
                [check.checkID, check.result.outcome.rawValue, check.required ? "yes" : "no", check.profile,
                 check.result.exitCode.map(String.init) ?? "", Markdown.seconds(check.result.durationSecs),
                 "`\(check.command)`"]
            })
        lines += ["", "## Acceptance criteria", ""]
        lines += Markdown.table(
            ["Criterion", "Satisfied", "Passing checks", "Mapped checks", "Description"],
            report.criteria.map { criterion in
                [criterion.criterionID, criterion.satisfied ? "yes" : "no", criterion.passedChecks.joined(separator: ", "),
                 criterion.checks.joined(separator: ", "), criterion.description]
            })
        for check in report.checks where check.result.outcome == .failed && !check.result.outputTail.isEmpty {
            lines += ["", "### Output of \(check.checkID) (exit \(check.result.exitCode.map(String.init) ?? "?"))", "",
                      "```", check.result.outputTail.replacingOccurrences(of: "```", with: "'''"), "```"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension FeaturePromoteLedger {
    public func markdown() -> String {
        var lines = ["# Feature promotion: \(featureID)", ""]
        lines.append("- Decision: **\(decision.verdict.rawValue)**")
        lines.append("- Promoted: \(promoted ? "yes" : "no")\(approvedBy.map { " (approved by \($0))" } ?? "")")
        lines.append("- Risk: \(decision.risk.rawValue)")
        lines.append("- Recorded: \(Markdown.time(recordedAt))")
        if let dispatchLedger { lines.append("- Dispatch ledger: `\(dispatchLedger)`") }
        if let verifyLedger { lines.append("- Verify ledger: `\(verifyLedger)`") }
        lines += ["", "| Gate | Promotable |", "| --- | --- |",
                  "| Dispatch | \(decision.dispatchPromotable ? "yes" : "no") |",
                  "| Verification | \(decision.verifyPromotable ? "yes" : "no") |",
                  "| Risk | \(decision.risk == .low ? "yes" : "needs approval") |"]
        lines += Markdown.reasons(decision.reasons)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension FeatureGateLedger {
    public func markdown() -> String {
        var lines = ["# Feature gate: \(featureID)", ""]
        lines.append("- Decision: **\(decision.verdict.rawValue)**")
        lines.append("- Recorded: \(Markdown.time(recordedAt))")
        lines += ["", "| Stage | Result | Ledger |", "| --- | --- | --- |",
                  "| Dispatch | \(dispatchStatus.rawValue) | \(Markdown.cell(dispatchLedger ?? "")) |",
                  "| Verify (\(verifyProfile.rawValue)) | \(verifyPromotable ? "promotable" : "not promotable") | "
                    + "\(Markdown.cell(verifyLedger ?? "")) |",
                  "| Promote | \(decision.verdict.rawValue) | \(Markdown.cell(promoteLedger ?? "")) |"]
        lines += Markdown.reasons(decision.reasons)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Small Markdown helpers shared by the ledgers.
enum Markdown {
    /// A table: header, separator and one row per entry, cells escaped.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "| " + header.map { _ in "---" }.joined(separator: " | ") + " |"]
        if rows.isEmpty { lines.append("| " + header.map { _ in "" }.joined(separator: " | ") + " |") }
        lines += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
        return lines
    }

    /// A cell on one line with its pipes escaped.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "|", with: "\\|")
    }

    static func reasons(_ reasons: [String]) -> [String] {
        guard !reasons.isEmpty else { return ["", "No reasons against promotion."] }
        return ["", "## Reasons", ""] + reasons.map { "- `\($0)`" }
    }

    static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    static func seconds(_ value: Double) -> String { String(format: "%.1f", value) }
}
