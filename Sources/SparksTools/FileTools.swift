import Foundation
import SparksCore
import SparksSandbox

/// `file_read(path, start_line?, end_line?)`: a text file of the repository.
public struct FileReadTool: Tool {
    public init() {}
    public let name = "file_read"
    public let description = "Read a text file of the repository. Paths are relative to the repository root. "
        + "For long files, pass start_line and end_line (1-based, inclusive) to read a part."
    public let risk = ToolRisk.read
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["path": ["type": "string", "description": "File path relative to the repository root"],
                        "start_line": ["type": "integer", "description": "First line to read (1-based)"],
                        "end_line": ["type": "integer", "description": "Last line to read (inclusive)"]],
         "required": ["path"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let path = try arguments.requiredString("path", "file_path", "filename")
        let resolved = try context.pathGuard.resolve(path, for: .read)
        let shown = context.pathGuard.relative(resolved)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            throw SparksError(.toolFailed, "file_read: \(shown) does not exist; use glob or list_dir to find files")
        }
        guard !isDirectory.boolValue else {
            throw SparksError(.toolFailed, "file_read: \(shown) is a directory; use list_dir to see what it contains")
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw SparksError(.toolFailed, "file_read: \(shown) cannot be read")
        }
        if data.prefix(8192).contains(0) {
            return ToolOutput("\(shown) is a binary file (\(data.count) bytes); its content is not shown")
        }
        let text = String(decoding: data, as: UTF8.self)
        let start = try arguments.optionalInt("start_line")
        let end = try arguments.optionalInt("end_line")
        if start != nil || end != nil {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = max(1, start ?? 1)
            let last = min(lines.count, end ?? lines.count)
            guard first <= last else {
                throw SparksError(.toolFailed, "file_read: \(shown) has \(lines.count) lines; lines \(first)–\(end ?? first) do not exist")
            }
            let slice = lines[(first - 1)..<last].joined(separator: "\n")
            return ToolOutput(OutputLimit.truncate("[\(shown): lines \(first)–\(last) of \(lines.count)]\n" + slice,
                                                   limit: context.maxOutputChars))
        }
        if text.isEmpty { return ToolOutput("[\(shown) is empty]") }
        return ToolOutput(OutputLimit.truncate(text, limit: context.maxOutputChars,
                                               hint: "read the rest with start_line and end_line"))
    }
}

/// `file_write(path, content)`: creates or replaces a file.
public struct FileWriteTool: Tool {
    public init() {}
    public let name = "file_write"
    public let description = "Create a file, or replace a file's whole content. Parent directories are created. "
        + "To change part of an existing file, prefer file_edit."
    public let risk = ToolRisk.write
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["path": ["type": "string", "description": "File path relative to the repository root"],
                        "content": ["type": "string", "description": "The complete new content of the file"]],
         "required": ["path", "content"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let path = try arguments.requiredString("path", "file_path", "filename")
        let content = try arguments.requiredString("content", "text")
        let resolved = try context.pathGuard.resolve(path, for: .write)
        let shown = context.pathGuard.relative(resolved)
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw SparksError(.toolFailed, "file_write: \(shown) is a directory")
        }
        try FileWriting.write(content, to: resolved, shown: shown, tool: name)
        return ToolOutput("\(existed ? "replaced" : "created") \(shown) (\(content.utf8.count) bytes)", changedFiles: [shown])
    }
}

/// `file_edit(path, old, new)`: replaces one exact, unique piece of text.
public struct FileEditTool: Tool {
    public init() {}
    public let name = "file_edit"
    public let description = "Replace one exact piece of text in a file. `old` must match the file's text exactly "
        + "(including whitespace) and occur exactly once; include surrounding lines to make it unique."
    public let risk = ToolRisk.write
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["path": ["type": "string", "description": "File path relative to the repository root"],
                        "old": ["type": "string", "description": "The exact text to replace (must occur once)"],
                        "new": ["type": "string", "description": "The replacement text"]],
         "required": ["path", "old", "new"]]
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        let path = try arguments.requiredString("path", "file_path", "filename")
        let old = try arguments.requiredString("old", "old_string", "old_text")
        let new = try arguments.requiredString("new", "new_string", "new_text")
        guard !old.isEmpty else {
            throw SparksError(.toolArguments, "file_edit: `old` is empty; to create a file use file_write")
        }
        let resolved = try context.pathGuard.resolve(path, for: .write)
        let shown = context.pathGuard.relative(resolved)
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw SparksError(.toolFailed, "file_edit: \(shown) does not exist; create it with file_write")
        }
        let text = String(decoding: data, as: UTF8.self)
        let count = text.components(separatedBy: old).count - 1
        guard count == 1 else {
            if count == 0 {
                throw SparksError(.toolFailed, "file_edit: the `old` text was not found in \(shown); read the file again and copy the text exactly, including whitespace")
            }
            throw SparksError(.toolFailed, "file_edit: the `old` text occurs \(count) times in \(shown); include more surrounding lines so it occurs once")
        }
        guard let range = text.range(of: old) else {
            throw SparksError(.toolFailed, "file_edit: the `old` text was not found in \(shown)")
        }
        let updated = text.replacingCharacters(in: range, with: new)
        try FileWriting.write(updated, to: resolved, shown: shown, tool: name)
        let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        return ToolOutput("edited \(shown) at line \(line) (\(old.count) → \(new.count) characters)", changedFiles: [shown])
    }
}

enum FileWriting {
    /// Writes through a temporary file and a rename, so a crash never leaves half a file.
    static func write(_ content: String, to path: String, shown: String, tool: String) throws(SparksError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = directory + "/.sparks-write-\(UUID().uuidString)"
            try Data(content.utf8).write(to: URL(fileURLWithPath: temporary))
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
               let permissions = attributes[.posixPermissions]
            {
                try? FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary)
            }
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw SparksError(.toolFailed, "\(tool): cannot write \(shown): \(reason)")
            }
        } catch let error as SparksError {
            throw error
        } catch {
            throw SparksError(.toolFailed, "\(tool): cannot write \(shown): \(error.localizedDescription)")
        }
    }
}
