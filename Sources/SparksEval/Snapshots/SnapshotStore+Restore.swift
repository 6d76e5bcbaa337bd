import Foundation

extension SnapshotStore {
    /// Plans, and with `apply` performs, restoring snapshot `id` (or a unique prefix) into `path`,
    /// by default the directory it was taken from.
    ///
    /// A dry run writes nothing and reports which files would be overwritten or created. Applying
    /// extracts the archive over the target: files added since the snapshot are left alone, never
    /// deleted. The target may not be `/`, the home directory, a path with fewer than two
    /// components (such as `/tmp`), or inside the snapshot store.
    /// - Throws: `snapshot_not_found`, `snapshot_ambiguous`, `snapshot_unsafe_target`,
    ///   `snapshot_target_invalid`, `snapshot_restore_conflict`, `snapshot_tool_failed`, `snapshot_io`.
    public func restore(_ id: String, to path: String? = nil, apply: Bool = false) throws(SnapshotError) -> RestorePlan {
        let snapshot = try info(id: id)
        let target = try safeTarget(path ?? snapshot.path)
        var isDirectory: ObjCBool = false
        let targetExists = FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory)
        if targetExists && !isDirectory.boolValue {
            throw SnapshotError(
                .targetInvalid, "restore target \(target) is a file, not a directory",
                hint: "pass a directory to restore into")
        }

        let scratch = try Self.temporaryDirectory("restore")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try extract(snapshot.id, into: scratch)
        let snapshotFiles = try WorkspaceFiles.walk(root: scratch)
        let targetFiles = targetExists ? try WorkspaceFiles.walk(root: target) : []

        var plan = RestorePlan(
            snapshotID: snapshot.id, target: target, applied: false, overwrite: [], create: [], unchanged: [],
            leftAlone: [], conflicts: [], notes: [])
        for file in snapshotFiles {
            let source = "\(scratch)/\(file.relativePath)"
            let destination = "\(target)/\(file.relativePath)"
            if let conflict = conflict(for: file.relativePath, in: target) {
                plan.conflicts.append(conflict)
            } else if !Self.exists(destination) {
                plan.create.append(file.relativePath)
            } else if WorkspaceFiles.sameContent(source, destination) {
                plan.unchanged.append(file.relativePath)
            } else {
                plan.overwrite.append(file.relativePath)
            }
        }
        let inSnapshot = Set(snapshotFiles.map(\.relativePath))
        plan.leftAlone = targetFiles.map(\.relativePath).filter { !inSnapshot.contains($0) }

        if apply {
            guard plan.conflicts.isEmpty else {
                throw SnapshotError(
                    .restoreConflict,
                    "cannot restore into \(target): \(plan.conflicts.prefix(3).joined(separator: "; "))",
                    hint: "move the conflicting paths aside, or restore into an empty directory with `to:`")
            }
            do {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            } catch {
                throw SnapshotError(
                    .io, "cannot create restore target \(target)",
                    hint: "check the parent directory's permissions", cause: error)
            }
            try extract(snapshot.id, into: target)
            plan.applied = true
        }
        plan.notes = notes(for: plan)
        return plan
    }

    /// The absolute target, or `snapshot_unsafe_target` when writing over it could wreck far
    /// more than a workspace. Checked both as written and with symlinks resolved.
    private func safeTarget(_ path: String) throws(SnapshotError) -> String {
        let written = WorkspaceFiles.absolute(path)
        let resolved = WorkspaceFiles.resolved(path)
        let homes = Set([WorkspaceFiles.absolute(homeDirectory), WorkspaceFiles.resolved(homeDirectory)])
        for candidate in [written, resolved] {
            let depth = candidate.split(separator: "/").count
            var reason: String?
            if candidate == "/" {
                reason = "it is the file-system root"
            } else if homes.contains(candidate) {
                reason = "it is the home directory"
            } else if depth < 2 {
                reason = "it has fewer than two path components"
            } else if WorkspaceFiles.isInside(candidate, directory) {
                reason = "it is inside the snapshot store"
            }
            if let reason {
                throw SnapshotError(
                    .unsafeTarget, "refusing to restore into \(path): \(reason)",
                    hint: "restore into the workspace directory itself, or into a new directory such as /tmp/sparks-restore")
            }
        }
        return resolved
    }

    /// Why `relativePath` cannot be written under `target`, if it cannot: the path is a directory
    /// there, or one of its parents is a file.
    private func conflict(for relativePath: String, in target: String) -> String? {
        var isDirectory: ObjCBool = false
        let destination = "\(target)/\(relativePath)"
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue,
            (try? FileManager.default.destinationOfSymbolicLink(atPath: destination)) == nil
        {
            return "\(relativePath) is a directory in the target but a file in the snapshot"
        }
        var parent = ""
        for component in relativePath.split(separator: "/").dropLast() {
            parent = parent.isEmpty ? String(component) : "\(parent)/\(component)"
            if FileManager.default.fileExists(atPath: "\(target)/\(parent)", isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                return "\(parent) is a file in the target but a directory in the snapshot"
            }
        }
        return nil
    }

    private func notes(for plan: RestorePlan) -> [String] {
        let verb = plan.applied ? ["overwrote", "created"] : ["would overwrite", "would create"]
        var notes = [
            "\(plan.applied ? "restored" : "dry run of") snapshot \(plan.snapshotID) into \(plan.target)",
            "\(verb[0]) \(plan.overwrite.count) file(s), \(verb[1]) \(plan.create.count), \(plan.unchanged.count) already match",
        ]
        if !plan.leftAlone.isEmpty {
            notes.append(
                "\(plan.leftAlone.count) file(s) added since the snapshot are left alone (restore never deletes): "
                    + plan.leftAlone.prefix(10).joined(separator: ", "))
        }
        if !plan.conflicts.isEmpty {
            notes.append("\(plan.conflicts.count) conflict(s) must be cleared before applying")
        }
        if !plan.applied {
            notes.append("nothing was written; pass apply to restore")
        }
        return notes
    }

    /// Whether anything, even a dangling symlink, is at `path`.
    private static func exists(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)) != nil
    }
}
