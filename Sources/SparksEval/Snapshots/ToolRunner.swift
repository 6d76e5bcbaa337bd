import Foundation

/// The result of running `tar` or `diff`.
struct ToolResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the command-line tools snapshots are built on. Output goes to temporary files rather than
/// pipes so a chatty tool can never block on a full pipe while we wait for it to exit.
enum ToolRunner {
    /// Where to look when `PATH` does not have the tool.
    static let fallbackDirectories = ["/usr/bin", "/bin", "/usr/local/bin", "/opt/homebrew/bin"]

    static func run(_ tool: String, _ arguments: [String]) throws(SnapshotError) -> ToolResult {
        let executable = try locate(tool)
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("sparks-tool-\(UUID().uuidString.lowercased())")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw SnapshotError(
                .io, "cannot create a temporary directory to run \(tool)",
                hint: "check that the temporary directory is writable", cause: error)
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        // Stable, English tool messages: diff output is shown to users and parsed by tests.
        environment["LC_ALL"] = "C"
        process.environment = environment
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
        else {
            throw SnapshotError(
                .io, "cannot create output files to run \(tool)",
                hint: "check that the temporary directory is writable")
        }
        do {
            let out = try FileHandle(forWritingTo: outURL)
            let err = try FileHandle(forWritingTo: errURL)
            defer {
                try? out.close()
                try? err.close()
            }
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        } catch {
            throw SnapshotError(
                .toolFailed, "could not start \(executable)",
                hint: "check that \(tool) is executable", cause: error)
        }
        // Lossy decoding: a file name that is not UTF-8 must not hide the rest of the output.
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return ToolResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    private static func locate(_ tool: String) throws(SnapshotError) -> String {
        let pathDirectories = (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map(String.init)
        for directory in pathDirectories + fallbackDirectories {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SnapshotError(
            .toolMissing, "\(tool) is not installed or not on PATH",
            hint: "install \(tool) (snapshots need tar and diff)")
    }
}
