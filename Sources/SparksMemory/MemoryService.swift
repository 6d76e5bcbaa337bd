import Foundation
import Logging
import SparksCore
import SparksStore
import Synchronization

/// One result of a memory search, with the parts of its score.
public struct MemoryHit: Sendable {
    public var memory: MemoryRecord
    /// (semantic + 0.5 × keyword) × recency.
    public var score: Double
    /// BM25 relative to the best keyword match of this search (1 for the best), 0 without a match.
    public var keyword: Double
    /// Cosine similarity, or 0 when below the floor or without an embedding.
    public var semantic: Double
    /// 0.5^(age in days / half-life), age since the memory was last written.
    public var recency: Double
}

/// What `remember` did.
public struct StoreResult: Sendable {
    public var memory: MemoryRecord
    /// The similarity to the near-duplicate that was updated, when one was.
    public var updatedDuplicate: Double?
}

/// Sparks' memory: memories in SQLite (with FTS5), embeddings from the native MiniLM, an HNSW
/// index persisted next to the database and kept in step with it.
///
/// Every write bumps the database's change counter. The index file records the change it
/// reflects; opening it replays later changes, so an index left behind by a killed process, or
/// written by another one, is caught up rather than trusted. A missing, corrupt or foreign file is
/// rebuilt from the embeddings in the database.
public final class MemoryService: MemoryAccess, Sendable {
    public let store: SparksStore
    public let settings: MemorySettings
    public let indexPath: String
    let logger: Logger
    private let embedderState: Mutex<EmbedderState>
    let indexState = Mutex<IndexState?>(nil)

    private enum EmbedderState {
        case notLoaded
        case loaded(MiniLMEmbedder)
        case failed(SparksError)
    }

    struct IndexState {
        var index: HNSWIndex
        var change: Int64
        var categories: [Int64: String]
        /// Changes applied since the file was last written.
        var unsaved: Bool
        var rebuilt: Bool
    }

    /// `embedder`: a loaded model to use (tests, benchmarks); nil loads the one in
    /// `settings.modelDirectory` when first needed.
    public init(store: SparksStore, settings: MemorySettings, indexPath: String? = nil, embedder: MiniLMEmbedder? = nil,
                logger: Logger = Logger(label: "sparks.memory")) {
        self.store = store
        self.settings = settings
        self.indexPath = indexPath ?? store.path + "-memory.hnsw"
        self.logger = logger
        self.embedderState = Mutex(embedder.map(EmbedderState.loaded) ?? .notLoaded)
    }

    /// The embedder, loading it on first use. Throws (every time) when the model is not installed.
    public func embedder() throws(SparksError) -> MiniLMEmbedder {
        let settings = self.settings, logger = self.logger
        let result: Result<MiniLMEmbedder, SparksError> = embedderState.withLock { state in
            switch state {
            case .loaded(let embedder): return .success(embedder)
            case .failed(let error): return .failure(error)
            case .notLoaded:
                do throws(SparksError) {
                    let embedder = try MiniLMEmbedder(modelDirectory: settings.modelDirectory,
                                                      threads: settings.embedThreads > 0 ? settings.embedThreads : nil)
                    state = .loaded(embedder)
                    return .success(embedder)
                } catch {
                    logger.notice("semantic memory is off, keyword search only: \(error.message)")
                    state = .failed(error)
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// The embedder, or nil when the model is missing (noted in the log when first tried): memory
    /// then works by keywords.
    private func optionalEmbedder() -> MiniLMEmbedder? {
        do { return try embedder() } catch {
            return nil
        }
    }

    /// Why semantic search is off, if it is.
    public var semanticProblem: SparksError? {
        do { _ = try embedder(); return nil } catch { return error }
    }

    // MARK: Writing

    /// Stores a memory; a near-duplicate (cosine ≥ dedup threshold, same category) is updated in
    /// place instead. Without a model, an identical text of the same category counts as a duplicate.
    public func store(category: String, content: String, source: String? = nil, at now: Date = Date()) throws(SparksError) -> StoreResult {
        let category = category.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let content = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !category.isEmpty, category.count <= 64,
              category.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" })
        else {
            throw SparksError(.invalidInput, "the category \"\(category)\" is not valid",
                              hint: "use letters, digits, - and _ (up to 64), e.g. lesson, fact, code_structure")
        }
        guard !content.isEmpty else { throw SparksError(.invalidInput, "a memory needs some text") }
        guard content.utf8.count <= 16_384 else {
            throw SparksError(.invalidInput, "the memory is \(content.utf8.count) bytes; the limit is 16384",
                              hint: "store a summary; memories are recalled into prompts")
        }
        let embedding = optionalEmbedder()?.embed(content)
        var duplicate: (seq: Int64, similarity: Double)?
        if let embedding {
            try withIndex { state in
                let categories = state.categories
                let found = state.index.search(embedding, k: 1) { categories[$0] == category }
                if let best = found.first, Double(best.similarity) >= settings.dedupThreshold {
                    duplicate = (best.id, Double(best.similarity))
                }
            }
        } else {
            let normalized = Self.normalizedText(content)
            if let same = try store.activeMemories(category: category).first(where: { Self.normalizedText($0.content) == normalized }) {
                duplicate = (same.seq, 1)
            }
        }
        let record: MemoryRecord
        if let duplicate {
            record = try store.updateMemory(seq: duplicate.seq, category: category, content: content, source: source,
                                            embedding: embedding, at: now)
        } else {
            record = try store.insertMemory(category: category, content: content, source: source, embedding: embedding, at: now)
        }
        try catchUpIfLoaded()
        return StoreResult(memory: record, updatedDuplicate: duplicate?.similarity)
    }

    /// Retires the memory whose id starts with `prefix`. Ambiguous or unknown prefixes are errors.
    public func retire(idPrefix prefix: String) throws(SparksError) -> MemoryRecord {
        let trimmed = prefix.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 4 else {
            throw SparksError(.invalidInput, "give at least 4 characters of the memory id",
                              hint: "`sparks memory list` shows the ids")
        }
        let matches = try store.memories(idPrefix: trimmed).filter(\.active)
        guard let memory = matches.first else {
            throw SparksError(.memoryNotFound, "no active memory has an id starting with \(trimmed)",
                              hint: "`sparks memory list` shows the ids")
        }
        guard matches.count == 1 else {
            throw SparksError(.invalidInput, "\(matches.count) memories have ids starting with \(trimmed)",
                              hint: "give more characters: " + matches.prefix(5).map { String($0.id.uuidString.lowercased().prefix(12)) }.joined(separator: ", "))
        }
        try store.retireMemories(seqs: [memory.seq])
        try catchUpIfLoaded()
        return memory
    }

    /// Memories whose recency factor is below `minScore` (dry run), or retires them (`apply`).
    public func prune(minScore: Double, apply: Bool, now: Date = Date()) throws(SparksError) -> [MemoryRecord] {
        let stale = try store.activeMemories().filter { recency(of: $0, now: now) < minScore }
        if apply, !stale.isEmpty {
            try store.retireMemories(seqs: stale.map(\.seq))
            try catchUpIfLoaded()
        }
        return stale
    }

    /// Computes embeddings for memories that have none (stored while no model was installed).
    @discardableResult
    public func backfill(batch: Int = 32) throws(SparksError) -> Int {
        let embedder = try embedder()
        let bare = try store.activeMemories().filter { $0.embedding == nil }
        var done = 0
        for chunk in stride(from: 0, to: bare.count, by: batch).map({ Array(bare[$0..<min(bare.count, $0 + batch)]) }) {
            let vectors = embedder.embed(chunk.map(\.content))
            try store.setMemoryEmbeddings(zip(chunk, vectors).map { ($0.seq, $1) })
            done += chunk.count
        }
        if done > 0 { try catchUpIfLoaded() }
        return done
    }

    // MARK: Reading

    /// Weight of the keyword leg against cosine similarity.
    public static let keywordWeight = 0.5

    /// Hybrid search: keyword (FTS5 BM25) and semantic (HNSW cosine) legs, fused and decayed.
    ///
    /// The keyword leg takes the top 2·limit (at least 20) FTS5 matches of the query's words
    /// (stemmed, stop words and words in more than 500 memories dropped, the five rarest OR-ed:
    /// this bounds its cost on a large store) and scores each by its BM25 relative to the best one
    /// (SQLite's BM25 is unbounded and, on a small store, near zero, so an absolute scale would
    /// mean nothing). The semantic leg takes the top 2·limit (at least 10) memories by cosine from
    /// the HNSW index and drops those below the cosine floor. A memory's score is
    /// (cosine + 0.5 × keyword) × 0.5^(age / half-life): meaning leads, shared words add to it.
    public func search(_ query: String, limit: Int = 5, category: String? = nil, touch: Bool = true,
                       now: Date = Date()) throws(SparksError) -> [MemoryHit] {
        try search(query, embedding: optionalEmbedder()?.embed(query), limit: limit, category: category, touch: touch,
                   now: now)
    }

    /// The same search with the query's embedding computed by the caller (nil: keywords only).
    public func search(_ query: String, embedding: [Float]?, limit: Int = 5, category: String? = nil, touch: Bool = true,
                       now: Date = Date()) throws(SparksError) -> [MemoryHit] {
        let limit = max(1, min(limit, 200))
        var keyword: [Int64: Double] = [:]
        let matches = try store.keywordMatches(forText: query, limit: max(20, limit * 2))
        let best = matches.map { -$0.bm25 }.max() ?? 0
        for match in matches {
            keyword[match.seq] = best > 0 ? max(-match.bm25, 0) / best : 1
        }
        var semantic: [Int64: Double] = [:]
        if let vector = embedding {
            let floor = settings.cosineFloor
            try withIndex { state in
                let categories = state.categories
                let filter: ((Int64) -> Bool)? = category.map { wanted in { categories[$0] == wanted } }
                for hit in state.index.search(vector, k: max(10, limit * 2), ef: max(settings.hnswEfSearch, limit * 2),
                                              filter: filter) where Double(hit.similarity) >= floor {
                    semantic[hit.id] = Double(hit.similarity)
                }
            }
        }
        let records = try store.memories(seqs: Array(Set(keyword.keys).union(semantic.keys)))
        var hits: [MemoryHit] = []
        for (seq, record) in records where record.active && (category == nil || record.category == category) {
            let keywordScore = keyword[seq] ?? 0, semanticScore = semantic[seq] ?? 0
            let decay = recency(of: record, now: now)
            hits.append(MemoryHit(memory: record, score: (semanticScore + Self.keywordWeight * keywordScore) * decay,
                                  keyword: keywordScore,
                                  semantic: semanticScore, recency: decay))
        }
        hits.sort { $0.score == $1.score ? $0.memory.seq > $1.memory.seq : $0.score > $1.score }
        let top = Array(hits.prefix(limit))
        if touch { try store.touchMemories(seqs: top.map(\.memory.seq), at: now) }
        return top
    }

    /// Pairs of active memories at or above `threshold` cosine, most similar first.
    public func duplicates(threshold: Double) throws(SparksError) -> [(MemoryRecord, MemoryRecord, Double)] {
        var pairs: [(Int64, Int64, Double)] = []
        try withIndex { state in
            for seq in state.categories.keys.sorted() {
                guard let vector = state.index.vector(for: seq) else { continue }
                for hit in state.index.search(vector, k: 8) where hit.id > seq && Double(hit.similarity) >= threshold {
                    pairs.append((seq, hit.id, Double(hit.similarity)))
                }
            }
        }
        let records = try store.memories(seqs: pairs.flatMap { [$0.0, $0.1] })
        return pairs.sorted { $0.2 > $1.2 }.compactMap { a, b, similarity in
            guard let first = records[a], let second = records[b] else { return nil }
            return (first, second, similarity)
        }
    }

    /// The factor a memory's score is multiplied by: 0.5^(age / half-life), 1 for future dates.
    public func recency(of memory: MemoryRecord, now: Date = Date()) -> Double {
        let days = now.timeIntervalSince(memory.updatedAt) / 86_400
        guard days > 0, settings.recencyHalfLifeDays > 0 else { return 1 }
        return pow(0.5, days / settings.recencyHalfLifeDays)
    }

    /// Lower-cased, whitespace collapsed: how texts are compared when there is no model.
    static func normalizedText(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    // MARK: MemoryAccess

    public func recall(_ query: String, limit: Int) async throws(SparksError) -> [RecalledMemory] {
        try search(query, limit: limit).map {
            RecalledMemory(id: $0.memory.id.uuidString.lowercased(), category: $0.memory.category,
                           content: $0.memory.content, score: $0.score)
        }
    }

    public func remember(category: String, content: String, source: String) async throws(SparksError) -> RememberedMemory {
        let result = try store(category: category, content: content, source: source)
        return RememberedMemory(id: result.memory.id.uuidString.lowercased(), updatedExisting: result.updatedDuplicate != nil)
    }

    public func flush() async throws(SparksError) {
        try persist()
    }
}
