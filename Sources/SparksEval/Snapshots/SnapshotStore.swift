import Foundation

/// Workspace snapshots as `tar.gz` archives with JSON sidecars in one directory.
///
/// Snapshots leave out `.git`, `.build`, `node_modules`, `target` and `__pycache__` at any depth,
/// refuse workspaces over a size limit, and keep at most `maxSnapshots`, pruning the oldest.
/// Operations on one store are not serialized; run them from one task at a time.
public struct SnapshotStore: Sendable {
    /// Where archives and sidecars live.
    public let directory: String
    /// Largest workspace, in MiB of regular-file content, that may be snapshotted.
    public let maxWorkspaceMB: Int
    /// How many snapshots to keep; creating one more prunes the oldest.
    public let maxSnapshots: Int
    /// The home directory restore refuses to write over.
    public let homeDirectory: String
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - now: the clock used to stamp snapshots; tests pass a controlled one.
    ///   - homeDirectory: the directory restore treats as the user's home.
    public init(
        directory: String, maxWorkspaceMB: Int = 50, maxSnapshots: Int = 20,
        homeDirectory: String = NSHomeDirectory(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.directory = WorkspaceFiles.resolved(directory)
        self.maxWorkspaceMB = maxWorkspaceMB
        self.maxSnapshots = max(1, maxSnapshots)
        self.homeDirectory = homeDirectory
        self.now = now
    }

    /// The size limit in bytes.
    public var maxWorkspaceBytes: Int64 { Int64(maxWorkspaceMB) * 1_048_576 }

    /// Path of a snapshot's archive.
    public func archivePath(for id: String) -> String { "\(directory)/\(id).tar.gz" }

    /// Path of a snapshot's sidecar.
    public func sidecarPath(for id: String) -> String { "\(directory)/\(id).json" }

    /// Archives `workspace`, records its sidecar, then prunes the oldest snapshots beyond
    /// `maxSnapshots` (never the new one).
    /// - Throws: `snapshot_workspace_missing`, `snapshot_too_large`, `snapshot_tool_failed`, `snapshot_io`.
    @discardableResult
    public func create(workspace: String, label: String? = nil) throws(SnapshotError) -> SnapshotInfo {
        let root = try existingDirectory(workspace)
        // A store kept inside the workspace must not archive itself.
        let storeInside = root != directory && WorkspaceFiles.isInside(directory, root)
        let files = try WorkspaceFiles.walk(root: root, skipping: storeInside ? [directory] : [])
        let size = WorkspaceFiles.totalBytes(files)
        guard size <= maxWorkspaceBytes else {
            throw SnapshotError(
                .tooLarge,
                "workspace \(root) holds \(Self.megabytes(size)) MB of files, over the \(maxWorkspaceMB) MB snapshot limit",
                hint: "delete large or generated files from the workspace, or raise the snapshot size limit")
        }
        try ensureDirectory()
        let id = UUID().uuidString.lowercased()
        let archive = archivePath(for: id)
        let partial = "\(archive).partial"
        var arguments = ["-czf", partial]
        arguments += WorkspaceFiles.excludedNames.map { "--exclude=\($0)" }
        if storeInside { arguments.append("--exclude=./\(directory.dropFirst(root.count + 1))") }
        arguments += ["-C", root, "."]
        let result = try ToolRunner.run("tar", arguments)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw SnapshotError(
                .toolFailed, "tar could not archive \(root) (exit \(result.status)): \(Self.firstLines(result.stderr))",
                hint: "check that every file in the workspace is readable and that nothing is rewriting it during the snapshot")
        }
        let info = SnapshotInfo(id: id, createdAt: now(), sizeBytes: size, label: label, path: root)
        do {
            try FileManager.default.moveItem(atPath: partial, toPath: archive)
            try JSONFiles.encoder().encode(info).write(to: URL(fileURLWithPath: sidecarPath(for: id)), options: .atomic)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            try? FileManager.default.removeItem(atPath: archive)
            throw SnapshotError(
                .io, "cannot store snapshot \(id) in \(directory)",
                hint: "check that the snapshot directory is writable and the disk is not full", cause: error)
        }
        try prune(keeping: id)
        return info
    }

    /// Every readable snapshot, newest first. Sidecars that cannot be decoded, or whose archive
    /// is gone, are skipped.
    public func list() -> [SnapshotInfo] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var snapshots: [SnapshotInfo] = []
        for name in names where name.hasSuffix(".json") {
            let id = String(name.dropLast(".json".count))
            guard let data = FileManager.default.contents(atPath: sidecarPath(for: id)),
                let info = try? JSONDecoder().decode(SnapshotInfo.self, from: data),
                info.id == id, FileManager.default.fileExists(atPath: archivePath(for: id))
            else { continue }
            snapshots.append(info)
        }
        return snapshots.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// The snapshot whose id is `prefix` or, failing that, the only one whose id starts with it.
    /// - Throws: `snapshot_not_found`, `snapshot_ambiguous`.
    public func info(id prefix: String) throws(SnapshotError) -> SnapshotInfo {
        let needle = prefix.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let all = list()
        guard !needle.isEmpty else {
            throw SnapshotError(.notFound, "no snapshot id given", hint: "pass a snapshot id or its first few characters")
        }
        if let exact = all.first(where: { $0.id == needle }) { return exact }
        let matches = all.filter { $0.id.hasPrefix(needle) }
        switch matches.count {
        case 1:
            return matches[0]
        case 0:
            throw SnapshotError(
                .notFound, "no snapshot id starts with \"\(needle)\" in \(directory)",
                hint: "list the snapshots to see their ids")
        default:
            let shown = matches.prefix(5).map(\.id).joined(separator: ", ")
            throw SnapshotError(
                .ambiguous, "\(matches.count) snapshots start with \"\(needle)\": \(shown)",
                hint: "give more characters of the id")
        }
    }

    /// Deletes the oldest snapshots beyond `maxSnapshots` and returns their ids.
    @discardableResult
    public func prune() throws(SnapshotError) -> [String] {
        try prune(keeping: nil)
    }

    @discardableResult
    private func prune(keeping keptID: String?) throws(SnapshotError) -> [String] {
        let all = list()
        guard all.count > maxSnapshots else { return [] }
        let oldestFirst = all.reversed().filter { $0.id != keptID }
        var removed: [String] = []
        for info in oldestFirst.prefix(all.count - maxSnapshots) {
            do {
                try FileManager.default.removeItem(atPath: archivePath(for: info.id))
                try FileManager.default.removeItem(atPath: sidecarPath(for: info.id))
            } catch {
                throw SnapshotError(
                    .io, "cannot delete old snapshot \(info.id) from \(directory)",
                    hint: "check the snapshot directory's permissions", cause: error)
            }
            removed.append(info.id)
        }
        return removed
    }

    func ensureDirectory() throws(SnapshotError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SnapshotError(
                .io, "cannot create snapshot directory \(directory)",
                hint: "check the parent directory's permissions", cause: error)
        }
    }

    /// `path` resolved to an absolute directory that exists.
    func existingDirectory(_ path: String) throws(SnapshotError) -> String {
        let resolved = WorkspaceFiles.resolved(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SnapshotError(
                .workspaceMissing, "\(path) is not an existing directory",
                hint: "pass the path of the workspace directory")
        }
        return resolved
    }

    /// Extracts snapshot `id`'s archive into `destination`, which must exist.
    func extract(_ id: String, into destination: String) throws(SnapshotError) {
        let result = try ToolRunner.run("tar", ["-xzf", archivePath(for: id), "--no-same-owner", "-C", destination])
        guard result.status == 0 else {
            throw SnapshotError(
                .toolFailed, "tar could not extract snapshot \(id) (exit \(result.status)): \(Self.firstLines(result.stderr))",
                hint: "the archive may be damaged; try another snapshot")
        }
    }

    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory(_ purpose: String) throws(SnapshotError) -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sparks-\(purpose)-\(UUID().uuidString.lowercased())").path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw SnapshotError(
                .io, "cannot create a temporary directory for \(purpose)",
                hint: "check that the temporary directory is writable", cause: error)
        }
        return WorkspaceFiles.resolved(path)
    }

    static func megabytes(_ bytes: Int64) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func firstLines(_ text: String) -> String {
        text.split(separator: "\n").prefix(3).joined(separator: " / ")
    }
}
