import Crypto
import Foundation
import SparksCore
import Synchronization

extension ErrorCode {
    /// The secret store could not read, write, encrypt or decrypt `$SPARKS_HOME/secrets.json`.
    public static let secretsFailed = ErrorCode("secrets_failed")
    /// A secret that a caller requires (`SecretStore.require(_:)`) is not stored.
    public static let secretNotFound = ErrorCode("secret_not_found")
}

/// Secrets (API keys) encrypted at rest in `$SPARKS_HOME/secrets.json`.
///
/// Each value is sealed with AES-256-GCM under a master key (see `KeySource` for where that key
/// lives); the secret's name is the authenticated data, so moving a ciphertext to another name
/// makes it fail to open. The file is mode 0600, replaced atomically, and every operation holds an
/// exclusive `flock` on `$SPARKS_HOME/secrets.lock`, so several processes may share one home.
///
/// All methods are synchronous and may block on the lock or on `secret-tool`: call them from
/// synchronous code (or a dedicated thread), not from inside a busy async executor.
public final class SecretStore: Sendable {
    /// One stored secret as `list()` shows it: never the value.
    public struct Entry: Sendable, Hashable {
        public let name: String
        public let updatedAt: Date
    }

    /// `$SPARKS_HOME`.
    public let home: String
    /// `$SPARKS_HOME/secrets.json`.
    public let path: String
    private let lockPath: String
    private let keys: MasterKeyResolver

    /// - Parameters:
    ///   - home: `$SPARKS_HOME`; created with mode 0700 on the first write.
    ///   - environment: the process environment (injected so tests can swap it). `SPARKS_MASTER_KEY`,
    ///     `DBUS_SESSION_BUS_ADDRESS` and `PATH` choose where the master key comes from.
    public init(home: String, environment: [String: String]) {
        self.home = home
        path = (home as NSString).appendingPathComponent("secrets.json")
        lockPath = (home as NSString).appendingPathComponent("secrets.lock")
        keys = MasterKeyResolver(home: home, environment: environment)
    }

    /// Where the master key comes from (or will come from on the first `set`), for
    /// `sparks secrets list` and `sparks doctor`. May run `secret-tool lookup`.
    public var keySource: KeySource { keys.source }

    /// Why the OS keyring was not used although it looked available (`secret-tool` failed), or nil.
    public var keyringFallbackReason: String? { keys.keyringFallbackReason }

    /// Stores (or replaces) `name`. Refuses when other stored secrets cannot be opened with the
    /// current master key, so one file never mixes two keys.
    public func set(_ name: String, value: String) throws(SparksError) {
        try Self.validate(name: name)
        guard !value.isEmpty else {
            throw SparksError(.invalidInput, "secret '\(name)' has an empty value",
                              hint: "pass a non-empty value; to remove a secret use `sparks secrets delete \(name)`")
        }
        try createHome()
        try withFileLock { () throws(SparksError) in
            var file = try readFile() ?? SecretsFile()
            // A new key only when nothing else depends on the old one.
            let key = try keys.resolve(mayCreate: file.secrets.keys.allSatisfy { $0 == name }, storedCount: file.secrets.count)
            for (other, entry) in file.secrets where other != name {
                _ = try unseal(entry, name: other, key: key, refusingWriteOf: name)
            }
            let sealed: Data?
            do {
                sealed = try AES.GCM.seal(Data(value.utf8), using: key.symmetricKey, authenticating: Data(name.utf8)).combined
            } catch {
                throw SparksError(.secretsFailed, "cannot encrypt secret '\(name)'", cause: error)
            }
            // `combined` is nil only for non-standard nonce sizes; the default nonce is 12 bytes.
            guard let sealed else { throw SparksError(.secretsFailed, "cannot encrypt secret '\(name)'") }
            file.secrets[name] = SecretsFile.Entry(sealed: sealed.base64EncodedString(), updatedAt: Self.timestamp(Date()))
            try writeFile(file)
        }
    }

    /// The secret called `name`, or nil when none is stored.
    public func get(_ name: String) throws(SparksError) -> Secret? {
        try Self.validate(name: name)
        return try withExistingFile { file throws(SparksError) -> Secret? in
            guard let entry = file.secrets[name] else { return nil }
            let key = try keys.resolve(mayCreate: false, storedCount: file.secrets.count)
            return Secret(try unseal(entry, name: name, key: key))
        } ?? nil
    }

    /// The secret called `name`; throws `secretNotFound` with a hint to set it when absent.
    public func require(_ name: String) throws(SparksError) -> Secret {
        guard let secret = try get(name) else {
            throw SparksError(.secretNotFound, "no secret named '\(name)' is stored in \(path)",
                              hint: "store it with `sparks secrets set \(name)`")
        }
        return secret
    }

    /// Every stored secret's name and last update, sorted by name. Never decrypts anything.
    public func list() throws(SparksError) -> [Entry] {
        let entries = try withExistingFile { file throws(SparksError) -> [Entry] in
            var entries: [Entry] = []
            for (name, entry) in file.secrets {
                entries.append(Entry(name: name, updatedAt: try Self.date(entry.updatedAt, name: name, path: path)))
            }
            return entries
        } ?? []
        return entries.sorted { $0.name < $1.name }
    }

    /// Removes `name`; returns whether it was stored. Needs no master key.
    @discardableResult
    public func delete(_ name: String) throws(SparksError) -> Bool {
        try Self.validate(name: name)
        return try withExistingFile { file throws(SparksError) -> Bool in
            var file = file
            guard file.secrets.removeValue(forKey: name) != nil else { return false }
            try writeFile(file)
            return true
        } ?? false
    }

    /// Every stored value, for the redactor (so logs and events can scrub them).
    public func allValues() throws(SparksError) -> [String] {
        try withExistingFile { file throws(SparksError) -> [String] in
            guard !file.secrets.isEmpty else { return [] }
            let key = try keys.resolve(mayCreate: false, storedCount: file.secrets.count)
            var values: [String] = []
            for name in file.secrets.keys.sorted() {
                if let entry = file.secrets[name] { values.append(try unseal(entry, name: name, key: key)) }
            }
            return values
        } ?? []
    }

    // MARK: - Names

    /// `^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`
    static func validate(name: String) throws(SparksError) {
        let bytes = Array(name.utf8)
        func isLetter(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        let valid = (1...64).contains(bytes.count)
            && (isLetter(bytes[0]) || bytes[0] == UInt8(ascii: "_"))
            && bytes.dropFirst().allSatisfy { isLetter($0) || isDigit($0) || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-")].contains($0) }
        guard !valid else { return }
        // A long "name" may be a value passed in the wrong place: do not echo it.
        let shown = bytes.count <= 64 ? "'\(name)'" : "of \(bytes.count) characters"
        throw SparksError(.invalidInput, "invalid secret name \(shown)",
                          hint: "a name starts with a letter or '_' and continues with up to 63 letters, digits, '_', '.' or '-'")
    }

    // MARK: - Sealing

    private func unseal(_ entry: SecretsFile.Entry, name: String, key: MasterKey, refusingWriteOf pending: String? = nil)
        throws(SparksError) -> String
    {
        do {
            guard let combined = Data(base64Encoded: entry.sealed) else { throw CocoaError(.coderInvalidValue) }
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key.symmetricKey, authenticating: Data(name.utf8))
            guard let value = String(data: plain, encoding: .utf8) else { throw CocoaError(.coderInvalidValue) }
            return value
        } catch {
            let refusal = pending.map { " (so '\($0)' was not stored: one file must not mix two master keys)" } ?? ""
            throw SparksError(
                .secretsFailed,
                "cannot decrypt secret '\(name)' in \(path): the master key changed or the file was edited\(refusal)",
                hint: "restore the master key that sealed it (now using \(key.source)), "
                    + "or run `sparks secrets delete \(name)` and set it again")
        }
    }

    // MARK: - File

    /// Runs `body` on the current file under the lock; nil (and no lock file) when there is none yet.
    private func withExistingFile<T>(_ body: (SecretsFile) throws(SparksError) -> T) throws(SparksError) -> T? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try withFileLock { () throws(SparksError) -> T? in
            guard let file = try readFile() else { return nil }
            return try body(file)
        }
    }

    private func readFile() throws(SparksError) -> SecretsFile? {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw SparksError(.secretsFailed, "cannot read \(path): \(error.localizedDescription)",
                              hint: "check that the file belongs to you and is readable (mode 0600)", cause: error)
        }
        let file: SecretsFile
        do {
            file = try JSONDecoder().decode(SecretsFile.self, from: data)
        } catch {
            throw SparksError(.secretsFailed, "\(path) is not a valid secrets file",
                              hint: "restore it from a backup, or move it away to start over (its secrets are then lost)")
        }
        guard file.version == SecretsFile.currentVersion else {
            throw SparksError(.secretsFailed, "\(path) has format version \(file.version); this sparks reads version 1",
                              hint: "use the sparks version that wrote it, or upgrade sparks")
        }
        return file
    }

    /// Writes a temp file created 0600 with O_EXCL next to `path`, then renames it over `path`.
    private func writeFile(_ file: SecretsFile) throws(SparksError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(file)
        } catch {
            throw SparksError(.secretsFailed, "cannot encode \(path)", cause: error)
        }
        let temporary = path + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try FileIO.createExclusive(temporary, contents: data)
            guard rename(temporary, path) == 0 else { throw FileIO.Failure(operation: "rename", errno: errno) }
        } catch {
            unlink(temporary)
            throw SparksError(.secretsFailed, "cannot write \(path): \(error)",
                              hint: "check that \(home) is writable and the disk is not full")
        }
    }

    private func createHome() throws(SparksError) {
        do {
            try FileManager.default.createDirectory(
                atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SparksError(.secretsFailed, "cannot create \(home): \(error.localizedDescription)",
                              hint: "check SPARKS_HOME and its parent's permissions", cause: error)
        }
    }

    /// Holds an exclusive `flock` on `secrets.lock` while `body` runs (read-modify-write across processes).
    private func withFileLock<T>(_ body: () throws(SparksError) -> T) throws(SparksError) -> T {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SparksError(.secretsFailed, "cannot open \(lockPath): \(String(cString: strerror(errno)))",
                              hint: "check that \(home) belongs to you and is writable")
        }
        // Closing the descriptor releases the lock.
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw SparksError(.secretsFailed, "cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        return try body()
    }

    // MARK: - Dates

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func timestamp(_ date: Date) -> String { date.formatted(timestampStyle) }

    private static func date(_ text: String, name: String, path: String) throws(SparksError) -> Date {
        guard let date = try? timestampStyle.parse(text) else {
            throw SparksError(.secretsFailed, "secret '\(name)' in \(path) has an invalid updated_at '\(text)'",
                              hint: "fix the timestamp (e.g. 2026-11-27T07:00:00.000Z) or set the secret again")
        }
        return date
    }
}

/// `secrets.json`: `{"version":1,"secrets":{"NAME":{"sealed":"…","updated_at":"…"}}}`.
struct SecretsFile: Codable, Sendable {
    static let currentVersion = 1

    struct Entry: Codable, Sendable {
        /// base64 of `AES.GCM.SealedBox.combined` (nonce, ciphertext, tag); the name is the authenticated data.
        var sealed: String
        var updatedAt: String

        enum CodingKeys: String, CodingKey {
            case sealed
            case updatedAt = "updated_at"
        }
    }

    var version = SecretsFile.currentVersion
    var secrets: [String: Entry] = [:]
}
