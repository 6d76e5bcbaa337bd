import Crypto
import Foundation
import SparksCore
import Synchronization

/// Where `SecretStore`'s 256-bit master key lives, in the order it is looked for.
public enum KeySource: Sendable, Hashable, CustomStringConvertible {
    /// `SPARKS_MASTER_KEY`: 64 hex digits or base64 of 32 bytes are the key itself; any other text
    /// is a passphrase, stretched with HKDF-SHA256 (salt `sparks-secrets-v1`, info `master`).
    /// HKDF does not slow down guessing, so a passphrase must be long and random. Surrounding
    /// whitespace is ignored.
    case environment
    /// The OS keyring (Secret Service through `secret-tool`, item `service=sparks home=<home>`),
    /// used when `DBUS_SESSION_BUS_ADDRESS` is set and `secret-tool` is on `PATH`.
    case keyring
    /// `$SPARKS_HOME/secrets.key` (mode 0600, base64 of 32 random bytes).
    case keyFile(path: String)

    public var description: String {
        switch self {
        case .environment: "SPARKS_MASTER_KEY"
        case .keyring: "the OS keyring"
        case .keyFile(let path): "key file \(path)"
        }
    }
}

/// A resolved master key and where it came from. Never printed.
struct MasterKey: Sendable {
    let bytes: Data
    let source: KeySource

    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }
}

/// Finds (and on first use creates) the master key; remembers it once found.
final class MasterKeyResolver: Sendable {
    static let keyByteCount = 32

    let home: String
    let environment: [String: String]
    let keyFilePath: String
    private let found = Mutex<MasterKey?>(nil)
    private let fallbackReason = Mutex<String?>(nil)

    init(home: String, environment: [String: String]) {
        self.home = home
        self.environment = environment
        keyFilePath = (home as NSString).appendingPathComponent("secrets.key")
    }

    /// Where the key comes from, or will come from on the first write.
    var source: KeySource {
        if let key = found.withLock({ $0 }) { return key.source }
        if let key = try? find(mayCreate: false) {
            found.withLock { $0 = key }
            return key.source
        }
        if secretToolPath() != nil, keyringFallbackReason == nil { return .keyring }
        return .keyFile(path: keyFilePath)
    }

    var keyringFallbackReason: String? { fallbackReason.withLock { $0 } }

    /// The master key. Creates one only when `mayCreate` (no stored secret depends on a lost key);
    /// otherwise a missing key is an error. Call with the secrets lock held.
    func resolve(mayCreate: Bool, storedCount: Int) throws(SparksError) -> MasterKey {
        if let key = found.withLock({ $0 }) { return key }
        guard let key = try find(mayCreate: mayCreate) else {
            throw SparksError(
                .secretsFailed, "no master key found for the \(storedCount) secret(s) stored in \(home)",
                hint: "set SPARKS_MASTER_KEY to the key that sealed them, or restore \(keyFilePath) "
                    + "or the keyring item (service sparks, home \(home))")
        }
        found.withLock { $0 = key }
        return key
    }

    private func find(mayCreate: Bool) throws(SparksError) -> MasterKey? {
        if let text = environment["SPARKS_MASTER_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            return MasterKey(bytes: Self.keyBytes(fromEnvironmentValue: text), source: .environment)
        }
        let tool = secretToolPath()
        var keyringWorks = false
        if let tool {
            switch try lookUpInKeyring(tool) {
            case .found(let key): return key
            case .absent: keyringWorks = true
            case .failed(let reason): fallbackReason.withLock { $0 = reason }
            }
        }
        // An existing key file wins over a new keyring key: secrets may have been sealed with it
        // in a session without a keyring.
        if let bytes = try readKeyFile() { return MasterKey(bytes: bytes, source: .keyFile(path: keyFilePath)) }
        guard mayCreate else { return nil }
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        if let tool, keyringWorks {
            if let reason = storeInKeyring(tool, key: fresh) {
                fallbackReason.withLock { $0 = reason }
            } else {
                return MasterKey(bytes: fresh, source: .keyring)
            }
        }
        return MasterKey(bytes: try createKeyFile(fresh), source: .keyFile(path: keyFilePath))
    }

    /// 64 hex digits or base64 of 32 bytes are used as they are; anything else is a passphrase.
    static func keyBytes(fromEnvironmentValue text: String) -> Data {
        if text.utf8.count == 2 * keyByteCount, let bytes = hexBytes(text) { return bytes }
        if let bytes = Data(base64Encoded: text), bytes.count == keyByteCount { return bytes }
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(text.utf8)), salt: Data("sparks-secrets-v1".utf8),
            info: Data("master".utf8), outputByteCount: keyByteCount)
        return derived.withUnsafeBytes { Data($0) }
    }

    private static func hexBytes(_ text: String) -> Data? {
        var bytes = Data(capacity: text.utf8.count / 2)
        var high: UInt8?
        for character in text.utf8 {
            guard let nibble = hexValue(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Key file

    private func readKeyFile() throws(SparksError) -> Data? {
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: keyFilePath))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw SparksError(.secretsFailed, "cannot read master key file \(keyFilePath): \(error.localizedDescription)",
                              hint: "check that it belongs to you (mode 0600)", cause: error)
        }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: text), bytes.count == Self.keyByteCount else {
            throw SparksError(.secretsFailed, "master key file \(keyFilePath) does not hold base64 of 32 bytes",
                              hint: "restore it from a backup; without it the stored secrets cannot be decrypted")
        }
        return bytes
    }

    /// Writes the key to a 0600 temp file, then links it into place: another process racing to
    /// create it either wins (its key is returned) or loses; nobody sees a half-written file.
    private func createKeyFile(_ key: Data) throws(SparksError) -> Data {
        let temporary = keyFilePath + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { unlink(temporary) }
        do {
            try FileIO.createExclusive(temporary, contents: Data((key.base64EncodedString() + "\n").utf8))
        } catch {
            throw SparksError(.secretsFailed, "cannot create master key file \(keyFilePath): \(error)",
                              hint: "check that \(home) is writable, or set SPARKS_MASTER_KEY")
        }
        if link(temporary, keyFilePath) == 0 { return key }
        let failure = errno
        if failure == EEXIST, let existing = try readKeyFile() { return existing }
        throw SparksError(.secretsFailed, "cannot create master key file \(keyFilePath): \(String(cString: strerror(failure)))",
                          hint: "check that \(home) is writable, or set SPARKS_MASTER_KEY")
    }

    // MARK: - Keyring

    private enum Lookup {
        case found(MasterKey)
        case absent
        case failed(String)
    }

    /// `secret-tool` on the environment's `PATH`, when a D-Bus session exists to reach the keyring.
    func secretToolPath() -> String? {
        guard let bus = environment["DBUS_SESSION_BUS_ADDRESS"], !bus.isEmpty else { return nil }
        // Empty PATH entries mean the current directory: never run a tool from there.
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            let candidate = (String(directory) as NSString).appendingPathComponent("secret-tool")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    private var keyringAttributes: [String] { ["service", "sparks", "home", home] }

    private func lookUpInKeyring(_ tool: String) throws(SparksError) -> Lookup {
        let result: ToolResult
        switch runTool(tool, ["lookup"] + keyringAttributes, input: nil) {
        case .success(let value): result = value
        case .failure(let reason): return .failed(reason.text)
        }
        let text = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // `secret-tool lookup` exits 1 without a message when no item matches.
        if text.isEmpty {
            return result.status == 0 || result.errors.isEmpty
                ? .absent : .failed("secret-tool lookup failed (status \(result.status)): \(result.errors)")
        }
        guard result.status == 0, let bytes = Data(base64Encoded: text), bytes.count == Self.keyByteCount else {
            throw SparksError(.secretsFailed, "the keyring item 'service sparks home \(home)' is not a sparks master key",
                              hint: "restore it, or set SPARKS_MASTER_KEY to the key that sealed the secrets")
        }
        return .found(MasterKey(bytes: bytes, source: .keyring))
    }

    /// Stores the key; returns why it failed, or nil.
    private func storeInKeyring(_ tool: String, key: Data) -> String? {
        let arguments = ["store", "--label=Sparks master key"] + keyringAttributes
        switch runTool(tool, arguments, input: Data(key.base64EncodedString().utf8)) {
        case .failure(let reason): return reason.text
        case .success(let result) where result.status != 0:
            return "secret-tool store failed (status \(result.status))" + (result.errors.isEmpty ? "" : ": \(result.errors)")
        case .success: return nil
        }
    }

    private struct ToolResult {
        var status: Int32
        var output: Data
        /// The first line of stderr, at most 200 characters (never holds the key: it goes in on stdin).
        var errors: String
    }

    private struct ToolFailure: Error {
        var text: String
    }

    /// Runs `secret-tool` synchronously with the injected environment.
    private func runTool(_ tool: String, _ arguments: [String], input: Data?) -> Result<ToolResult, ToolFailure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            // The input (a 44-byte key) fits the pipe buffer: writing it before the child starts cannot
            // block, and cannot raise SIGPIPE when the child exits without reading it.
            if let input { try stdin.fileHandleForWriting.write(contentsOf: input) }
            try process.run()
            try stdin.fileHandleForWriting.close()
        } catch {
            return .failure(ToolFailure(text: "cannot run \(tool): \(error.localizedDescription)"))
        }
        let output = PipeReading.all(stdout.fileHandleForReading)
        let errors = PipeReading.all(stderr.fileHandleForReading)
        process.waitUntilExit()
        let firstLine = String(decoding: errors, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return .success(ToolResult(status: process.terminationStatus, output: output, errors: String(firstLine.prefix(200))))
    }
}

/// The few raw file operations the secret store needs.
enum FileIO {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var errno: Int32

        var description: String { "\(operation): \(String(cString: strerror(errno)))" }
    }

    /// Creates `path` with O_EXCL and `mode` from the start (never briefly readable by others),
    /// writes `contents` and syncs them to disk.
    static func createExclusive(_ path: String, contents: Data, mode: mode_t = 0o600) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(operation: "open", errno: errno) }
        defer { close(descriptor) }
        var failure: Failure?
        contents.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = Failure(operation: "write", errno: errno)
                    return
                }
                offset += written
            }
        }
        if let failure { throw failure }
        guard fsync(descriptor) == 0 else { throw Failure(operation: "fsync", errno: errno) }
    }
}
