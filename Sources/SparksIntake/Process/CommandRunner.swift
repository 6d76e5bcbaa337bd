import Foundation

/// What a finished command left behind.
public struct CommandResult: Sendable, Hashable {
    /// The exit status; 127 when the executable was not found and 126 when it could not be
    /// started, as a shell reports them.
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, stdout: String = "", stderr: String = "") {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// Runs a command to completion. The CI monitor reaches `gh` and `git` only through this, so tests
/// script their answers and production uses `ProcessCommandRunner`.
///
/// Failures are results, not errors: a missing executable is exit 127 with a message on stderr.
public protocol CommandRunner: Sendable {
    /// Runs `executable` (a path, or a name looked up on `PATH`) with `arguments` in `directory`.
    func run(_ executable: String, _ arguments: [String], in directory: String) async -> CommandResult
}
