import Foundation

/// A directory under the system temp folder, removed when `remove()` is called.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "sparks-test") throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        // Resolve symlinks (e.g. /tmp → /private/tmp) so paths compare equal to resolved ones.
        path = (base as NSString).resolvingSymlinksInPath
    }

    public func file(_ relative: String) -> String {
        (path as NSString).appendingPathComponent(relative)
    }

    @discardableResult
    public func write(_ relative: String, _ content: String) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    public func read(_ relative: String) -> String? {
        try? String(contentsOfFile: file(relative), encoding: .utf8)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
