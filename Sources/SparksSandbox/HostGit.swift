import Foundation
import SparksCore

/// Git commands Sparks itself runs on the host (creating a task's clone, committing its result,
/// merging it back). Fixed arguments, hooks disabled, no prompts, a clean environment: these
/// are Sparks' own operations, never a spark's.
public struct HostGit: Sendable {
    public init() {}

    @discardableResult
    public func run(_ arguments: [String], in directory: String, allowFailure: Bool = false) throws(SparksError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "commit.gpgsign=false",
                             "-c", "advice.detachedHead=false"]
            + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ["PATH": "/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0", "LANG": "C.UTF-8",
                           "GIT_AUTHOR_NAME": "Sparks", "GIT_AUTHOR_EMAIL": "sparks@localhost",
                           "GIT_COMMITTER_NAME": "Sparks", "GIT_COMMITTER_EMAIL": "sparks@localhost"]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch {
            throw SparksError(.workspaceFailed, "cannot run git: \(error.localizedDescription)", hint: "install git")
        }
        // Read both pipes before waiting, so a large diff cannot fill a pipe and stall git.
        let group = DispatchGroup()
        let box = DataBox()
        group.enter()
        DispatchQueue.global().async {
            box.errors = PipeReading.all(errors.fileHandleForReading)
            group.leave()
        }
        let data = PipeReading.all(output.fileHandleForReading)
        group.wait()
        exited.wait()
        let text = String(decoding: data, as: UTF8.self)
        if process.terminationStatus != 0, !allowFailure {
            let message = String(decoding: box.errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SparksError(.workspaceFailed, "git \(arguments.first ?? "") failed in \(directory): \(message)")
        }
        return text
    }

    public func isRepository(_ directory: String) -> Bool {
        (try? run(["rev-parse", "--is-inside-work-tree"], in: directory, allowFailure: true))?
            .trimmingCharacters(in: .whitespacesAndNewlines) == "true"
    }
}

private final class DataBox: @unchecked Sendable {
    // Written by one reader thread before `group.wait()` returns; read after.
    var errors = Data()
}
