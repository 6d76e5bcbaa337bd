import Foundation
import SparksCore
import Synchronization

/// Directories made by tests, removed when the test process exits.
private let madeDirectories = Mutex<[String]>([])
private let cleanupRegistered = Mutex(false)

private func removeMadeDirectories() {
    for path in madeDirectories.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
}

/// A directory under the system temp folder, removed by `remove()` or when the process exits.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "sparks-test") throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        // Resolve symlinks (e.g. /tmp → /private/tmp) so paths compare equal to resolved ones.
        path = (base as NSString).resolvingSymlinksInPath
        let resolved = path
        madeDirectories.withLock { $0.append(resolved) }
        if cleanupRegistered.withLock({ registered in defer { registered = true }; return !registered }) {
            atexit { removeMadeDirectories() }
        }
    }

    public func file(_ relative: String) -> String {
        (path as NSString).appendingPathComponent(relative)
    }

    @discardableResult
    public func write(_ relative: String, _ content: String) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: target, atomically: false, encoding: .utf8)
        return target
    }

    public func read(_ relative: String) -> String? {
        try? String(contentsOfFile: file(relative), encoding: .utf8)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension TemporaryDirectory {
    /// A temporary git repository with `files` committed on `main`.
    public static func gitRepository(prefix: String = "repo", files: [String: String] = ["README.md": "# Demo\n"]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: prefix)
        for (path, content) in files { try directory.write(path, content) }
        try directory.git("init", "--quiet", "--initial-branch=main")
        try directory.git("add", "-A")
        try directory.git("-c", "user.name=Test", "-c", "user.email=test@localhost", "commit", "--quiet", "-m", "initial")
        return directory
    }

    /// Runs git in this directory; throws when it fails.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path)
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": path, "GIT_CONFIG_NOSYSTEM": "1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = PipeReading.all(output.fileHandleForReading)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "git", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "git \(arguments.joined(separator: " ")) failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
