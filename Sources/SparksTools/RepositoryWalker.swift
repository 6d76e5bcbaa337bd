import Foundation
import SparksSandbox

/// Walks a directory tree without following symbolic links, skipping version-control and build
/// directories that are large and rarely what a spark is looking for.
struct RepositoryWalker {
    static let skippedDirectories: Set<String> = [".git", "node_modules", ".build", "target", "__pycache__", ".venv",
                                                  "venv", "dist", ".next", ".gradle", "DerivedData"]

    struct Entry {
        var relativePath: String
        var absolutePath: String
        var isDirectory: Bool
        var isSymlink: Bool
        var size: Int
    }

    /// Visits entries depth-first in name order; `visit` returns false to stop early.
    static func walk(root: String, start: String, visit: (Entry) -> Bool) {
        var stack: [String] = [start]
        while let directory = stack.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            var subdirectories: [String] = []
            for name in names.sorted() {
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                let type = info.st_mode & S_IFMT
                let entry = Entry(relativePath: relative(path, root: root), absolutePath: path, isDirectory: type == S_IFDIR,
                                  isSymlink: type == S_IFLNK, size: Int(info.st_size))
                if entry.isDirectory {
                    if skippedDirectories.contains(name) { continue }
                    subdirectories.append(path)
                }
                if !visit(entry) { return }
            }
            stack.append(contentsOf: subdirectories.reversed())
        }
    }

    static func relative(_ path: String, root: String) -> String {
        path == root ? "." : String(path.dropFirst(root.count + 1))
    }
}

/// Glob patterns: `*` and `?` within a path segment, `**` across segments, `{a,b}` alternatives.
/// A pattern without `/` matches file names at any depth (`*.swift`).
struct GlobPattern {
    let regex: NSRegularExpression
    let matchesNameOnly: Bool

    init(_ pattern: String) throws {
        var source = "^"
        let characters = Array(pattern.hasPrefix("./") ? String(pattern.dropFirst(2)) : pattern)
        var index = 0
        var inBraces = false
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*":
                if index + 1 < characters.count, characters[index + 1] == "*" {
                    if index + 2 < characters.count, characters[index + 2] == "/" {
                        source += "(?:.*/)?"
                        index += 2
                    } else {
                        source += ".*"
                        index += 1
                    }
                } else {
                    source += "[^/]*"
                }
            case "?": source += "[^/]"
            case "{":
                inBraces = true
                source += "(?:"
            case "}" where inBraces:
                inBraces = false
                source += ")"
            case "," where inBraces: source += "|"
            default: source += NSRegularExpression.escapedPattern(for: String(character))
            }
            index += 1
        }
        source += "$"
        regex = try NSRegularExpression(pattern: source)
        matchesNameOnly = !pattern.contains("/")
    }

    func matches(_ relativePath: String) -> Bool {
        let subject = matchesNameOnly ? (relativePath as NSString).lastPathComponent : relativePath
        return regex.firstMatch(in: subject, range: NSRange(subject.startIndex..., in: subject)) != nil
    }
}
