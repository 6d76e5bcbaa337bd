import Foundation
import SparksCore

/// Confines paths to one directory tree (a task's repository). Every file tool and every path a
/// spark names goes through it: `..`, absolute paths outside the root, symlinks that resolve
/// outside it, and files that usually hold secrets are refused.
public struct PathGuard: Sendable {
    /// The root, with symlinks resolved.
    public let root: String

    public enum Access: Sendable {
        case read, write
    }

    public init(root: String) throws(SparksError) {
        guard let real = Self.realPath(root) else {
            throw SparksError(.repoNotFound, "repository \(root) does not exist", hint: "pass an existing directory with --repo")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SparksError(.repoNotFound, "repository \(root) is not a directory")
        }
        self.root = real
    }

    /// Resolves a path given by a spark (relative to the root, or absolute inside it) to an
    /// absolute real path, or refuses it with an error meant for the model to read.
    public func resolve(_ path: String, for access: Access) throws(SparksError) -> String {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw refuse(path, "the path is empty") }
        guard !trimmed.contains("\0") else { throw refuse(path, "the path contains a NUL byte") }
        var relative = trimmed
        if trimmed.hasPrefix("/") {
            guard trimmed == root || trimmed.hasPrefix(root + "/") else {
                throw refuse(path, "it is outside the repository; use a path relative to the repository root")
            }
            relative = String(trimmed.dropFirst(root.count))
        } else if trimmed.hasPrefix("~") {
            throw refuse(path, "home-directory paths are outside the repository")
        }
        let components = relative.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if components.contains("..") {
            throw refuse(path, "`..` is not allowed; use a path inside the repository")
        }
        let candidate = components.isEmpty ? root : root + "/" + components.joined(separator: "/")
        // Follow symlinks in whatever part of the path exists; the result must stay inside the root.
        var existing = candidate
        var missing: [String] = []
        while Self.realPath(existing) == nil, existing != root {
            missing.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        var probe = existing
        for name in missing {
            probe += "/" + name
            if Self.isSymlink(probe) { throw refuse(path, "it goes through a symbolic link that points nowhere") }
        }
        guard let realExisting = Self.realPath(existing), realExisting == root || realExisting.hasPrefix(root + "/") else {
            throw refuse(path, "it resolves (through a symbolic link) to a place outside the repository")
        }
        let resolved = ([realExisting] + missing).joined(separator: "/")
        let relativeResolved = resolved == root ? "" : String(resolved.dropFirst(root.count + 1))
        if let reason = Self.sensitivity(of: relativeResolved, access: access) ?? Self.sensitivity(of: components.joined(separator: "/"), access: access) {
            throw refuse(path, reason)
        }
        return resolved
    }

    /// The path relative to the root, for showing to the model and the user.
    public func relative(_ absolute: String) -> String {
        if absolute == root { return "." }
        if absolute.hasPrefix(root + "/") { return String(absolute.dropFirst(root.count + 1)) }
        return absolute
    }

    /// Why a path inside the repository is off limits, or nil if it is not.
    public static func sensitivity(of relativePath: String, access: Access) -> String? {
        let parts = relativePath.split(separator: "/").map(String.init)
        guard let name = parts.last else { return nil }
        if parts.first == ".git" {
            if access == .write { return "files inside .git are managed by git; use git to change them" }
            if parts.count >= 2, parts[1] == "config" || parts[1] == "hooks" {
                return ".git/\(parts[1]) is protected (it can hold credentials or run code)"
            }
        }
        let lower = name.lowercased()
        let envTemplates = [".env.example", ".env.sample", ".env.template", ".env.dist"]
        if lower.hasPrefix(".env"), !envTemplates.contains(lower) {
            return "\(name) usually holds secrets and is protected"
        }
        let secretNames = ["credentials.json", "secrets.toml", ".netrc", ".npmrc", ".pypirc", ".git-credentials",
                           "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        if secretNames.contains(lower) {
            return "\(name) usually holds secrets and is protected"
        }
        for suffix in [".pem", ".key", ".p12", ".pfx", ".keystore", ".jks"] where lower.hasSuffix(suffix) {
            return "\(name) looks like a private key or keystore and is protected"
        }
        return nil
    }

    private func refuse(_ path: String, _ reason: String) -> SparksError {
        SparksError(.pathRefused, "path \"\(path)\" refused: \(reason)")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }
}
