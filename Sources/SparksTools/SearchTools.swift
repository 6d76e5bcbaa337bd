import Foundation
import SparksCore
import SparksSandbox

/// `grep(pattern, path?)`: lines matching a regular expression.
public struct GrepTool: Tool {
    public init() {}
    public let name = "grep"
    public let description = "Search file contents with a regular expression. Returns `path:line: text` for each "
        + "matching line (at most 200). `path` limits the search to a file or directory."
    public let risk = ToolRisk.read
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["pattern": ["type": "string", "description": "Regular expression (ICU syntax)"],
                        "path": ["type": "string", "description": "File or directory to search (default: whole repository)"],
                        "include": ["type": "string", "description": "Only files whose name matches this glob, e.g. *.swift"]],
         "required": ["pattern"]]
    }

    static let maxMatches = 200
    static let maxFileBytes = 2 * 1024 * 1024

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let pattern = try arguments.requiredString("pattern", "query", "regex")
        let start = try context.pathGuard.resolve(try arguments.optionalString("path", "directory") ?? ".", for: .read)
        let include = try arguments.optionalString("include", "glob").map { text throws(SparksError) -> GlobPattern in
            do { return try GlobPattern(text) } catch {
                throw SparksError(.toolArguments, "grep: `include` is not a valid glob: \(text)")
            }
        }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw SparksError(.toolArguments, "grep: `\(pattern)` is not a valid regular expression; escape special characters such as ( [ { . * + ?")
        }
        let guardRoot = context.pathGuard
        var lines: [String] = []
        var truncated = false
        var filesSearched = 0
        func search(_ path: String) {
            let shown = guardRoot.relative(path)
            guard PathGuard.sensitivity(of: shown, access: .read) == nil,
                  let data = FileManager.default.contents(atPath: path), data.count <= Self.maxFileBytes,
                  !data.prefix(8192).contains(0)
            else { return }
            filesSearched += 1
            let text = String(decoding: data, as: UTF8.self)
            var number = 0
            text.enumerateLines { line, stop in
                number += 1
                if regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil {
                    lines.append("\(shown):\(number): \(line.count > 300 ? String(line.prefix(300)) + "…" : line)")
                    if lines.count >= Self.maxMatches {
                        truncated = true
                        stop = true
                    }
                }
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory) else {
            throw SparksError(.toolFailed, "grep: \(guardRoot.relative(start)) does not exist")
        }
        if isDirectory.boolValue {
            RepositoryWalker.walk(root: guardRoot.root, start: start) { entry in
                if !entry.isDirectory, !entry.isSymlink, include?.matches(entry.relativePath) ?? true {
                    search(entry.absolutePath)
                }
                return !truncated
            }
        } else {
            search(start)
        }
        if lines.isEmpty {
            return ToolOutput("no matches for `\(pattern)` in \(filesSearched) file(s)")
        }
        var text = lines.joined(separator: "\n")
        if truncated { text += "\n[… stopped at \(Self.maxMatches) matches; narrow the pattern or the path …]" }
        return ToolOutput(OutputLimit.truncate(text, limit: context.maxOutputChars))
    }
}

/// `glob(pattern)`: files whose paths match a glob.
public struct GlobTool: Tool {
    public init() {}
    public let name = "glob"
    public let description = "Find files by glob pattern, e.g. `**/*.swift`, `src/*.ts`, `*.md` (a pattern without / "
        + "matches file names at any depth). Returns sorted paths relative to the repository root (at most 500)."
    public let risk = ToolRisk.read
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["pattern": ["type": "string", "description": "Glob pattern"],
                        "path": ["type": "string", "description": "Directory to search (default: whole repository)"]],
         "required": ["pattern"]]
    }

    static let maxResults = 500

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let patternText = try arguments.requiredString("pattern", "glob")
        let start = try context.pathGuard.resolve(try arguments.optionalString("path", "directory") ?? ".", for: .read)
        let pattern: GlobPattern
        do { pattern = try GlobPattern(patternText) } catch {
            throw SparksError(.toolArguments, "glob: `\(patternText)` is not a valid pattern")
        }
        var matches: [String] = []
        RepositoryWalker.walk(root: context.pathGuard.root, start: start) { entry in
            if !entry.isDirectory, pattern.matches(entry.relativePath) { matches.append(entry.relativePath) }
            return matches.count <= Self.maxResults
        }
        if matches.isEmpty { return ToolOutput("no files match `\(patternText)`") }
        matches.sort()
        var text = matches.prefix(Self.maxResults).joined(separator: "\n")
        if matches.count > Self.maxResults { text += "\n[… more than \(Self.maxResults) files; narrow the pattern …]" }
        return ToolOutput(OutputLimit.truncate(text, limit: context.maxOutputChars))
    }
}

/// `list_dir(path?)`: a directory's entries.
public struct ListDirTool: Tool {
    public init() {}
    public let name = "list_dir"
    public let description = "List a directory of the repository (default: the root). Directories end with /; "
        + "files show their size."
    public let risk = ToolRisk.read
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["path": ["type": "string", "description": "Directory relative to the repository root (default .)"]]]
    }

    static let maxEntries = 1000

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let resolved = try context.pathGuard.resolve(try arguments.optionalString("path", "directory") ?? ".", for: .read)
        let shown = context.pathGuard.relative(resolved)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: resolved).sorted()
        } catch {
            throw SparksError(.toolFailed, "list_dir: \(shown) is not a directory that can be listed")
        }
        if names.isEmpty { return ToolOutput("\(shown) is empty") }
        var lines: [String] = []
        for name in names.prefix(Self.maxEntries) {
            var info = stat()
            guard lstat(resolved + "/" + name, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: lines.append(name + "/")
            case S_IFLNK: lines.append(name + " -> (link)")
            default: lines.append("\(name)  (\(info.st_size) bytes)")
            }
        }
        if names.count > Self.maxEntries { lines.append("[… \(names.count - Self.maxEntries) more entries …]") }
        return ToolOutput(OutputLimit.truncate(lines.joined(separator: "\n"), limit: context.maxOutputChars))
    }
}
