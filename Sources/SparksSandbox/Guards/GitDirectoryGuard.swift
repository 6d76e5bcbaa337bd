import Foundation
import SparksCore

/// A spark may write its clone's `.git` (it commits with the git tool inside the sandbox), but
/// Sparks runs git on that clone outside the sandbox (commit, diff, fetch for apply). Git reads
/// the repository's own config, and some keys run commands (`core.fsmonitor`, filter drivers,
/// `diff.external`, `core.sshCommand`, `include.path`, …), while symlinks inside `.git` would send
/// Sparks' writes elsewhere. Before each host operation this guard requires `.git` to be a plain
/// directory tree and rewrites its config down to keys that cannot run anything.
public struct GitDirectoryGuard: Sendable {
    /// Config keys kept (exact, or `prefix.*.suffix` patterns for per-branch and per-remote keys).
    static let allowedKeys: Set<String> = [
        "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates", "core.symlinks",
        "core.ignorecase", "core.precomposeunicode", "extensions.objectformat", "user.name", "user.email",
    ]
    static let allowedPatterns: [(prefix: String, suffixes: Set<String>)] = [
        ("branch.", ["remote", "merge"]),
        ("remote.", ["url", "fetch"]),
    ]

    let git = HostGit()

    public init() {}

    /// Checks `.git` under `workspace` and cleans its config. `alternates`, when given, is the one
    /// objects directory the clone may borrow from (its source's).
    public func secure(_ workspace: String, alternates: String? = nil) throws(SparksError) {
        let gitDirectory = workspace + "/.git"
        var info = stat()
        guard lstat(gitDirectory, &info) == 0 else {
            throw SparksError(.workspaceFailed, "\(workspace) has no .git directory any more", hint: "the task's work cannot be used; discard it")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw SparksError(.workspaceTampered, "\(gitDirectory) is not a plain directory (a link or a gitdir file); refusing to run git on it",
                              hint: "the spark replaced its .git; discard the task")
        }
        if let walker = FileManager.default.enumerator(atPath: gitDirectory) {
            for case let relative as String in walker {
                let path = gitDirectory + "/" + relative
                guard lstat(path, &info) == 0 else { continue }
                let kind = info.st_mode & S_IFMT
                guard kind == S_IFDIR || kind == S_IFREG else {
                    throw SparksError(.workspaceTampered, "\(path) is a link or special file; refusing to run git on this workspace",
                                      hint: "the spark changed its .git; discard the task")
                }
            }
        }
        try cleanConfig(gitDirectory + "/config")
        let alternatesFile = gitDirectory + "/objects/info/alternates"
        if FileManager.default.fileExists(atPath: alternatesFile) {
            let lines = ((try? String(contentsOfFile: alternatesFile, encoding: .utf8)) ?? "")
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard let alternates, lines.allSatisfy({ $0 == alternates }) else {
                throw SparksError(.workspaceTampered, "\(alternatesFile) points at object stores Sparks did not set up",
                                  hint: "the spark changed its .git; discard the task")
            }
        }
    }

    /// Rewrites the config with only the allowed keys (reading it with `git config --file`, which
    /// runs nothing and follows no includes).
    func cleanConfig(_ path: String) throws(SparksError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let listing = try git.run(["config", "--file", path, "--list", "--null"], in: (path as NSString).deletingLastPathComponent)
        var kept: [(String, String)] = []
        var dropped = false
        for entry in listing.split(separator: "\0") {
            let parts = entry.split(separator: "\n", maxSplits: 1)
            let key = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            if Self.allowed(key) { kept.append((key, value)) } else { dropped = true }
        }
        guard dropped else { return }
        let fresh = path + ".sparks-clean"
        try? FileManager.default.removeItem(atPath: fresh)
        FileManager.default.createFile(atPath: fresh, contents: nil, attributes: [.posixPermissions: 0o644])
        for (key, value) in kept {
            try git.run(["config", "--file", fresh, "--add", key, value], in: (path as NSString).deletingLastPathComponent)
        }
        guard rename(fresh, path) == 0 else {
            throw SparksError(.workspaceFailed, "cannot rewrite \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Section and name compare case-insensitively (as git does); a subsection (a branch or
    /// remote name) may hold dots and keeps its case.
    static func allowed(_ key: String) -> Bool {
        if allowedKeys.contains(key.lowercased()) { return true }
        guard let firstDot = key.firstIndex(of: "."), let lastDot = key.lastIndex(of: "."), firstDot < lastDot else { return false }
        let section = key[..<firstDot].lowercased() + "."
        let name = key[key.index(after: lastDot)...].lowercased()
        return allowedPatterns.contains { $0.prefix == section && $0.suffixes.contains(name) }
    }
}
