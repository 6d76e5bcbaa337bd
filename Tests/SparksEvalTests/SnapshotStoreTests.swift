import Foundation
import Testing

@testable import SparksEval

@Suite("Snapshot store: create, list, prune, resolve")
struct SnapshotStoreTests {
    @Test func createWritesArchiveAndSidecarAndSkipsExcludedDirectories() throws {
        let fixture = try SnapshotFixture(files: [
            "a.txt": "alpha\n", "sub/b.txt": "bravo bravo\n", ".git/config": "[core]\n",
            "node_modules/pkg/index.js": String(repeating: "x", count: 5000), "sub/__pycache__/m.pyc": "bytecode",
        ])
        defer { fixture.remove() }
        let info = try fixture.store.create(workspace: fixture.workspace, label: "before refactor")
        #expect(info.sizeBytes == Int64("alpha\n".utf8.count + "bravo bravo\n".utf8.count))
        #expect(info.label == "before refactor")
        #expect(info.path == fixture.workspace)
        #expect(info.id.count == 36 && info.id == info.id.lowercased())
        #expect(FileManager.default.fileExists(atPath: fixture.store.archivePath(for: info.id)))

        let sidecar = try #require(FileManager.default.contents(atPath: fixture.store.sidecarPath(for: info.id)))
        let json = try #require(try JSONSerialization.jsonObject(with: sidecar) as? [String: Any])
        #expect(Set(json.keys) == ["id", "created_at", "size_bytes", "label", "path"])
        #expect(json["created_at"] as? String == "2023-11-14T22:14:20.000Z")
        #expect(fixture.store.list() == [info])

        let restored = fixture.root.file("restored")
        let plan = try fixture.store.restore(info.id, to: restored, apply: true)
        #expect(plan.create == ["a.txt", "sub/b.txt"])
        #expect(FileManager.default.fileExists(atPath: "\(restored)/sub/b.txt"))
        #expect(!FileManager.default.fileExists(atPath: "\(restored)/.git"))
        #expect(!FileManager.default.fileExists(atPath: "\(restored)/node_modules"))
        #expect(!FileManager.default.fileExists(atPath: "\(restored)/sub/__pycache__"))
    }

    @Test func listIsNewestFirstAndPruneKeepsTheCap() throws {
        let fixture = try SnapshotFixture(maxSnapshots: 3, files: ["a.txt": "a"])
        defer { fixture.remove() }
        var created: [SnapshotInfo] = []
        for index in 0..<5 {
            try fixture.write("a.txt", "version \(index)")
            created.append(try fixture.store.create(workspace: fixture.workspace, label: "v\(index)"))
        }
        let listed = fixture.store.list()
        #expect(listed.map(\.label) == ["v4", "v3", "v2"])
        #expect(listed.map(\.id) == created.suffix(3).reversed().map(\.id))
        for pruned in created.prefix(2) {
            #expect(!FileManager.default.fileExists(atPath: fixture.store.archivePath(for: pruned.id)))
            #expect(!FileManager.default.fileExists(atPath: fixture.store.sidecarPath(for: pruned.id)))
        }
        #expect(try fixture.store.prune().isEmpty)
    }

    @Test func tooLargeWorkspaceIsRefused() throws {
        let fixture = try SnapshotFixture(maxWorkspaceMB: 1)
        defer { fixture.remove() }
        try fixture.write("data.bin", String(repeating: "z", count: 1_600_000))
        let error = try #require(snapshotError { _ = try fixture.store.create(workspace: fixture.workspace, label: nil) })
        #expect(error.code == .tooLarge)
        #expect(error.code.rawValue == "snapshot_too_large")
        #expect(error.message.contains("1.5 MB") && error.message.contains("1 MB snapshot limit"))
        #expect(error.hint != nil)
        #expect(fixture.store.list().isEmpty)
    }

    @Test func excludedDirectoriesDoNotCountTowardTheLimit() throws {
        let fixture = try SnapshotFixture(maxWorkspaceMB: 1, files: ["main.swift": "print(1)\n"])
        defer { fixture.remove() }
        try fixture.write("node_modules/huge.js", String(repeating: "z", count: 1_600_000))
        try fixture.write(".build/debug/app", String(repeating: "z", count: 1_600_000))
        let info = try fixture.store.create(workspace: fixture.workspace, label: nil)
        #expect(info.sizeBytes == 9)
    }

    @Test func storeInsideTheWorkspaceIsNotArchived() throws {
        let root = try TestDirectory()
        defer { root.remove() }
        try root.write("src/main.swift", "print(1)\n")
        let store = SnapshotStore(directory: root.file(".sparks/snapshots"), homeDirectory: root.file("home"))
        let first = try store.create(workspace: root.path, label: nil)
        let second = try store.create(workspace: root.path, label: nil)
        #expect(first.sizeBytes == 9 && second.sizeBytes == 9)
        let plan = try store.restore(second.id, to: "\(root.path)-restored", apply: false)
        defer { try? FileManager.default.removeItem(atPath: "\(root.path)-restored") }
        #expect(plan.create == ["src/main.swift"])
    }

    @Test func missingWorkspaceIsReported() throws {
        let fixture = try SnapshotFixture()
        defer { fixture.remove() }
        let error = snapshotError { _ = try fixture.store.create(workspace: fixture.root.file("nope"), label: nil) }
        #expect(error?.code == .workspaceMissing)
    }

    @Test func idPrefixesResolveUniquelyOrSayWhy() throws {
        let fixture = try SnapshotFixture(files: ["a.txt": "a"])
        defer { fixture.remove() }
        let real = try fixture.store.create(workspace: fixture.workspace, label: "real")
        // Two hand-made snapshots sharing a prefix, with the real archive under their names.
        for fake in ["abc11111-0000-4000-8000-000000000000", "abc22222-0000-4000-8000-000000000000"] {
            try FileManager.default.copyItem(
                atPath: fixture.store.archivePath(for: real.id), toPath: fixture.store.archivePath(for: fake))
            let info = SnapshotInfo(
                id: fake, createdAt: Date(timeIntervalSince1970: 0), sizeBytes: 1, label: fake, path: fixture.workspace)
            try JSONEncoder().encode(info).write(to: URL(fileURLWithPath: fixture.store.sidecarPath(for: fake)))
        }
        try fixture.root.write("snapshots/broken.json", "{ nope")
        #expect(fixture.store.list().count == 3)

        #expect(try fixture.store.info(id: real.id) == real)
        #expect(try fixture.store.info(id: "ABC1").id == "abc11111-0000-4000-8000-000000000000")
        #expect(try fixture.store.info(id: "abc2").label == "abc22222-0000-4000-8000-000000000000")

        let ambiguous = snapshotError { _ = try fixture.store.info(id: "abc") }
        #expect(ambiguous?.code == .ambiguous)
        #expect(ambiguous?.message.contains("abc11111-0000-4000-8000-000000000000") == true)
        #expect(snapshotError { _ = try fixture.store.info(id: "zzz") }?.code == .notFound)
        #expect(snapshotError { _ = try fixture.store.info(id: "  ") }?.code == .notFound)
    }
}
