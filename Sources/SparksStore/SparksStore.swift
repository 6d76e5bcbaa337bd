import Foundation
import GRDB
import SparksCore
import Synchronization

/// The one database of a Sparks installation: a SQLite file in WAL mode, migrated on open.
/// Safe to share between tasks; every method is a short transaction.
public final class SparksStore: Sendable {
    public let path: String
    let pool: DatabasePool
    private let secrets = Mutex(Redactor())

    /// Known secret values are replaced by `[REDACTED]` in every event and transcript message
    /// written from now on.
    public func redactSecrets(_ values: [String]) {
        secrets.withLock { $0 = Redactor(secrets: values) }
    }

    var redactor: Redactor { secrets.withLock { $0 } }

    public init(path: String) throws(SparksError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(10)
            configuration.label = "sparks"
            // WAL with synchronous=NORMAL: a commit survives a crash or kill of any process and the
            // file is never corrupted; only a power loss may undo the last commits. FULL would
            // fsync on every event (0.2 ms each).
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            // Two `sparks` processes starting at once must not both apply the same migration:
            // opening and migrating happen under an exclusive lock on a file next to the database.
            let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if lock >= 0 { flock(lock, LOCK_EX) }
            defer {
                if lock >= 0 {
                    flock(lock, LOCK_UN)
                    close(lock)
                }
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try Migrations.migrator().migrate(pool)
        } catch {
            throw SparksError(.storeFailed, "cannot open the database at \(path): \(error)",
                              hint: "check that the directory is writable and the file is a Sparks database",
                              cause: error)
        }
        // The database holds conversations and task transcripts: readable by the owner only.
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    /// The applied migrations, oldest first.
    public func appliedMigrations() throws(SparksError) -> [String] {
        try read { db in try Migrations.migrator().appliedMigrations(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(SparksError) -> T {
        do { return try pool.read(body) } catch { throw Self.failure(error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(SparksError) -> T {
        do { return try pool.write(body) } catch { throw Self.failure(error) }
    }

    private static func failure(_ error: any Error) -> SparksError {
        if let sparks = error as? SparksError { return sparks }
        return SparksError(.storeFailed, "database error: \(error)", cause: error)
    }
}

extension SparksStore {
    /// `PRAGMA integrity_check`: "ok" for a sound database, else SQLite's list of problems.
    public func integrityCheck() throws(SparksError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}
