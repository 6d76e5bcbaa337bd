import Foundation
import SparksIntake
import Synchronization

/// A `CommandRunner` that answers from a script: each command line has a queue of results, the
/// last of which repeats. Unscripted commands exit 1 with "unscripted" on stderr, so a test sees
/// any command it did not expect. (In the main repo this belongs in `SparksTesting`.)
final class ScriptedCommandRunner: CommandRunner {
    struct Call: Hashable {
        var executable: String
        var arguments: [String]
        var directory: String
    }

    private let state = Mutex<(script: [[String]: [CommandResult]], calls: [Call])>(([:], []))

    init() {}

    /// Queues `results` for `executable arguments…`.
    func on(_ commandLine: [String], _ results: CommandResult...) {
        state.withLock { $0.script[commandLine, default: []] += results }
    }

    var calls: [Call] { state.withLock { $0.calls } }

    /// The command lines run, as `[executable] + arguments`.
    var commandLines: [[String]] { calls.map { [$0.executable] + $0.arguments } }

    func count(_ commandLine: [String]) -> Int { commandLines.filter { $0 == commandLine }.count }

    func run(_ executable: String, _ arguments: [String], in directory: String) async -> CommandResult {
        state.withLock { state in
            state.calls.append(Call(executable: executable, arguments: arguments, directory: directory))
            let key = [executable] + arguments
            guard var queue = state.script[key], let first = queue.first else {
                return CommandResult(exitCode: 1, stderr: "unscripted: \(key.joined(separator: " "))")
            }
            if queue.count > 1 {
                queue.removeFirst()
                state.script[key] = queue
            }
            return first
        }
    }
}

extension CommandResult {
    static func ok(_ stdout: String) -> CommandResult { CommandResult(exitCode: 0, stdout: stdout) }
    static func failed(_ code: Int32, _ stderr: String, stdout: String = "") -> CommandResult {
        CommandResult(exitCode: code, stdout: stdout, stderr: stderr)
    }
}
