import Foundation

/// One side of a snapshot diff.
public enum SnapshotDiffSide: Sendable, Hashable {
    /// A snapshot, by id or unique id prefix.
    case snapshot(String)
    /// A live directory, such as the workspace a snapshot was taken from.
    case directory(String)

    /// Reads a command-line argument: anything containing `/`, or `.`/`..`/`~`, is a directory;
    /// anything else is a snapshot id prefix. Write `./name` for a directory in the current one.
    public init(argument: String) {
        if argument.contains("/") || argument == "." || argument == ".." || argument.hasPrefix("~") {
            self = .directory((argument as NSString).expandingTildeInPath)
        } else {
            self = .snapshot(argument)
        }
    }
}

extension SnapshotStore {
    /// `diff -rq` between two snapshots, or a snapshot and a directory, with the compared roots
    /// shown as `a/` and `b/` (e.g. `Files a/x.txt and b/x.txt differ`, `Only in b: new.txt`).
    /// Excluded directories are ignored on both sides. Empty when the two sides are identical.
    public func diff(_ a: String, _ b: String) throws(SnapshotError) -> String {
        try diff(SnapshotDiffSide(argument: a), SnapshotDiffSide(argument: b))
    }

    /// `diff -rq` between two sides; see `diff(_:_:)` for the output.
    public func diff(_ a: SnapshotDiffSide, _ b: SnapshotDiffSide) throws(SnapshotError) -> String {
        let scratch = try Self.temporaryDirectory("diff")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let rootA = try materialize(a, in: "\(scratch)/a")
        let rootB = try materialize(b, in: "\(scratch)/b")
        let arguments = ["-rq"] + WorkspaceFiles.excludedNames.flatMap { ["-x", $0] } + [rootA, rootB]
        let result = try ToolRunner.run("diff", arguments)
        // 0: identical, 1: differences found, anything else: diff itself failed.
        guard result.status == 0 || result.status == 1 else {
            throw SnapshotError(
                .toolFailed, "diff failed (exit \(result.status)): \(Self.firstLines(result.stderr))",
                hint: "check that both sides are readable; broken symlinks in a live directory can cause this")
        }
        // Longer root first, so a root that prefixes the other cannot split it.
        let replacements = [(rootA, "a"), (rootB, "b")].sorted { $0.0.count > $1.0.count }
        var output = result.stdout
        for (root, name) in replacements {
            output = output.replacingOccurrences(of: "\(root)/", with: "\(name)/")
                .replacingOccurrences(of: "\(root):", with: "\(name):")
                .replacingOccurrences(of: "\(root) ", with: "\(name) ")
        }
        return output
    }

    /// The directory to compare for `side`: a snapshot extracted into `scratch`, or the live directory.
    private func materialize(_ side: SnapshotDiffSide, in scratch: String) throws(SnapshotError) -> String {
        switch side {
        case .directory(let path):
            return try existingDirectory(path)
        case .snapshot(let prefix):
            let snapshot = try info(id: prefix)
            do {
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            } catch {
                throw SnapshotError(
                    .io, "cannot create a temporary directory for the diff",
                    hint: "check that the temporary directory is writable", cause: error)
            }
            try extract(snapshot.id, into: scratch)
            return scratch
        }
    }
}
