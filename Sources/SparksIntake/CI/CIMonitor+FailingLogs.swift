import Foundation

extension CIMonitor {
    /// The end of the failed jobs' logs, for the heal hook: `gh pr checks` names each check's run,
    /// `gh run view --log-failed` prints the failed steps. Best effort: returns what it could get.
    func failingLogsTail(pr: String, failing: [String], in directory: String, log: inout [String]) async -> String {
        struct Check: Decodable {
            var name: String?
            var state: String?
            var link: String?
        }
        let listing = await dependencies.runner.run(dependencies.gh, GitHubCLI.checks(pr), in: directory)
        // `gh pr checks` exits 1 when a check failed and 8 while some are pending, and still prints
        // the JSON, so the output decides, not the exit status.
        guard let checks = GitHubCLI.decode([Check].self, from: listing.stdout) else {
            log.append("could not list the checks' runs (\(GitHubCLI.summary(listing)))")
            return ""
        }
        var runIDs: [String] = []
        for check in checks {
            let isFailing =
                failing.contains(check.name ?? "") || CheckRollup.failing.contains(check.state?.uppercased() ?? "")
            guard isFailing, let id = check.link.flatMap(Self.runID(fromLink:)), !runIDs.contains(id) else { continue }
            runIDs.append(id)
        }
        if runIDs.isEmpty {
            log.append("no GitHub Actions run found for the failing checks; healing without logs")
            return ""
        }
        var text = ""
        for id in runIDs {
            let result = await dependencies.runner.run(dependencies.gh, GitHubCLI.failedLog(runID: id), in: directory)
            guard result.succeeded else {
                log.append("could not fetch the log of run \(id) (\(GitHubCLI.summary(result)))")
                continue
            }
            text += "=== run \(id) ===\n\(result.stdout)"
            if !text.hasSuffix("\n") { text += "\n" }
        }
        return String(text.suffix(HealRequest.maxLogCharacters))
    }

    /// The run id in an Actions link such as
    /// `https://github.com/o/r/actions/runs/123/job/456`; nil for other links (external CI).
    static func runID(fromLink link: String) -> String? {
        guard let marker = link.range(of: "/runs/") else { return nil }
        let digits = link[marker.upperBound...].prefix(while: \.isASCII).prefix(while: \.isNumber)
        return digits.isEmpty ? nil : String(digits)
    }
}
