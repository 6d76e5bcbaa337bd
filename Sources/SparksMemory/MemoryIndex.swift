import Foundation
import SparksCore
import SparksStore

/// The HNSW index of a `MemoryService`: loaded from its file, caught up with the database's
/// change counter, rebuilt when missing or unusable, written back when it changed.
extension MemoryService {
    /// Facts about the index for `sparks memory stats`.
    public struct IndexStatus: Sendable {
        public var vectors: Int
        public var nodes: Int
        public var change: Int64
        public var fileBytes: Int?
        /// True when this call had to rebuild it (missing, stale beyond repair, corrupt).
        public var rebuilt: Bool
    }

    public func indexStatus() throws(SparksError) -> IndexStatus {
        var status = IndexStatus(vectors: 0, nodes: 0, change: 0, fileBytes: nil, rebuilt: false)
        try withIndex { state in
            status = IndexStatus(vectors: state.index.count, nodes: state.index.nodeCount, change: state.change,
                                 fileBytes: nil, rebuilt: state.rebuilt)
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: indexPath)
        status.fileBytes = (attributes?[.size] as? NSNumber)?.intValue
        return status
    }

    /// Rebuilds the index from the database (dropping tombstones) and writes it.
    public func reindex(threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(SparksError) -> IndexStatus {
        let state = try rebuild(threads: threads)
        indexState.withLock { $0 = state }
        try persist()
        return try indexStatus()
    }

    /// Writes the index file when it has changes this process has not written yet.
    public func persist() throws(SparksError) {
        let snapshot: (HNSWIndex, Int64)? = indexState.withLock { state in
            guard let current = state, current.unsaved else { return nil }
            state?.unsaved = false
            return (current.index, current.change)
        }
        guard let (index, change) = snapshot else { return }
        try index.write(to: indexPath, metadata: ["change": String(change), "model": MiniLMEmbedder.defaultModelName])
    }

    /// Runs `body` with the index, loading (or rebuilding) it and catching up with the database first.
    func withIndex(_ body: (inout IndexState) throws(SparksError) -> Void) throws(SparksError) {
        if indexState.withLock({ $0 == nil }) {
            let loaded = try loadIndex()
            indexState.withLock { state in if state == nil { state = loaded } }
        }
        try catchUpIfLoaded()
        let result: Result<Void, SparksError> = indexState.withLock { state in
            do throws(SparksError) {
                try body(&state!)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    func catchUpIfLoaded() throws(SparksError) {
        guard let since = indexState.withLock({ $0?.change }) else { return }
        let changes = try store.memoryChanges(after: since)
        guard !changes.isEmpty else { return }
        indexState.withLock { state in
            guard var current = state else { return }
            Self.apply(changes, to: &current)
            current.unsaved = true
            state = current
        }
    }

    static func apply(_ changes: [MemoryRecord], to state: inout IndexState) {
        for record in changes where record.change > state.change {
            if record.active, let embedding = record.embedding, embedding.count == state.index.dimension {
                state.index.insert(id: record.seq, vector: embedding)
                state.categories[record.seq] = record.category
            } else {
                state.index.remove(id: record.seq)
                state.categories[record.seq] = nil
            }
        }
        state.change = max(state.change, changes.map(\.change).max() ?? state.change)
    }

    private var parameters: HNSWParameters {
        HNSWParameters(m: settings.hnswM, efConstruction: settings.hnswEfConstruction, efSearch: settings.hnswEfSearch)
    }

    private func loadIndex() throws(SparksError) -> IndexState {
        removeAbandonedTemporaryFiles()
        guard FileManager.default.fileExists(atPath: indexPath) else {
            return try rebuild(threads: ProcessInfo.processInfo.activeProcessorCount)
        }
        do {
            let (index, metadata) = try HNSWIndex.read(from: indexPath)
            guard metadata["model"] == MiniLMEmbedder.defaultModelName, index.dimension == MiniLMEmbedder.dimension,
                  index.parameters.m == parameters.m, index.parameters.efConstruction == parameters.efConstruction,
                  let change = metadata["change"].flatMap(Int64.init), change <= (try store.memoryChangeCounter())
            else {
                logger.notice("memory index \(indexPath) is for other settings or a newer database; rebuilding")
                return try rebuild(threads: ProcessInfo.processInfo.activeProcessorCount)
            }
            var state = IndexState(index: index, change: change, categories: [:], unsaved: false, rebuilt: false)
            state.index.parameters = parameters
            for (seq, category) in try store.activeMemoryCategories() where index.contains(seq) {
                state.categories[seq] = category
            }
            let changes = try store.memoryChanges(after: change)
            if !changes.isEmpty {
                Self.apply(changes, to: &state)
                state.unsaved = true
            }
            // Many tombstones slow searches down: start afresh.
            if state.index.nodeCount > 1000, state.index.count * 4 < state.index.nodeCount * 3 {
                return try rebuild(threads: ProcessInfo.processInfo.activeProcessorCount)
            }
            return state
        } catch {
            logger.warning("\(error.message); rebuilding it from the database")
            return try rebuild(threads: ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    private func rebuild(threads: Int) throws(SparksError) -> IndexState {
        let change = try store.memoryChangeCounter()
        let records = try store.activeMemories().filter { $0.embedding?.count == MiniLMEmbedder.dimension }
        var index = HNSWIndex(dimension: MiniLMEmbedder.dimension, parameters: parameters)
        index.insert(contentsOf: records.reversed().map { ($0.seq, $0.embedding!) }, threads: threads)
        var categories: [Int64: String] = [:]
        for record in records { categories[record.seq] = record.category }
        var state = IndexState(index: index, change: change, categories: categories, unsaved: true, rebuilt: true)
        // Writes that landed while this ran are replayed (the counter was read first).
        let later = try store.memoryChanges(after: change)
        if !later.isEmpty { Self.apply(later, to: &state) }
        return state
    }

    private func removeAbandonedTemporaryFiles() {
        let directory = (indexPath as NSString).deletingLastPathComponent
        let prefix = (indexPath as NSString).lastPathComponent + ".tmp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) {
            if let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
                unlink(directory + "/" + name)
            }
        }
    }
}
