import Crypto
import Foundation
import SparksConfig
import SparksCore
import Synchronization
import Testing

/// A temp directory per test, removed when the test's suite instance goes away.
private final class ScratchDirectory: Sendable {
    let path: String

    init() throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("secrets-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = (base as NSString).resolvingSymlinksInPath
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }
}

private final class FailureLog: Sendable {
    let messages = Mutex<[String]>([])
}

private func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int) & 0o777
}

private let hexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

@Suite struct SecretStoreTests {
    private let scratch: ScratchDirectory
    /// Not created yet: the store makes it (0700) on the first write.
    private let home: String

    init() throws {
        scratch = try ScratchDirectory()
        home = scratch.file("home")
    }

    /// A store with no master key in the environment and no keyring: it uses `secrets.key`.
    private func store(_ extra: [String: String] = [:]) -> SecretStore {
        SecretStore(home: home, environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path].merging(extra) { _, new in new })
    }

    @Test func roundTripWithKeyFile() throws {
        let secrets = store()
        #expect(try secrets.get("OPENAI_API_KEY") == nil)
        #expect(try secrets.list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: home), "reading must not create anything")

        let before = Date()
        try secrets.set("OPENAI_API_KEY", value: "sk-first-value-1111")
        try secrets.set("anthropic.key", value: "sk-ant-2222")
        try secrets.set("OPENAI_API_KEY", value: "sk-second-value-3333")

        #expect(try secrets.get("OPENAI_API_KEY")?.reveal() == "sk-second-value-3333")
        #expect(try secrets.require("anthropic.key").reveal() == "sk-ant-2222")
        let entries = try secrets.list()
        #expect(entries.map(\.name) == ["OPENAI_API_KEY", "anthropic.key"])
        #expect(entries.allSatisfy { $0.updatedAt >= before.addingTimeInterval(-1) && $0.updatedAt <= Date().addingTimeInterval(1) })
        let listed = String(describing: entries) + String(reflecting: entries)
        #expect(!listed.contains("sk-second-value-3333") && !listed.contains("sk-ant-2222"))
        #expect(Set(try secrets.allValues()) == ["sk-second-value-3333", "sk-ant-2222"])

        // Another process (a fresh instance) reads the same key file.
        let other = store()
        #expect(try other.get("anthropic.key")?.reveal() == "sk-ant-2222")

        #expect(secrets.keySource == .keyFile(path: scratch.file("home/secrets.key")))
        #expect(try mode(home) == 0o700)
        #expect(try mode(scratch.file("home/secrets.json")) == 0o600)
        #expect(try mode(scratch.file("home/secrets.key")) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)

        #expect(try secrets.delete("OPENAI_API_KEY"))
        #expect(try !secrets.delete("OPENAI_API_KEY"))
        #expect(try secrets.get("OPENAI_API_KEY") == nil)
        #expect(try other.list().map(\.name) == ["anthropic.key"])
        let missing = #expect(throws: SparksError.self) { try secrets.require("OPENAI_API_KEY") }
        #expect(missing?.code == .secretNotFound)
        #expect(try mode(scratch.file("home/secrets.json")) == 0o600)
    }

    @Test func fileFormatIsVersionedJSON() throws {
        try store().set("TOKEN", value: "value-123")
        let data = try Data(contentsOf: URL(fileURLWithPath: scratch.file("home/secrets.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["version"] as? Int == 1)
        let entry = try #require((json["secrets"] as? [String: Any])?["TOKEN"] as? [String: String])
        let sealedText = try #require(entry["sealed"])
        let sealed = try #require(Data(base64Encoded: sealedText))
        #expect(sealed.count == 12 + "value-123".utf8.count + 16)  // nonce, ciphertext, tag
        let stamp = try #require(entry["updated_at"])
        #expect(stamp.hasSuffix("Z") && stamp.count == "2026-11-27T07:00:00.000Z".count)
    }

    @Test(arguments: [[:], ["SPARKS_MASTER_KEY": hexKey]])
    func valueNeverInClearText(environment: [String: String]) throws {
        let value = "sk-live-7f3a9c2e5b1d4f60"
        try store(environment).set("PROVIDER_TOKEN", value: value)
        try store(environment).set("OTHER", value: "another-secret-value")
        var sawName = false
        let enumerator = try #require(FileManager.default.enumerator(atPath: home))
        for case let relative as String in enumerator {
            let path = (home as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data(value.utf8)) == nil, "\(relative) holds the value in clear text")
            #expect(bytes.range(of: Data(value.utf8.reversed())) == nil)
            sawName = sawName || bytes.range(of: Data("PROVIDER_TOKEN".utf8)) != nil
        }
        #expect(sawName, "the scan must have read secrets.json")
    }

    @Test func anotherMasterKeyCannotRead() throws {
        let value = "sk-do-not-leak-42"
        try store(["SPARKS_MASTER_KEY": hexKey]).set("GITHUB_TOKEN", value: value)
        let intruder = store(["SPARKS_MASTER_KEY": String(repeating: "ab", count: 32)])
        #expect(intruder.keySource == .environment)

        let error = #expect(throws: SparksError.self) { try intruder.get("GITHUB_TOKEN") }
        #expect(error?.code == .secretsFailed)
        #expect(error?.message.contains("GITHUB_TOKEN") == true)
        #expect(error?.message.contains("master key changed") == true)
        #expect(error.map { !String(describing: $0).contains(value) } == true)
        #expect(throws: SparksError.self) { try intruder.allValues() }

        // Writing with the wrong key would mix two keys in one file: refused, file untouched.
        let before = try Data(contentsOf: URL(fileURLWithPath: scratch.file("home/secrets.json")))
        let refused = #expect(throws: SparksError.self) { try intruder.set("NEW_ONE", value: "x") }
        #expect(refused?.message.contains("GITHUB_TOKEN") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("home/secrets.json"))) == before)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("home/secrets.key")))
    }

    @Test func masterKeyForms() throws {
        // 64 hex digits (either case, surrounding whitespace ignored) and base64 of the same 32 bytes are one key.
        let raw = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })
        let hex = raw.map { String(format: "%02x", $0) }.joined()
        try store(["SPARKS_MASTER_KEY": hex]).set("RAW", value: "raw-value")
        #expect(try store(["SPARKS_MASTER_KEY": " \(hex.uppercased())\n"]).get("RAW")?.reveal() == "raw-value")
        #expect(try store(["SPARKS_MASTER_KEY": raw.base64EncodedString()]).get("RAW")?.reveal() == "raw-value")
        #expect(throws: SparksError.self) { try store(["SPARKS_MASTER_KEY": String(hex.dropLast(2))]).get("RAW") }
        #expect(try store(["SPARKS_MASTER_KEY": hex]).delete("RAW"))

        // Anything else is a passphrase: HKDF-SHA256, salt "sparks-secrets-v1", info "master".
        let passphrase = "correct horse battery staple, but longer"
        try store(["SPARKS_MASTER_KEY": passphrase]).set("PASS", value: "pass-value")
        #expect(try store(["SPARKS_MASTER_KEY": passphrase]).get("PASS")?.reveal() == "pass-value")
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(passphrase.utf8)), salt: Data("sparks-secrets-v1".utf8),
            info: Data("master".utf8), outputByteCount: 32)
        let derivedHex = derived.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        #expect(try store(["SPARKS_MASTER_KEY": derivedHex]).get("PASS")?.reveal() == "pass-value")
        #expect(throws: SparksError.self) { try store(["SPARKS_MASTER_KEY": passphrase + "!"]).get("PASS") }
    }

    @Test func swappedCiphertextsFailToOpen() throws {
        let secrets = store(["SPARKS_MASTER_KEY": hexKey])
        try secrets.set("ALPHA", value: "alpha-value")
        try secrets.set("BETA", value: "beta-value")
        let path = scratch.file("home/secrets.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var entries = try #require(json["secrets"] as? [String: [String: String]])
        let alpha = try #require(entries["ALPHA"]?["sealed"])
        let beta = try #require(entries["BETA"]?["sealed"])
        entries["ALPHA"]?["sealed"] = beta
        entries["BETA"]?["sealed"] = alpha
        json["secrets"] = entries
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))

        let fresh = store(["SPARKS_MASTER_KEY": hexKey])
        let error = #expect(throws: SparksError.self) { try fresh.get("ALPHA") }
        #expect(error?.message.contains("'ALPHA'") == true)
        #expect(error?.message.contains("file was edited") == true)
        #expect(error.map { !String(describing: $0).contains("beta-value") } == true)
        #expect(throws: SparksError.self) { try fresh.get("BETA") }
        // Names still list (no key needed), and a broken entry can be deleted.
        #expect(try fresh.list().map(\.name) == ["ALPHA", "BETA"])
        #expect(try fresh.delete("ALPHA"))
    }

    @Test func keyringKeepsTheMasterKey() throws {
        let bin = scratch.file("bin")
        let keyring = scratch.file("keyring.txt")
        let calls = scratch.file("calls.log")
        try writeTool(in: bin, """
            #!/bin/sh
            [ -n "$DBUS_SESSION_BUS_ADDRESS" ] || exit 3
            echo "$*" >> '\(calls)'
            case "$1" in
              store) cat > '\(keyring)' ;;
              lookup) [ -f '\(keyring)' ] || exit 1; cat '\(keyring)' ;;
              *) exit 2 ;;
            esac
            """)
        let environment = ["PATH": "\(bin):/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"]
        let secrets = store(environment)
        #expect(secrets.keySource == .keyring)
        try secrets.set("KEYRING_SECRET", value: "kept-by-keyring")

        #expect(secrets.keySource == .keyring)
        #expect(secrets.keyringFallbackReason == nil)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("home/secrets.key")))
        let stored = try String(contentsOfFile: keyring, encoding: .utf8)
        #expect(Data(base64Encoded: stored)?.count == 32)
        let log = try String(contentsOfFile: calls, encoding: .utf8)
        #expect(log.contains("store --label=Sparks master key service sparks home \(home)"))

        // A new process looks the key up; without the keyring item nothing decrypts.
        #expect(try store(environment).get("KEYRING_SECRET")?.reveal() == "kept-by-keyring")
        try FileManager.default.removeItem(atPath: keyring)
        #expect(throws: SparksError.self) { try store(environment).get("KEYRING_SECRET") }
    }

    @Test(arguments: ["exit 1", "echo 'Cannot create an item in a locked collection' >&2; exit 1"])
    func failingKeyringFallsBackToKeyFile(script: String) throws {
        let bin = scratch.file("bin")
        try writeTool(in: bin, "#!/bin/sh\n\(script)\n")
        let environment = ["PATH": "\(bin):/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"]
        let secrets = store(environment)
        try secrets.set("FALLBACK", value: "in-key-file")

        let keyFile = scratch.file("home/secrets.key")
        #expect(secrets.keySource == .keyFile(path: keyFile))
        #expect(FileManager.default.fileExists(atPath: keyFile))
        #expect(try mode(keyFile) == 0o600)
        #expect(secrets.keyringFallbackReason?.contains("secret-tool") == true || secrets.keyringFallbackReason?.contains("locked") == true)
        #expect(try store(environment).get("FALLBACK")?.reveal() == "in-key-file")
        // Without a D-Bus session the keyring is not tried at all.
        #expect(try store(["PATH": "\(bin):/usr/bin:/bin"]).get("FALLBACK")?.reveal() == "in-key-file")
    }

    @Test func invalidNamesAndEmptyValues() throws {
        let secrets = store()
        for name in ["", "1password", "has space", "a/b", "-dash", ".dot", "café", "tab\t", String(repeating: "n", count: 65)] {
            let error = #expect(throws: SparksError.self, "\(name) must be refused") { try secrets.set(name, value: "v") }
            #expect(error?.code == .invalidInput)
            #expect(error?.hint?.contains("starts with a letter or '_'") == true)
            #expect(throws: SparksError.self) { try secrets.get(name) }
            #expect(throws: SparksError.self) { try secrets.delete(name) }
        }
        let pasted = "sk-" + String(repeating: "x", count: 80)
        let error = #expect(throws: SparksError.self) { try secrets.set(pasted, value: "v") }
        #expect(error.map { !String(describing: $0).contains(pasted) } == true, "a long name may be a pasted value")

        for name in ["_", "A", "a.b-c_1", "_" + String(repeating: "9", count: 63)] {
            try secrets.set(name, value: "ok")
        }
        #expect(try secrets.list().count == 4)

        let empty = #expect(throws: SparksError.self) { try secrets.set("EMPTY", value: "") }
        #expect(empty?.code == .invalidInput)
        #expect(empty?.message.contains("empty value") == true)
        #expect(try secrets.get("EMPTY") == nil)
    }

    @Test func twoStoresWritingConcurrentlyKeepEverything() throws {
        // Two instances stand for two processes: each operation takes its own flock descriptor.
        let stores = [store(), store()]
        let failures = FailureLog()
        let group = DispatchGroup()
        let threads = 8
        let perThread = 6
        for thread in 0..<threads {
            group.enter()
            let worker = Thread {
                for index in 0..<perThread {
                    do {
                        try stores[thread % 2].set("T\(thread)_\(index)", value: "value-\(thread)-\(index)")
                    } catch {
                        failures.messages.withLock { $0.append("\(error)") }
                    }
                }
                group.leave()
            }
            worker.start()
        }
        group.wait()
        #expect(failures.messages.withLock { $0 }.isEmpty)
        let names = try store().list().map(\.name)
        #expect(names.count == threads * perThread)
        for thread in 0..<threads {
            for index in 0..<perThread {
                #expect(try store().get("T\(thread)_\(index)")?.reveal() == "value-\(thread)-\(index)")
            }
        }
    }

    private func writeTool(in directory: String, _ script: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("secret-tool")
        try script.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
}
