import ArgumentParser
import Foundation
import SparksEval

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save, compare and restore a workspace's files (tar.gz under $SPARKS_HOME/snapshots).",
        discussion: """
            A snapshot holds a directory's files except .git, .build, node_modules, target and __pycache__;
            a workspace over 50 MB is refused, and the oldest snapshots beyond 20 are pruned. `restore` only
            shows what it would do unless --apply; it never removes files added since the snapshot.

            Examples:
              sparks snapshot create ~/src/app --label "before the refactor"
              sparks snapshot list
              sparks snapshot diff 3f2a ~/src/app
              sparks snapshot restore 3f2a --apply
            """,
        subcommands: [Create.self, List.self, Diff.self, Restore.self])

    static func store(_ options: GlobalOptions) throws -> SnapshotStore {
        let config = try CLI.loadConfig(options).config
        return SnapshotStore(directory: config.home + "/snapshots")
    }

    /// A snapshot error's message and hint (typed throws become `any Error` in the CLI's closure).
    static func fail(_ error: any Error) -> Error {
        guard let error = error as? SnapshotError else { return error }
        Terminal.error("error: \(error.message)" + (error.hint.map { " (\($0))" } ?? ""))
        return ExitCode.failure
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Snapshot a directory.")
        @Argument(help: "The directory (default: the current one).") var path = "."
        @Option(name: .long, help: "A label to recognise it by.") var label: String?
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try SnapshotCommand.store(options)
                do {
                    let info = try store.create(workspace: (path as NSString).expandingTildeInPath, label: label)
                    Terminal.out("\(info.id)  \(ByteCountFormatter.string(fromByteCount: info.sizeBytes, countStyle: .file))  \(info.path)")
                } catch {
                    throw SnapshotCommand.fail(error)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Snapshots, newest first.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let snapshots = try SnapshotCommand.store(options).list()
                if snapshots.isEmpty { Terminal.error("no snapshots yet: `sparks snapshot create PATH`") }
                for info in snapshots {
                    Terminal.out("\(info.id.prefix(8))  \(info.createdAt.formatted(.iso8601))  "
                        + "\(ByteCountFormatter.string(fromByteCount: info.sizeBytes, countStyle: .file))  \(info.path)"
                        + (info.label.map { "  \"\($0)\"" } ?? ""))
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff", abstract: "Which files differ between two snapshots, or a snapshot and a directory.")
        @Argument(help: "A snapshot id (prefix) or a directory path (with a /).") var first: String
        @Argument(help: "Another snapshot id or directory.") var second: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                do {
                    let output = try SnapshotCommand.store(options).diff(first, second)
                    Terminal.out(output.isEmpty ? "(no differences)" : output, newline: !output.hasSuffix("\n"))
                } catch {
                    throw SnapshotCommand.fail(error)
                }
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Put a snapshot's files back (a dry run unless --apply).")
        @Argument(help: "The snapshot id (or a unique prefix).") var id: String
        @Option(name: .long, help: "Restore into this directory instead of the one it was taken from.") var to: String?
        @Flag(name: .long, help: "Write the files; without it, only say what would change.") var apply = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                do {
                    let plan = try SnapshotCommand.store(options).restore(id, to: to.map { ($0 as NSString).expandingTildeInPath }, apply: apply)
                    Terminal.out("\(plan.applied ? "restored" : "would restore") \(plan.snapshotID.prefix(8)) into \(plan.target)")
                    for file in plan.overwrite { Terminal.out("  overwrite \(file)") }
                    for file in plan.create { Terminal.out("  create    \(file)") }
                    for file in plan.leftAlone { Terminal.out("  keep      \(file) (added since the snapshot)") }
                    for file in plan.conflicts { Terminal.out("  conflict  \(file)") }
                    for note in plan.notes { Terminal.error("note: \(note)") }
                } catch {
                    throw SnapshotCommand.fail(error)
                }
            }
        }
    }
}
