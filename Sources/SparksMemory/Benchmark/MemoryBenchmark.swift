import COpenBLAS
import Foundation
import SparksCore
import SparksStore

/// The measurements behind `sparks bench memory`. Each returns plain numbers; the command runs the
/// Python baselines on the same data and prints ratios.
public enum MemoryBenchmark {
    public struct Throughput: Sendable {
        public var batch: Int
        public var sentencesPerSecond: Double
    }

    /// Sentences per second at each batch size, looping over `sentences` for about `seconds`
    /// each, after a warm-up.
    public static func embeddingThroughput(_ embedder: MiniLMEmbedder, sentences: [String], batches: [Int],
                                           seconds: Double) -> [Throughput] {
        _ = embedder.embed(Array(sentences.prefix(32)))
        return batches.map { batch in
            var count = 0
            let start = ContinuousClock.now
            var elapsed = 0.0
            repeat {
                for chunk in stride(from: 0, to: sentences.count, by: batch) {
                    _ = embedder.embed(Array(sentences[chunk..<min(sentences.count, chunk + batch)]))
                }
                count += sentences.count
                elapsed = start.duration(to: .now).seconds
            } while elapsed < seconds
            return Throughput(batch: batch, sentencesPerSecond: Double(count) / elapsed)
        }
    }

    public struct GraphRun: Sendable {
        public var ef: Int
        public var queriesPerSecond: Double
        public var recall: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
    }

    public struct GraphResult: Sendable {
        public var buildSeconds: Double
        public var runs: [GraphRun]
        public var exactQueriesPerSecond: Double
    }

    /// Builds an index over `base` on `threads` threads, then answers `queries` one at a time on
    /// one thread at each ef; recall@k against `truth`. Also times exact search (a linear scan).
    public static func graph(base: [[Float]], queries: [[Float]], truth: [[Int32]], parameters: HNSWParameters,
                             threads: Int, efs: [Int], k: Int = 10,
                             progress: (String) -> Void = { _ in }) -> GraphResult {
        var index = HNSWIndex(dimension: base[0].count, parameters: parameters)
        let started = ContinuousClock.now
        index.insert(contentsOf: base.enumerated().map { (Int64($0.offset), $0.element) }, threads: threads)
        let build = started.duration(to: .now).seconds
        progress(String(format: "built %d × %d in %.1f s", base.count, base[0].count, build))
        var runs: [GraphRun] = []
        for ef in efs {
            for query in queries.prefix(100) { _ = index.search(query, k: k, ef: ef) }
            var latencies: [Double] = []
            var hits = 0
            let wall = ContinuousClock.now
            for (position, query) in queries.enumerated() {
                let start = ContinuousClock.now
                let found = index.search(query, k: k, ef: ef)
                latencies.append(start.duration(to: .now).seconds * 1e6)
                let expected = Set(truth[position].prefix(k).map(Int64.init))
                hits += found.filter { expected.contains($0.id) }.count
            }
            let total = wall.duration(to: .now).seconds
            latencies.sort()
            runs.append(GraphRun(ef: ef, queriesPerSecond: Double(queries.count) / total,
                                 recall: Double(hits) / Double(queries.count * k),
                                 p50Microseconds: percentile(latencies, 0.5), p99Microseconds: percentile(latencies, 0.99)))
        }
        let exactQueries = Array(queries.prefix(100))
        let exactStart = ContinuousClock.now
        for query in exactQueries { _ = index.exactSearch(query, k: k) }
        let exact = Double(exactQueries.count) / exactStart.duration(to: .now).seconds
        return GraphResult(buildSeconds: build, runs: runs, exactQueriesPerSecond: exact)
    }

    /// The ids of the `k` most cosine-similar base vectors for each query (one GEMM per block).
    public static func exactNeighbours(base: [[Float]], queries: [[Float]], k: Int) -> [[Int32]] {
        let d = base[0].count
        let normalizedBase = base.map(HNSWIndex.normalised).flatMap { $0 }
        let normalizedQueries = queries.map(HNSWIndex.normalised).flatMap { $0 }
        var best = [[(Float, Int32)]](repeating: [], count: queries.count)
        let block = 8192
        var scores = [Float](repeating: 0, count: queries.count * block)
        for start in stride(from: 0, to: base.count, by: block) {
            let rows = min(block, base.count - start)
            normalizedBase.withUnsafeBufferPointer { b in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(queries.count), Int32(rows), Int32(d), 1,
                            normalizedQueries, Int32(d), b.baseAddress! + start * d, Int32(d), 0, &scores, Int32(rows))
            }
            for query in 0..<queries.count {
                var list = best[query]
                for row in 0..<rows {
                    let score = scores[query * rows + row]
                    if list.count < k || score > list[list.count - 1].0 {
                        list.append((score, Int32(start + row)))
                        list.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 > $1.0 }
                        if list.count > k { list.removeLast() }
                    }
                }
                best[query] = list
            }
        }
        return best.map { $0.map(\.1) }
    }

    public struct Latency: Sendable {
        public var memories: Int
        /// The search given the query's embedding: FTS5, HNSW, fusion, reading the rows.
        public var searchP50Milliseconds: Double
        public var searchP99Milliseconds: Double
        /// Embedding the query as well (what a caller with only text waits for).
        public var totalP50Milliseconds: Double
        public var totalP99Milliseconds: Double
    }

    /// Hybrid search latency on a fresh database of `count` memories (texts and their embeddings),
    /// over `queries`, one at a time.
    public static func hybridLatency(texts: [String], embeddings: [[Float]], count: Int, queries: [String],
                                     embedder: MiniLMEmbedder, directory: String, threads: Int,
                                     progress: (String) -> Void = { _ in }) throws(SparksError) -> Latency {
        let store = try SparksStore(path: directory + "/bench-\(count).db")
        try store.insertMemories((0..<count).map { ("fact", texts[$0], "bench", embeddings[$0]) })
        let memory = MemoryService(store: store, settings: MemorySettings(modelDirectory: embedder.modelDirectory),
                                   embedder: embedder)
        progress("indexing \(count) memories…")
        _ = try memory.reindex(threads: threads)
        let vectors = embedder.embed(queries)
        for (query, vector) in zip(queries, vectors).prefix(20) {
            _ = try memory.search(query, embedding: vector, limit: 5, touch: false)
        }
        var searches: [Double] = []
        var totals: [Double] = []
        for (query, vector) in zip(queries, vectors) {
            let start = ContinuousClock.now
            _ = try memory.search(query, embedding: vector, limit: 5, touch: false)
            searches.append(start.duration(to: .now).seconds * 1000)
            let full = ContinuousClock.now
            _ = try memory.search(query, limit: 5, touch: false)
            totals.append(full.duration(to: .now).seconds * 1000)
        }
        searches.sort()
        totals.sort()
        return Latency(memories: count, searchP50Milliseconds: percentile(searches, 0.5),
                       searchP99Milliseconds: percentile(searches, 0.99), totalP50Milliseconds: percentile(totals, 0.5),
                       totalP99Milliseconds: percentile(totals, 0.99))
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
