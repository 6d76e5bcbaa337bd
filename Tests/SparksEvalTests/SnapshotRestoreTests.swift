import Foundation
import Testing

@testable import SparksEval

@Suite("Snapshot store: diff and restore")
struct SnapshotRestoreTests {
    @Test func diffShowsChangedAndAddedFilesWithNeutralRoots() throws {
        let fixture = try SnapshotFixture(files: ["a.txt": "one\n", "keep.txt": "same\n"])
        defer { fixture.remove() }
        let before = try fixture.store.create(workspace: fixture.workspace, label: nil)
        try fixture.write("a.txt", "two\n")
        try fixture.write("new.txt", "fresh\n")
        try fixture.write(".git/HEAD", "ref: refs/heads/main\n")
        let after = try fixture.store.create(workspace: fixture.workspace, label: nil)

        let lines = try fixture.store.diff(before.id, after.id).split(separator: "\n").map(String.init)
        #expect(lines == ["Files a/a.txt and b/a.txt differ", "Only in b: new.txt"])

        // Against the live workspace, by explicit side and by path argument; .git is ignored.
        let live = try fixture.store.diff(.snapshot(String(before.id.prefix(8))), .directory(fixture.workspace))
        #expect(live.split(separator: "\n").map(String.init) == lines)
        #expect(try fixture.store.diff(before.id, fixture.workspace) == live)
        #expect(try fixture.store.diff(after.id, fixture.workspace) == "")
    }

    @Test func restoreDryRunThenApplyBringsBackContent() throws {
        let fixture = try SnapshotFixture(files: ["a.txt": "one\n", "b.txt": "keep\n", "c.txt": "deleted later\n"])
        defer { fixture.remove() }
        let snapshot = try fixture.store.create(workspace: fixture.workspace, label: nil)
        try fixture.write("a.txt", "two\n")
        try fixture.delete("c.txt")
        try fixture.write("added/new.txt", "added since\n")

        let dryRun = try fixture.store.restore(snapshot.id, to: nil, apply: false)
        #expect(!dryRun.applied)
        #expect(dryRun.target == fixture.workspace)
        #expect(dryRun.overwrite == ["a.txt"])
        #expect(dryRun.create == ["c.txt"])
        #expect(dryRun.unchanged == ["b.txt"])
        #expect(dryRun.leftAlone == ["added/new.txt"])
        #expect(dryRun.conflicts.isEmpty)
        #expect(dryRun.notes.contains { $0.contains("nothing was written") })
        #expect(fixture.read("a.txt") == "two\n")
        #expect(!fixture.exists("c.txt"))

        let applied = try fixture.store.restore(String(snapshot.id.prefix(6)), to: nil, apply: true)
        #expect(applied.applied)
        #expect(applied.overwrite == ["a.txt"])
        #expect(fixture.read("a.txt") == "one\n")
        #expect(fixture.read("c.txt") == "deleted later\n")
        #expect(fixture.read("added/new.txt") == "added since\n")
        #expect(applied.notes.contains { $0.contains("1 file(s) added since the snapshot are left alone") })

        let again = try fixture.store.restore(snapshot.id, to: nil, apply: false)
        #expect(again.overwrite.isEmpty && again.create.isEmpty)
        #expect(again.unchanged == ["a.txt", "b.txt", "c.txt"])
    }

    @Test func unsafeTargetsAreRefused() throws {
        let fixture = try SnapshotFixture(files: ["a.txt": "a"])
        defer { fixture.remove() }
        let snapshot = try fixture.store.create(workspace: fixture.workspace, label: nil)
        try FileManager.default.createDirectory(atPath: fixture.root.file("home"), withIntermediateDirectories: true)
        // System paths are only ever tried as dry runs, so a broken guard cannot write outside
        // the test's temporary directory.
        let systemPaths = ["/", "/tmp", "/usr", "/tmp/", String(repeating: "../", count: 40)]
        let temporaryPaths = [
            fixture.root.file("home"), fixture.root.file("home/../home/"), fixture.root.file("snapshots/inner"),
        ]
        let attempts = systemPaths.map { ($0, false) } + temporaryPaths.flatMap { [($0, false), ($0, true)] }
        for (target, apply) in attempts {
            let error = snapshotError { _ = try fixture.store.restore(snapshot.id, to: target, apply: apply) }
            #expect(error?.code == .unsafeTarget, "\(target) must be refused")
            #expect(error?.code.rawValue == "snapshot_unsafe_target")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.root.file("home/a.txt")))
        let defaultHome = SnapshotStore(directory: fixture.store.directory)
        #expect(
            snapshotError { _ = try defaultHome.restore(snapshot.id, to: NSHomeDirectory(), apply: false) }?.code == .unsafeTarget
        )
        #expect(fixture.read("a.txt") == "a")
    }

    @Test func conflictsAndFileTargetsStopAnApply() throws {
        let fixture = try SnapshotFixture(files: ["a.txt": "a", "dir/x.txt": "x"])
        defer { fixture.remove() }
        let snapshot = try fixture.store.create(workspace: fixture.workspace, label: nil)
        try fixture.delete("a.txt")
        try fixture.write("a.txt/inside.txt", "now a directory")

        let plan = try fixture.store.restore(snapshot.id, to: nil, apply: false)
        #expect(plan.conflicts == ["a.txt is a directory in the target but a file in the snapshot"])
        #expect(plan.unchanged == ["dir/x.txt"])
        let conflict = snapshotError { _ = try fixture.store.restore(snapshot.id, to: nil, apply: true) }
        #expect(conflict?.code == .restoreConflict)
        #expect(fixture.read("a.txt/inside.txt") == "now a directory")

        let file = try fixture.root.write("plain-file", "not a directory")
        #expect(snapshotError { _ = try fixture.store.restore(snapshot.id, to: file, apply: true) }?.code == .targetInvalid)
    }
}
