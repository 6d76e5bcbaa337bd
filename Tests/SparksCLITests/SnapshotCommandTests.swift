import Foundation
import SparksTesting
import Testing

/// `sparks snapshot` as a user runs it, on a real directory.
@Suite struct SnapshotCommandTests {
    @Test func createDiffRestoreAndRefuseTheRoot() async throws {
        let home = try TemporaryDirectory(prefix: "snap-home")
        let workspace = try TemporaryDirectory(prefix: "snap-ws")
        try workspace.write("notes.txt", "first\n")
        let sparks = SparksBinary(home: home)
        let create = try await sparks.run(["snapshot", "create", workspace.path, "--label", "before"])
        #expect(create.exitCode == 0, "stderr: \(create.stderr)")
        let id = String(create.stdout.prefix(8))
        try workspace.write("notes.txt", "second\n")
        try workspace.write("added.txt", "new\n")

        let list = try await sparks.run(["snapshot", "list"])
        #expect(list.stdout.contains(id) && list.stdout.contains("\"before\""))
        let diff = try await sparks.run(["snapshot", "diff", id, workspace.path])
        #expect(diff.stdout.contains("notes.txt") && diff.stdout.contains("added.txt"), "\(diff.stdout)")

        let dry = try await sparks.run(["snapshot", "restore", id])
        #expect(dry.exitCode == 0)
        #expect(dry.stdout.contains("would restore") && dry.stdout.contains("overwrite notes.txt"))
        #expect(workspace.read("notes.txt") == "second\n", "a dry run writes nothing")
        let apply = try await sparks.run(["snapshot", "restore", id, "--apply"])
        #expect(apply.exitCode == 0, "stderr: \(apply.stderr)")
        #expect(workspace.read("notes.txt") == "first\n")
        #expect(workspace.read("added.txt") == "new\n", "restore never deletes")

        let root = try await sparks.run(["snapshot", "restore", id, "--to", "/", "--apply"])
        #expect(root.exitCode == 1)
        #expect(root.stderr.contains("refusing to restore into /"))
    }
}
