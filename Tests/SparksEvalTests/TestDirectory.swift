import Foundation

/// A fresh directory under the system temp folder; tests `defer { remove() }`. The path is
/// symlink-resolved so it compares equal to what the snapshot store records.
struct TestDirectory {
    let path: String

    init(_ prefix: String = "sparks-eval-test") throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.resolvingSymlinksInPath().path
    }

    func file(_ relative: String) -> String { "\(path)/\(relative)" }

    @discardableResult
    func write(_ relative: String, _ content: String) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: target, atomically: false, encoding: .utf8)
        return target
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: file(relative), encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
