import Foundation
import SparksCore

/// A task's own copy of the repository: a `git clone --shared` on a new branch
/// `sparks/<task-id>` from the repository's HEAD. The spark can change its files and its branch;
/// the user's repository — its refs, hooks, config and working tree — is out of reach (inside
/// the sandbox the original's objects are visible read-only, for the shared clone to work).
public struct Workspace: Sendable, Hashable {
    public var path: String
    public var branch: String
    /// The commit the task started from.
    public var baseCommit: String
    /// The user's repository.
    public var source: String

    public init(path: String, branch: String, baseCommit: String, source: String) {
        self.path = path
        self.branch = branch
        self.baseCommit = baseCommit
        self.source = source
    }

    /// Host paths the sandbox must show read-only for git to work in the clone.
    public var readOnlyPaths: [String] {
        let objects = source + "/.git/objects"
        return FileManager.default.fileExists(atPath: objects) ? [objects] : []
    }
}

public struct WorkspaceManager: Sendable {
    public let root: String
    let git = HostGit()

    /// `root` is where task workspaces live (`$SPARKS_HOME/workspaces`).
    public init(root: String) {
        self.root = root
    }

    public func path(for taskID: UUID) -> String {
        root + "/" + taskID.uuidString.lowercased()
    }

    /// Makes the clone and its branch, from `baseRef` (a branch or commit of the repository) or
    /// its HEAD. A clone left by an earlier attempt of the same task is replaced: a retry starts
    /// clean. A directory that is not a git repository is refused.
    public func create(taskID: UUID, repository: String, copyNonGit: Bool = false, baseRef: String? = nil) throws(SparksError) -> Workspace {
        if FileManager.default.fileExists(atPath: path(for: taskID)) { try remove(path(for: taskID)) }
        guard git.isRepository(repository) else {
            guard copyNonGit else {
                throw SparksError(.workspaceFailed, "\(repository) is not a git repository; a spark works on its own clone of one",
                                  hint: "run `git init && git add -A && git commit -m init` there first, or set [workspace] non_git = \"copy\"")
            }
            return try createCopy(taskID: taskID, directory: repository)
        }
        let top = try git.run(["rev-parse", "--show-toplevel"], in: repository).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let base = try? git.run(["rev-parse", "--verify", "--quiet", (baseRef ?? "HEAD") + "^{commit}"], in: top)
            .trimmingCharacters(in: .whitespacesAndNewlines), !base.isEmpty
        else {
            if let baseRef {
                throw SparksError(.workspaceFailed, "\(top) has no branch or commit \(baseRef)", hint: "check the name with `git -C \(top) branch -a`")
            }
            throw SparksError(.workspaceFailed, "\(top) has no commits yet", hint: "commit something first: git add -A && git commit -m init")
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SparksError(.workspaceFailed, "cannot create \(root): \(error.localizedDescription)")
        }
        let destination = path(for: taskID)
        let branch = "sparks/\(taskID.uuidString.lowercased())"
        try git.run(["clone", "--shared", "--quiet", "--no-checkout", top, destination], in: root)
        try git.run(["checkout", "--quiet", "-b", branch, base], in: destination)
        // The clone's hooks directory holds only samples; keep it empty so nothing can run from it.
        try? FileManager.default.removeItem(atPath: destination + "/.git/hooks")
        try? FileManager.default.createDirectory(atPath: destination + "/.git/hooks", withIntermediateDirectories: true)
        return Workspace(path: destination, branch: branch, baseCommit: base, source: top)
    }

    /// For a directory that is not a git repository: a copy of it, made a repository with one
    /// snapshot commit, so that the task's change can still be reviewed and applied.
    func createCopy(taskID: UUID, directory: String) throws(SparksError) -> Workspace {
        let destination = path(for: taskID)
        let branch = "sparks/\(taskID.uuidString.lowercased())"
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.copyItem(atPath: directory, toPath: destination)
        } catch {
            throw SparksError(.workspaceFailed, "cannot copy \(directory) into \(destination): \(error.localizedDescription)")
        }
        try git.run(["init", "--quiet", "--initial-branch=\(branch)"], in: destination)
        try git.run(["add", "-A"], in: destination)
        try git.run(["commit", "--quiet", "--no-verify", "--allow-empty", "-m", "sparks: snapshot of \(directory)"], in: destination)
        let base = try git.run(["rev-parse", "HEAD"], in: destination).trimmingCharacters(in: .whitespacesAndNewlines)
        return Workspace(path: destination, branch: branch, baseCommit: base, source: directory)
    }

    /// The object store a `--shared` clone of `source` borrows from: the common git directory's, so
    /// that a linked worktree (whose `.git` is a file) works like a main checkout.
    func objectsDirectory(of source: String) -> String {
        let common = (try? git.run(["rev-parse", "--path-format=absolute", "--git-common-dir"], in: source))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let common, common.hasPrefix("/") else { return source + "/.git/objects" }
        return (common as NSString).standardizingPath + "/objects"
    }

    /// Makes the workspace's `.git` safe for git on the host (see `GitDirectoryGuard`). Sparks
    /// calls it before every host git operation on a workspace a spark has worked in.
    public func secure(_ workspace: Workspace) throws(SparksError) {
        try GitDirectoryGuard().secure(workspace.path, alternates: objectsDirectory(of: workspace.source))
    }

    /// Copies the task's changes back into a directory that is not a git repository.
    func applyCopy(_ workspace: Workspace) throws(SparksError) -> String {
        try secure(workspace)
        let changes = try git.run(["diff", "--name-status", "--no-renames", "-z", workspace.baseCommit, "HEAD"], in: workspace.path)
        let fields = changes.split(separator: "\0").map(String.init)
        var count = 0
        var index = 0
        while index + 1 < fields.count {
            let status = fields[index]
            let relative = fields[index + 1]
            index += 2
            let target = workspace.source + "/" + relative
            do {
                if status == "D" {
                    if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                } else {
                    try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                    if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                    try FileManager.default.copyItem(atPath: workspace.path + "/" + relative, toPath: target)
                }
            } catch {
                throw SparksError(.workspaceFailed, "cannot copy \(relative) back into \(workspace.source): \(error.localizedDescription)")
            }
            count += 1
        }
        return "\(count) file(s) copied back into \(workspace.source)"
    }

    /// Commits everything the spark left in the workspace. Returns the new commit, or nil when nothing changed.
    @discardableResult
    public func commitAll(_ workspace: Workspace, message: String) throws(SparksError) -> String? {
        try secure(workspace)
        try git.run(["add", "-A"], in: workspace.path)
        let status = try git.run(["status", "--porcelain"], in: workspace.path)
        guard !status.isEmpty else { return nil }
        try git.run(["commit", "--quiet", "--no-verify", "-m", message], in: workspace.path)
        return try git.run(["rev-parse", "HEAD"], in: workspace.path).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The change the task made: committed and uncommitted, against the commit it started from.
    public func diff(_ workspace: Workspace, stat: Bool = false) throws(SparksError) -> String {
        try secure(workspace)
        try git.run(["add", "-A", "--intent-to-add"], in: workspace.path)
        return try git.run(["diff", stat ? "--stat" : "--patch", workspace.baseCommit], in: workspace.path)
    }

    /// Merges the task's branch into the repository's current branch (the repository must be
    /// clean), or copies the changes back into a directory that is not a repository. Returns what was done.
    public func apply(_ workspace: Workspace) throws(SparksError) -> String {
        guard FileManager.default.fileExists(atPath: workspace.path) else {
            throw SparksError(.workspaceFailed, "the task's workspace \(workspace.path) no longer exists")
        }
        try commitAll(workspace, message: "sparks: uncommitted changes of the task")
        if !git.isRepository(workspace.source) { return try applyCopy(workspace) }
        let status = try git.run(["status", "--porcelain", "--untracked-files=no"], in: workspace.source)
        guard status.isEmpty else {
            throw SparksError(.workspaceFailed, "\(workspace.source) has uncommitted changes",
                              hint: "commit or stash them, then run apply again")
        }
        try git.run(["fetch", "--quiet", workspace.path, "+\(workspace.branch):\(workspace.branch)"], in: workspace.source)
        let merged = try git.run(["merge", "--no-edit", workspace.branch], in: workspace.source, allowFailure: true)
        let head = try git.run(["rev-parse", "HEAD"], in: workspace.source).trimmingCharacters(in: .whitespacesAndNewlines)
        let unmerged = try git.run(["diff", "--name-only", "--diff-filter=U"], in: workspace.source)
        if !unmerged.isEmpty {
            try git.run(["merge", "--abort"], in: workspace.source, allowFailure: true)
            throw SparksError(.workspaceFailed, "the task's changes conflict with \(workspace.source): " + unmerged.split(separator: "\n").joined(separator: ", "),
                              hint: "merge the branch \(workspace.branch) by hand: git merge \(workspace.branch)")
        }
        _ = merged
        return "merged \(workspace.branch) into \(workspace.source) (now at \(head.prefix(12)))"
    }

    public func remove(_ path: String) throws(SparksError) {
        guard path.hasPrefix(root + "/") else {
            throw SparksError(.workspaceFailed, "refusing to remove \(path): not under \(root)")
        }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw SparksError(.workspaceFailed, "cannot remove \(path): \(error.localizedDescription)")
        }
    }
}
