import Foundation

/// A repository with a real (bare) `origin`, and a directory for a fake `gh` that records each
/// call's first line: what tests of pushing and pull requests need.
public struct GitHubFixture: Sendable {
    public let repo: TemporaryDirectory
    public let origin: TemporaryDirectory
    /// Put first on PATH; holds `gh` once `installGH` wrote it.
    public let bin: TemporaryDirectory
    public let ghLog: String

    /// `files` committed on `main` and pushed to `origin` as each of `branches`.
    public init(prefix: String, files: [String: String], branches: [String] = ["main"]) throws {
        origin = try TemporaryDirectory(prefix: prefix + "-origin")
        try origin.git("init", "--quiet", "--bare", "--initial-branch=main")
        repo = try TemporaryDirectory.gitRepository(prefix: prefix + "-repo", files: files)
        try repo.git("remote", "add", "origin", origin.path)
        for branch in branches { try repo.git("push", "--quiet", "origin", "main:\(branch)") }
        bin = try TemporaryDirectory(prefix: prefix + "-bin")
        ghLog = bin.path + "/gh.log"
    }

    /// Writes `gh`: it logs the first line of its arguments, then runs `body` (shell).
    public func installGH(_ body: String) throws {
        let gh = try bin.write("gh", "#!/bin/sh\necho \"$*\" | head -n 1 >> \"\(ghLog)\"\n" + body + "\n")
        chmod(gh, 0o755)
    }

    /// The calls `gh` got, one line each.
    public var ghCalls: [String] {
        ((try? String(contentsOfFile: ghLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
