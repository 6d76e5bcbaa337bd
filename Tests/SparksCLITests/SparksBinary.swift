import Foundation
import SparksTesting

/// Runs the built `sparks` executable as a user would, with its own environment.
struct SparksBinary {
    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    static var path: String {
        // The test bundle sits next to the products in the build directory.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (executable as NSString).deletingLastPathComponent
        while !directory.isEmpty, directory != "/" {
            let candidate = (directory as NSString).appendingPathComponent("sparks")
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return "sparks"
    }

    let home: TemporaryDirectory
    var environment: [String: String]
    /// A command that runs `sparks` (e.g. `setpriv` to change user).
    var prefix: [String] = []

    init(home: TemporaryDirectory, baseURL: String? = nil, extra: [String: String] = [:]) {
        self.home = home
        var environment = ["SPARKS_HOME": home.path, "HOME": home.path, "PATH": "/usr/bin:/bin",
                           "SPARKS_LLM_MODEL": "scripted-model", "SPARKS_LLM_MAX_RETRIES": "0",
                           // Tests run daemons side by side: each HTTP server on a free port.
                           "SPARKS_API_BIND": "127.0.0.1:0"]
        if let baseURL { environment["SPARKS_LLM_BASE_URL"] = baseURL }
        self.environment = environment.merging(extra) { _, new in new }
    }

    /// Starts `sparks` with `arguments`; output goes to files so a full pipe can never block it.
    func start(_ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> (Process, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prefix.first ?? Self.path)
        process.arguments = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [Self.path] + arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? home.path)
        let id = UUID().uuidString.prefix(8)
        let out = home.file("out-\(id).txt")
        let err = home.file("err-\(id).txt")
        FileManager.default.createFile(atPath: out, contents: nil, attributes: [.posixPermissions: 0o666])
        FileManager.default.createFile(atPath: err, contents: nil, attributes: [.posixPermissions: 0o666])
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        if let input {
            let inputFile = home.file("in-\(id).txt")
            FileManager.default.createFile(atPath: inputFile, contents: Data(input.utf8))
            process.standardInput = FileHandle(forReadingAtPath: inputFile)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return (process, out, err)
    }

    func run(_ arguments: [String], in directory: String? = nil, input: String? = nil, timeout: Double = 60) async throws -> Result {
        let (process, out, err) = try start(arguments, in: directory, input: input)
        let deadline = Date(timeIntervalSinceNow: timeout)
        // Poll instead of waitUntilExit: blocking a concurrency thread could starve the in-process test server.
        while process.isRunning {
            if Date() > deadline { process.terminate() }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Result(exitCode: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
