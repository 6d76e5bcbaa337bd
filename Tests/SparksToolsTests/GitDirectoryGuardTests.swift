import Foundation
import SparksCore
import SparksSandbox
import SparksTesting
import Testing

/// A spark controls its clone's `.git`; Sparks' own git commands on the host must not run what
/// that directory asks for, nor write through links planted in it.
@Suite struct GitDirectoryGuardTests {
    func workspace() throws -> (Workspace, WorkspaceManager, TemporaryDirectory, TemporaryDirectory) {
        let repo = try TemporaryDirectory.gitRepository(prefix: "guard-repo")
        let root = try TemporaryDirectory(prefix: "guard-ws")
        let manager = WorkspaceManager(root: root.path)
        return (try manager.create(taskID: UUID(), repository: repo.path), manager, repo, root)
    }

    @Test func configThatRunsCommandsIsRemovedBeforeHostGitRuns() throws {
        let (space, manager, _, root) = try workspace()
        let marker = root.file("host-command-ran")
        // What a spark could write with the git tool or file tools inside its sandbox.
        let config = try String(contentsOfFile: space.path + "/.git/config", encoding: .utf8) + """
            [core]
            \tfsmonitor = "touch \(marker).fsmonitor; false"
            \tsshCommand = touch \(marker).ssh
            [filter "evil"]
            \tclean = touch \(marker).filter; cat
            \tsmudge = cat
            [diff]
            \texternal = touch \(marker).diff
            [include]
            \tpath = /etc/hostname

            """
        try config.write(toFile: space.path + "/.git/config", atomically: true, encoding: .utf8)
        try "* filter=evil\n".write(toFile: space.path + "/.gitattributes", atomically: true, encoding: .utf8)
        try "change\n".write(toFile: space.path + "/file.txt", atomically: true, encoding: .utf8)

        #expect(try manager.commitAll(space, message: "task") != nil)
        _ = try manager.diff(space)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("host-command-ran") }
        #expect(leftovers.isEmpty, "host git ran a command from the workspace's config: \(leftovers)")
        let cleaned = try String(contentsOfFile: space.path + "/.git/config", encoding: .utf8)
        for key in ["fsmonitor", "sshCommand", "filter", "external", "include"] { #expect(!cleaned.contains(key)) }
        #expect(cleaned.contains("[remote \"origin\"]"))
        #expect(cleaned.contains("repositoryformatversion"))
    }

    @Test func linksInsideGitAreRefused() throws {
        let (space, manager, _, root) = try workspace()
        let outside = root.file("elsewhere")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: space.path + "/.git/logs")
        try FileManager.default.createSymbolicLink(atPath: space.path + "/.git/logs", withDestinationPath: outside)
        try "change\n".write(toFile: space.path + "/file.txt", atomically: true, encoding: .utf8)
        #expect(throws: SparksError.self) { try manager.commitAll(space, message: "task") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    @Test func aGitFileOrForeignAlternatesAreRefused() throws {
        let (space, manager, _, root) = try workspace()
        try "/tmp/somewhere/objects\n".write(toFile: space.path + "/.git/objects/info/alternates", atomically: true, encoding: .utf8)
        #expect(throws: SparksError.self) { try manager.commitAll(space, message: "task") }

        let (second, manager2, _, _) = try workspace()
        try FileManager.default.moveItem(atPath: second.path + "/.git", toPath: root.file("moved-git"))
        try "gitdir: \(root.file("moved-git"))\n".write(toFile: second.path + "/.git", atomically: true, encoding: .utf8)
        #expect(throws: SparksError.self) { try manager2.commitAll(second, message: "task") }
    }
}
