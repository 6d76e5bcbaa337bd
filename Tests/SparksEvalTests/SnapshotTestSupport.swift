import Foundation
import Synchronization
import Testing

@testable import SparksEval

/// A clock that moves one minute forward on every reading, so snapshot order is deterministic.
final class SteppingClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    func next() -> Date {
        current.withLock { date in
            date += 60
            return date
        }
    }
}

/// A workspace and a snapshot store side by side in one temporary directory.
struct SnapshotFixture {
    let root: TestDirectory
    let workspace: String
    let store: SnapshotStore

    init(maxWorkspaceMB: Int = 50, maxSnapshots: Int = 20, files: [String: String] = [:]) throws {
        root = try TestDirectory("sparks-snapshot-test")
        workspace = root.file("workspace")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        let clock = SteppingClock()
        store = SnapshotStore(
            directory: root.file("snapshots"), maxWorkspaceMB: maxWorkspaceMB, maxSnapshots: maxSnapshots,
            homeDirectory: root.file("home"), now: { clock.next() })
        for (path, content) in files { try write(path, content) }
    }

    @discardableResult
    func write(_ relative: String, _ content: String) throws -> String {
        try root.write("workspace/\(relative)", content)
    }

    func read(_ relative: String) -> String? {
        root.read("workspace/\(relative)")
    }

    func delete(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: "\(workspace)/\(relative)")
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(workspace)/\(relative)")
    }

    func remove() { root.remove() }
}

/// Runs `body` and returns the `SnapshotError` it threw; nil (and a recorded issue for any other
/// error) otherwise.
func snapshotError(_ body: () throws -> Void) -> SnapshotError? {
    do {
        try body()
        return nil
    } catch let error as SnapshotError {
        return error
    } catch {
        Issue.record("expected a SnapshotError, got \(error)")
        return nil
    }
}
