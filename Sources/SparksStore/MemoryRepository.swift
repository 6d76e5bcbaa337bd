import Foundation
import GRDB
import SparksCore

/// One stored memory. `seq` is its row id (the FTS5 and HNSW key); `id` the UUID users see.
public struct MemoryRecord: Sendable, Hashable {
    public var seq: Int64
    public var id: UUID
    public var category: String
    public var content: String
    public var source: String?
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var accessedAt: Date?
    public var accessCount: Int
    /// Unit-length embedding, or nil when none was computed (no model installed).
    public var embedding: [Float]?
    /// The change counter's value at this memory's last write.
    public var change: Int64
}

/// Counts for `sparks memory stats`.
public struct MemoryCounts: Sendable, Hashable {
    public var active: Int
    public var retired: Int
    public var withoutEmbedding: Int
    public var oldest: Date?
    public var newest: Date?
    public var categories: [String: Int]
}

extension SparksStore {
    /// Stores a new memory and returns it.
    public func insertMemory(category: String, content: String, source: String?, embedding: [Float]?,
                             at now: Date = Date()) throws(SparksError) -> MemoryRecord {
        try write { db in
            let change = try Self.nextMemoryChange(db)
            let id = UUID()
            try db.execute(
                sql: """
                    INSERT INTO memories (id, category, content, source, active, created_at, updated_at, embedding, change)
                    VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                    """,
                arguments: [id.uuidString.lowercased(), category, content, source, now.timeIntervalSince1970,
                            now.timeIntervalSince1970, embedding.map(Self.blob), change])
            return MemoryRecord(seq: db.lastInsertedRowID, id: id, category: category, content: content, source: source,
                                active: true, createdAt: now, updatedAt: now, accessedAt: nil, accessCount: 0,
                                embedding: embedding, change: change)
        }
    }

    /// Stores many memories in one transaction (imports, benchmarks); no duplicate check.
    public func insertMemories(_ items: [(category: String, content: String, source: String?, embedding: [Float]?)],
                               at now: Date = Date()) throws(SparksError) {
        try write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO memories (id, category, content, source, active, created_at, updated_at, embedding, change)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                """)
            for item in items {
                let change = try Self.nextMemoryChange(db)
                try statement.execute(arguments: [UUID().uuidString.lowercased(), item.category, item.content, item.source,
                                                  now.timeIntervalSince1970, now.timeIntervalSince1970,
                                                  item.embedding.map(Self.blob), change])
            }
        }
    }

    /// Replaces a memory's text (a near-duplicate was stored again): category, content, source and
    /// embedding change, `created_at` stays.
    public func updateMemory(seq: Int64, category: String, content: String, source: String?, embedding: [Float]?,
                             at now: Date = Date()) throws(SparksError) -> MemoryRecord {
        try write { db in
            let change = try Self.nextMemoryChange(db)
            try db.execute(
                sql: """
                    UPDATE memories SET category = ?, content = ?, source = ?, embedding = ?, updated_at = ?, change = ?
                    WHERE seq = ?
                    """,
                arguments: [category, content, source, embedding.map(Self.blob), now.timeIntervalSince1970, change, seq])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM memories WHERE seq = ?", arguments: [seq]) else {
                throw SparksError(.memoryNotFound, "memory \(seq) does not exist")
            }
            return Self.memory(row)
        }
    }

    /// Stores embeddings for memories that had none (after the model was installed).
    public func setMemoryEmbeddings(_ embeddings: [(seq: Int64, embedding: [Float])]) throws(SparksError) {
        try write { db in
            for (seq, embedding) in embeddings {
                let change = try Self.nextMemoryChange(db)
                try db.execute(sql: "UPDATE memories SET embedding = ?, change = ? WHERE seq = ?",
                               arguments: [Self.blob(embedding), change, seq])
            }
        }
    }

    /// Retires memories (they stay in the database, out of search). Returns how many changed.
    @discardableResult
    public func retireMemories(seqs: [Int64]) throws(SparksError) -> Int {
        try write { db in
            var changed = 0
            for seq in seqs {
                let change = try Self.nextMemoryChange(db)
                try db.execute(sql: "UPDATE memories SET active = 0, change = ? WHERE seq = ? AND active = 1",
                               arguments: [change, seq])
                changed += db.changesCount
            }
            return changed
        }
    }

    /// Notes that memories were recalled.
    public func touchMemories(seqs: [Int64], at now: Date = Date()) throws(SparksError) {
        guard !seqs.isEmpty else { return }
        try write { db in
            for seq in seqs {
                try db.execute(sql: "UPDATE memories SET accessed_at = ?, access_count = access_count + 1 WHERE seq = ?",
                               arguments: [now.timeIntervalSince1970, seq])
            }
        }
    }

    public func memories(seqs: [Int64]) throws(SparksError) -> [Int64: MemoryRecord] {
        guard !seqs.isEmpty else { return [:] }
        return try read { db in
            let placeholders = Array(repeating: "?", count: seqs.count).joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM memories WHERE seq IN (\(placeholders))",
                                        arguments: StatementArguments(seqs))
            return Dictionary(rows.map { row in let record = Self.memory(row); return (record.seq, record) },
                              uniquingKeysWith: { first, _ in first })
        }
    }

    /// Memories whose UUID starts with `prefix` (case-insensitive).
    public func memories(idPrefix prefix: String) throws(SparksError) -> [MemoryRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM memories WHERE id LIKE ? ESCAPE '\\' ORDER BY seq LIMIT 20",
                             arguments: [Self.likeEscaped(prefix.lowercased()) + "%"]).map(Self.memory)
        }
    }

    /// Active memories, newest first.
    public func activeMemories(category: String? = nil, limit: Int? = nil) throws(SparksError) -> [MemoryRecord] {
        try read { db in
            var sql = "SELECT * FROM memories WHERE active = 1"
            var arguments: StatementArguments = []
            if let category {
                sql += " AND category = ?"
                arguments += [category]
            }
            sql += " ORDER BY updated_at DESC, seq DESC"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.memory)
        }
    }

    /// The category of every active memory that has an embedding, without reading the embeddings.
    public func activeMemoryCategories() throws(SparksError) -> [(seq: Int64, category: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT seq, category FROM memories WHERE active = 1 AND embedding IS NOT NULL")
                .map { (seq: $0["seq"], category: $0["category"]) }
        }
    }

    /// Every memory written after change `change`, active or retired, oldest change first.
    public func memoryChanges(after change: Int64) throws(SparksError) -> [MemoryRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM memories WHERE change > ? ORDER BY change", arguments: [change])
                .map(Self.memory)
        }
    }

    /// The change counter's current value.
    public func memoryChangeCounter() throws(SparksError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM memory_counters WHERE name = 'change'") ?? 0 }
    }

    /// Full-text matches among active memories: (seq, bm25) best first. BM25 is SQLite's: lower
    /// (more negative) is better. `query` is an FTS5 query; use `ftsQuery(for:)` for user text.
    /// Full-text matches for user text, at a bounded cost: of the query's words (`ftsTerms(for:)`),
    /// those found in more than `commonAbove` memories are left out (they say little, and ranking
    /// every memory that contains a common word is what makes keyword search slow on a large
    /// store), and at most `maxTerms` of the rarest are kept.
    public func keywordMatches(forText text: String, limit: Int, commonAbove: Int = 500,
                               maxTerms: Int = 5) throws(SparksError) -> [(seq: Int64, bm25: Double)] {
        let terms = Self.ftsTerms(for: text)
        guard !terms.isEmpty else { return [] }
        let counted: [(term: String, documents: Int)] = try read { db in
            try terms.map { term in
                let documents = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)
                    """, arguments: [term, commonAbove + 1]) ?? 0
                return (term, documents)
            }
        }
        let kept = counted.filter { $0.documents > 0 && $0.documents <= commonAbove }
            .sorted { $0.documents < $1.documents }.prefix(maxTerms).map(\.term)
        guard !kept.isEmpty else { return [] }
        return try keywordMatches(kept.joined(separator: " OR "), limit: limit)
    }

    public func keywordMatches(_ query: String, limit: Int) throws(SparksError) -> [(seq: Int64, bm25: Double)] {
        guard !query.isEmpty else { return [] }
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT rowid, bm25(memories_fts) AS rank FROM memories_fts WHERE memories_fts MATCH ?
                ORDER BY rank LIMIT ?
                """, arguments: [query, limit]).map { (seq: $0["rowid"], bm25: $0["rank"]) }
        }
    }

    public func memoryCounts() throws(SparksError) -> MemoryCounts {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT SUM(active) AS active, SUM(1 - active) AS retired,
                       SUM(CASE WHEN active = 1 AND embedding IS NULL THEN 1 ELSE 0 END) AS bare,
                       MIN(CASE WHEN active = 1 THEN created_at END) AS oldest,
                       MAX(CASE WHEN active = 1 THEN created_at END) AS newest
                FROM memories
                """)
            var categories: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT category, COUNT(*) AS n FROM memories WHERE active = 1 GROUP BY category") {
                categories[row["category"]] = row["n"]
            }
            let oldest: Double? = row?["oldest"]
            let newest: Double? = row?["newest"]
            return MemoryCounts(active: row?["active"] ?? 0, retired: row?["retired"] ?? 0,
                                withoutEmbedding: row?["bare"] ?? 0,
                                oldest: oldest.map(Date.init(timeIntervalSince1970:)),
                                newest: newest.map(Date.init(timeIntervalSince1970:)), categories: categories)
        }
    }

    /// Whether the FTS index is sound and holds exactly the active memories (for checks after a crash).
    public func memoryFullTextIsConsistent() throws(SparksError) -> Bool {
        let sameRows = try read { db in
            try Bool.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM memories_fts) = (SELECT COUNT(*) FROM memories WHERE active = 1)
                   AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.active = 1
                                   AND NOT EXISTS (SELECT 1 FROM memories_fts f WHERE f.rowid = m.seq))
                """) ?? false
        }
        guard sameRows else { return false }
        do {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO memories_fts (memories_fts, rank) VALUES ('integrity-check', 1)")
            }
            return true
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_CORRUPT_VTAB {
            return false
        } catch {
            throw SparksError(.storeFailed, "cannot check the memory index: \(error)", cause: error)
        }
    }

    /// The FTS5 terms of user text: alphanumeric words of two or more characters, lower-cased,
    /// without common stop words, each quoted (at most 32).
    public static func ftsTerms(for text: String) -> [String] {
        var seen = Set<String>()
        var terms: [String] = []
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            let term = String(word)
            guard term.count >= 2, !stopWords.contains(term), seen.insert(term).inserted else { continue }
            terms.append("\"\(term)\"")
        }
        return Array(terms.prefix(32))
    }

    static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because",
        "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
        "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
        "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
        "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
        "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "you", "your",
    ]

    private static func nextMemoryChange(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE memory_counters SET value = value + 1 WHERE name = 'change'")
        return try Int64.fetchOne(db, sql: "SELECT value FROM memory_counters WHERE name = 'change'") ?? 0
    }

    static func blob(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func vector(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    private static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    private static func memory(_ row: Row) -> MemoryRecord {
        let id: String = row["id"]
        let accessed: Double? = row["accessed_at"]
        let embedding: Data? = row["embedding"]
        return MemoryRecord(seq: row["seq"], id: UUID(uuidString: id) ?? UUID(), category: row["category"],
                            content: row["content"], source: row["source"], active: row["active"] as Int == 1,
                            createdAt: Date(timeIntervalSince1970: row["created_at"]),
                            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
                            accessedAt: accessed.map(Date.init(timeIntervalSince1970:)), accessCount: row["access_count"],
                            embedding: embedding.map(vector), change: row["change"])
    }
}
