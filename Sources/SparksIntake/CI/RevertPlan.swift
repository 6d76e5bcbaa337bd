import Foundation

/// One command of a plan, as data: what to run and why.
public struct PlannedCommand: Sendable, Hashable, Codable {
    public var executable: String
    public var arguments: [String]
    /// A short description for logs and dry runs.
    public var purpose: String

    public init(executable: String, arguments: [String], purpose: String) {
        self.executable = executable
        self.arguments = arguments
        self.purpose = purpose
    }
}

/// The commands that open a pull request reverting a merged one. The merge commit and base
/// branch are only known once `lookup` has run, so `steps` carry placeholders that `resolved`
/// fills in.
public struct RevertPlan: Sendable, Hashable {
    /// Stands for the merge commit's SHA in `steps`.
    public static let mergeCommitPlaceholder = "{merge_commit}"
    /// Stands for the merged PR's base branch in `steps`.
    public static let baseBranchPlaceholder = "{base_branch}"

    public var pr: String
    public var number: Int
    /// The branch the revert is committed on: `revert/<number>`.
    public var branch: String
    /// Prints `{"mergeCommit":{"oid":…},"baseRefName":…}`.
    public var lookup: PlannedCommand
    /// Fetch, branch, revert, push, open the pull request; with placeholders.
    public var steps: [PlannedCommand]

    public init(pr: String, number: Int, gh: String = "gh", git: String = "git") {
        self.pr = pr
        self.number = number
        branch = "revert/\(number)"
        let sha = Self.mergeCommitPlaceholder
        let base = Self.baseBranchPlaceholder
        lookup = PlannedCommand(
            executable: gh, arguments: GitHubCLI.mergeCommit(pr), purpose: "find the merge commit and base branch")
        steps = [
            PlannedCommand(executable: git, arguments: ["fetch", "origin", base], purpose: "fetch the base branch"),
            PlannedCommand(
                executable: git, arguments: ["checkout", "-b", branch, "origin/\(base)"],
                purpose: "start the revert branch from the base branch"),
            // `-m 1` keeps the base side of a merge commit; git accepts it for the single-parent
            // commit a squash merge makes as well.
            PlannedCommand(
                executable: git, arguments: ["revert", "--no-edit", "-m", "1", sha], purpose: "revert the merge commit"),
            PlannedCommand(executable: git, arguments: ["push", "-u", "origin", branch], purpose: "push the revert branch"),
            PlannedCommand(
                executable: gh,
                arguments: [
                    "pr", "create", "--base", base, "--head", branch, "--title", "Revert #\(number)",
                    "--body", "Reverts \(pr) (merge commit \(sha)): its changes are being rolled back.",
                ],
                purpose: "open the revert pull request"),
        ]
    }

    /// `steps` with the placeholders replaced.
    public func resolved(mergeCommit: String, baseBranch: String) -> [PlannedCommand] {
        steps.map { command in
            var command = command
            command.arguments = command.arguments.map {
                $0.replacingOccurrences(of: Self.mergeCommitPlaceholder, with: mergeCommit)
                    .replacingOccurrences(of: Self.baseBranchPlaceholder, with: baseBranch)
            }
            return command
        }
    }

    /// The merge commit and base branch from `lookup`'s output; nil when the PR is not merged.
    public static func parseLookup(_ output: String) -> (mergeCommit: String, baseBranch: String)? {
        struct Lookup: Decodable {
            struct Commit: Decodable { var oid: String? }
            var mergeCommit: Commit?
            var baseRefName: String?
        }
        guard let lookup = GitHubCLI.decode(Lookup.self, from: output), let oid = lookup.mergeCommit?.oid, !oid.isEmpty,
            let base = lookup.baseRefName, !base.isEmpty
        else { return nil }
        return (oid, base)
    }

    /// The number in a pull request URL such as `https://github.com/o/r/pull/42`.
    public static func pullRequestNumber(_ pr: String) -> Int? {
        let parts = pr.split(separator: "/")
        guard let index = parts.lastIndex(of: "pull"), index + 1 < parts.count else { return Int(pr) }
        return Int(parts[index + 1].prefix(while: \.isNumber))
    }
}

/// What `openRevertPR` did.
public struct RevertResult: Sendable, Hashable {
    /// Whether the revert pull request was created.
    public var opened: Bool
    /// The new pull request's URL, as `gh pr create` printed it.
    public var url: String?
    public var branch: String?
    public var mergeCommit: String?
    /// Why it stopped, when it did.
    public var error: IntakeError?
    /// One line per command run.
    public var log: [String]

    public init(
        opened: Bool, url: String? = nil, branch: String? = nil, mergeCommit: String? = nil, error: IntakeError? = nil,
        log: [String] = []
    ) {
        self.opened = opened
        self.url = url
        self.branch = branch
        self.mergeCommit = mergeCommit
        self.error = error
        self.log = log
    }
}
