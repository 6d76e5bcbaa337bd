import Foundation

/// One file found by `WorkspaceFiles.walk`.
struct WorkspaceFile: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case regular
        case symlink
    }

    /// Path relative to the walked root, `/`-separated.
    var relativePath: String
    var kind: Kind
    var size: Int64
}

/// Walks a workspace the way the snapshot archive sees it: excluded directory names are skipped at
/// any depth, symlinks are reported but never followed.
enum WorkspaceFiles {
    /// Directory names left out of snapshots, sizes and diffs: version control and build output
    /// that can be regenerated and would dwarf the sources.
    static let excludedNames = [".git", ".build", "node_modules", "target", "__pycache__"]

    /// Regular files and symlinks under `root`, sorted by path. `skipping` holds absolute paths
    /// (already standardized) to leave out, such as a snapshot store inside the workspace.
    static func walk(root: String, skipping: Set<String> = []) throws(SnapshotError) -> [WorkspaceFile] {
        var files: [WorkspaceFile] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? root : "\(root)/\(relative)"
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: absolute)
            } catch {
                throw SnapshotError(
                    .io, "cannot list \(absolute)", hint: "check the directory's permissions", cause: error)
            }
            for name in names {
                let childRelative = relative.isEmpty ? name : "\(relative)/\(name)"
                let childAbsolute = "\(root)/\(childRelative)"
                guard !skipping.contains(childAbsolute) else { continue }
                // attributesOfItem does not follow a final symlink, so links are seen as links.
                let attributes = try? FileManager.default.attributesOfItem(atPath: childAbsolute)
                switch attributes?[.type] as? FileAttributeType {
                case .typeDirectory?:
                    if !excludedNames.contains(name) { pending.append(childRelative) }
                case .typeRegular?:
                    let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
                    files.append(WorkspaceFile(relativePath: childRelative, kind: .regular, size: size))
                case .typeSymbolicLink?:
                    files.append(WorkspaceFile(relativePath: childRelative, kind: .symlink, size: 0))
                default:
                    // Sockets, FIFOs and devices are not workspace content.
                    continue
                }
            }
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// Sum of the regular files' sizes.
    static func totalBytes(_ files: [WorkspaceFile]) -> Int64 {
        files.reduce(0) { $0 + ($1.kind == .regular ? $1.size : 0) }
    }

    /// Whether `a` and `b` hold the same content: same bytes for files, same destination for links.
    static func sameContent(_ a: String, _ b: String) -> Bool {
        let manager = FileManager.default
        let typeA = (try? manager.attributesOfItem(atPath: a))?[.type] as? FileAttributeType
        let typeB = (try? manager.attributesOfItem(atPath: b))?[.type] as? FileAttributeType
        guard let typeA, typeA == typeB else { return false }
        if typeA == .typeSymbolicLink {
            return (try? manager.destinationOfSymbolicLink(atPath: a)) == (try? manager.destinationOfSymbolicLink(atPath: b))
        }
        return manager.contentsEqual(atPath: a, andPath: b)
    }

    /// `path` made absolute against the current directory, with `.`, `..` and repeated slashes removed.
    static func absolute(_ path: String) -> String {
        let rooted = path.hasPrefix("/") ? path : "\(FileManager.default.currentDirectoryPath)/\(path)"
        return (rooted as NSString).standardizingPath
    }

    /// `absolute(path)` with symlinks in the existing part of the path resolved.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: absolute(path)).resolvingSymlinksInPath().path
    }

    /// Whether `path` is `directory` or lies inside it (both absolute and standardized).
    static func isInside(_ path: String, _ directory: String) -> Bool {
        path == directory || path.hasPrefix(directory == "/" ? "/" : "\(directory)/")
    }
}
