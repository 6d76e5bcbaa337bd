import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksMemory

/// `sparks bench memory`: our embedder and HNSW index against sentence-transformers and hnswlib
/// on the same data and machine, in one run, reported as ratios; then hybrid search latency.
struct MemoryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Embedder and HNSW against sentence-transformers and hnswlib (ratios), and hybrid search latency.",
        discussion: """
            The Python baselines run from the venv of scripts/memory/python-env.sh (run it once; it needs \
            PyPI). Without it, only our own numbers are printed. Data is cached in --data-dir. Takes about \
            15 minutes on 2 cores with the defaults; use --quick for a smaller run.
            """)

    @Option(name: .long, help: "Vectors in the HNSW data sets and memories in the largest latency run.")
    var n = 100_000
    @Option(name: .long, help: "Queries per measurement.")
    var queries = 1000
    @Option(name: .long, help: "Seconds per embedding measurement.")
    var seconds = 10.0
    @Option(name: .long, help: "Threads for embedding and for building indexes (queries use one).")
    var threads = 2
    @Option(name: .long, help: "The venv's python (default: $SPARKS_PYENV/bin/python or ~/.cache/sparks/pyenv/bin/python).")
    var python: String?
    @Option(name: .long, help: "scripts/memory/bench_baseline.py of the Sparks checkout.")
    var baselineScript = "scripts/memory/bench_baseline.py"
    @Option(name: .long, help: "Where generated data and embeddings are cached.")
    var dataDir = NSHomeDirectory() + "/.cache/sparks/bench"
    @Flag(name: .long, help: "Small sizes (10,000 vectors, 200 queries, 3 s), for a quick look.")
    var quick = false
    @Option(name: .long, help: "Run only these parts: embed, hnsw, latency (repeatable; default all).")
    var only: [Part] = []

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case embed, hnsw, latency
    }

    private func wants(_ part: Part) -> Bool { only.isEmpty || only.contains(part) }
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let n = quick ? 10_000 : self.n
            let queryCount = quick ? 200 : queries
            let seconds = quick ? 3 : self.seconds
            let baseline = Baseline(python: python ?? Baseline.defaultPython, script: baselineScript)
            if let problem = baseline.problem { Terminal.error("note: no Python baselines — \(problem)") }
            let parameters = HNSWParameters(m: config.memory.hnswM, efConstruction: config.memory.hnswEfConstruction)

            // 1. Embedding throughput.
            let loadStart = ContinuousClock.now
            let embedder = try MiniLMEmbedder(modelDirectory: config.memory.modelDirectory, threads: threads)
            let coldLoad = loadStart.duration(to: .now)
            let coldSeconds = Double(coldLoad.components.seconds) + Double(coldLoad.components.attoseconds) / 1e18
            if wants(.embed) {
                let sentences = TextCorpus.sentences(256, offset: 400_000)
                let sentenceFile = dataDir + "/sentences.json"
                try write(JSONValue.array(sentences.map(JSONValue.string)).canonicalText, to: sentenceFile)
                progress("embedding \(sentences.count) sentences of 8–24 words at batch 32 and 1, \(threads) threads…")
                let ours = MemoryBenchmark.embeddingThroughput(embedder, sentences: sentences, batches: [32, 1], seconds: seconds)
                let theirs = baseline.run(["embed", "--sentences", sentenceFile, "--batch", "32", "--batch", "1",
                                           "--threads", String(threads), "--seconds", String(seconds)], progress: progress)
                Terminal.out("\n== Embedding: all-MiniLM-L6-v2, \(threads) threads ==")
                var load = "cold load: ours \(format(coldSeconds, 3)) s"
                if let their = theirs?["cold_load_seconds"]?.doubleValue {
                    load += ", sentence-transformers \(format(their, 3)) s (after \(format(theirs?["import_seconds"]?.doubleValue ?? 0, 2)) s of imports)"
                }
                Terminal.out(load)
                Terminal.out("batch  ours sent/s  sentence-transformers sent/s  ratio")
                for item in ours {
                    let other = theirs?["results"]?.arrayValue?.first { $0["batch"]?.intValue == item.batch }?["sentences_per_s"]?.doubleValue
                    Terminal.out(pad("\(item.batch)", 5) + "  " + pad(format(item.sentencesPerSecond, 1), 11) + "  "
                        + pad(other.map { format($0, 1) } ?? "-", 28) + "  " + (other.map { format(item.sentencesPerSecond / $0, 2) + "×" } ?? "-"))
                }

            }

            // 2. HNSW on a 32-d Gaussian mixture projected to 384-d, and on embeddings of text.
            if wants(.hnsw) {
                let mixture = dataDir + "/mixture-\(n)-\(queryCount)"
                if !FileManager.default.fileExists(atPath: mixture + "/truth.ibin") {
                    if baseline.problem == nil {
                        progress("generating the mixture data set…")
                        _ = baseline.run(["gen-mixture", "--n", String(n), "--d", "384", "--intrinsic", "32", "--clusters", "64",
                                          "--queries", String(queryCount), "--seed", "7", "--out-dir", mixture], progress: progress)
                    } else {
                        progress("generating the mixture data set (Swift)…")
                        let (base, query) = Self.mixture(n: n, queries: queryCount)
                        try VectorFiles.writeFloats(base, to: mixture + "/base.fbin")
                        try VectorFiles.writeFloats(query, to: mixture + "/queries.fbin")
                        try VectorFiles.writeInts(MemoryBenchmark.exactNeighbours(base: base, queries: query, k: 10),
                                                  to: mixture + "/truth.ibin")
                    }
                }
                try compareGraphs(name: "32-d Gaussian mixture projected to 384-d", directory: mixture, parameters: parameters,
                                  baseline: baseline)

            }

            let textDir = dataDir + "/text-\(n)-\(queryCount)"
            let texts = TextCorpus.sentences(n)
            if !FileManager.default.fileExists(atPath: textDir + "/truth.ibin") {
                progress("embedding \(n) generated sentences for the text data set (cached for next time)…")
                var base: [[Float]] = []
                base.reserveCapacity(n)
                for start in stride(from: 0, to: n, by: 256) {
                    base += embedder.embed(Array(texts[start..<min(n, start + 256)]))
                    if (start / 256) % 40 == 0 { progress("  \(start)/\(n)") }
                }
                let query = embedder.embed(TextCorpus.sentences(queryCount, offset: 150_000))
                try VectorFiles.writeFloats(base, to: textDir + "/base.fbin")
                try VectorFiles.writeFloats(query, to: textDir + "/queries.fbin")
                try VectorFiles.writeInts(MemoryBenchmark.exactNeighbours(base: base, queries: query, k: 10),
                                          to: textDir + "/truth.ibin")
            }
            if wants(.hnsw) {
                try compareGraphs(name: "MiniLM embeddings of \(n) generated sentences", directory: textDir,
                                  parameters: parameters, baseline: baseline)
            }
            guard wants(.latency) else { return }

            // 3. Hybrid search latency (query embedding, FTS5, HNSW, fusion, fetching rows).
            let embeddings = try VectorFiles.readFloats(textDir + "/base.fbin")
            let scratch = NSTemporaryDirectory() + "sparks-bench-memory-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let questions = TextCorpus.sentences(min(queryCount, 300), offset: 160_000).map { "what do we know about " + $0.lowercased() }
            Terminal.out("\n== Hybrid search latency (one query at a time) ==")
            Terminal.out("memories  search p50 ms  search p99 ms  with query embedding p50 ms  p99 ms")
            for count in Set([min(10_000, n), n]).sorted() {
                let latency = try MemoryBenchmark.hybridLatency(texts: texts, embeddings: embeddings, count: count,
                                                                queries: questions, embedder: embedder, directory: scratch,
                                                                threads: threads, progress: progress)
                Terminal.out(pad("\(count)", 8) + "  " + pad(format(latency.searchP50Milliseconds, 2), 13) + "  "
                    + pad(format(latency.searchP99Milliseconds, 2), 13) + "  " + pad(format(latency.totalP50Milliseconds, 2), 29)
                    + "  " + format(latency.totalP99Milliseconds, 2))
            }
        }
    }

    private func compareGraphs(name: String, directory: String, parameters: HNSWParameters, baseline: Baseline) throws(SparksError) {
        let base = try VectorFiles.readFloats(directory + "/base.fbin")
        let queries = try VectorFiles.readFloats(directory + "/queries.fbin")
        let truth = try VectorFiles.readInts(directory + "/truth.ibin")
        progress("HNSW on \(name): ours…")
        let ours = MemoryBenchmark.graph(base: base, queries: queries, truth: truth, parameters: parameters,
                                         threads: threads, efs: [16, 64], progress: progress)
        progress("HNSW on \(name): hnswlib…")
        let theirs = baseline.run(["hnsw", "--base", directory + "/base.fbin", "--queries", directory + "/queries.fbin",
                                   "--truth", directory + "/truth.ibin", "--M", String(parameters.m),
                                   "--ef-construction", String(parameters.efConstruction), "--ef", "16", "--ef", "64",
                                   "--threads", String(threads), "--k", "10"], progress: progress)
        Terminal.out("\n== HNSW: \(name); \(base.count) × \(base[0].count), M \(parameters.m), efConstruction \(parameters.efConstruction) ==")
        let theirBuild = theirs?["build_seconds"]?.doubleValue
        Terminal.out("build (\(threads) threads): ours \(format(ours.buildSeconds, 1)) s"
            + (theirBuild.map { ", hnswlib \(format($0, 1)) s, ratio \(format(ours.buildSeconds / $0, 2))× (lower is better)" } ?? ""))
        Terminal.out("ef   ours q/s  recall@10  p50 µs  p99 µs  hnswlib q/s  recall@10  q/s ratio")
        for run in ours.runs {
            let row = theirs?["results"]?.arrayValue?.first { $0["ef"]?.intValue == run.ef }?["single_query_1thread"]
            let qps = row?["qps"]?.doubleValue
            Terminal.out(pad("\(run.ef)", 3) + "  " + pad(format(run.queriesPerSecond, 0), 8) + "  " + pad(format(run.recall, 4), 9)
                + "  " + pad(format(run.p50Microseconds, 0), 6) + "  " + pad(format(run.p99Microseconds, 0), 6) + "  "
                + pad(qps.map { format($0, 0) } ?? "-", 11) + "  " + pad(row?["recall"]?.doubleValue.map { format($0, 4) } ?? "-", 9)
                + "  " + (qps.map { format(run.queriesPerSecond / $0, 2) + "×" } ?? "-"))
        }
        Terminal.out("exact search (linear scan): \(format(ours.exactQueriesPerSecond, 0)) q/s, recall 1.0")
    }

    /// The mixture data set without Python (the same recipe: 64 clusters in 32-d, spread 0.5, a
    /// random projection to 384-d, normalised).
    static func mixture(n: Int, queries: Int) -> ([[Float]], [[Float]]) {
        var random = SystemRandomNumberGenerator()
        func gaussian() -> Float {
            let u = Float.random(in: Float.ulpOfOne..<1, using: &random), v = Float.random(in: 0..<1, using: &random)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        let projection = (0..<32).map { _ in (0..<384).map { _ in gaussian() } }
        let centres = (0..<64).map { _ in (0..<32).map { _ in gaussian() } }
        func point() -> [Float] {
            let centre = centres[Int.random(in: 0..<64, using: &random)]
            var vector = [Float](repeating: 0, count: 384)
            for (i, value) in centre.enumerated() {
                let x = value + 0.5 * gaussian()
                for d in 0..<384 { vector[d] += x * projection[i][d] }
            }
            return vector
        }
        return ((0..<n).map { _ in point() }, (0..<queries).map { _ in point() })
    }

    private func write(_ text: String, to path: String) throws(SparksError) {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw SparksError(.invalidInput, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    private func progress(_ text: String) { Terminal.error(text) }
    private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    /// Runs scripts/memory/bench_baseline.py in the benchmark venv.
    struct Baseline {
        static var defaultPython: String {
            (ProcessInfo.processInfo.environment["SPARKS_PYENV"] ?? NSHomeDirectory() + "/.cache/sparks/pyenv") + "/bin/python"
        }

        let python: String
        let script: String

        var problem: String? {
            if !FileManager.default.isExecutableFile(atPath: python) {
                return "\(python) does not exist (run scripts/memory/python-env.sh, or pass --python)"
            }
            if !FileManager.default.fileExists(atPath: script) {
                return "\(script) does not exist (run from the Sparks checkout, or pass --baseline-script)"
            }
            return nil
        }

        /// The JSON the script prints, or nil (with the reason on stderr) when it cannot run.
        func run(_ arguments: [String], progress: (String) -> Void) -> JSONValue? {
            guard problem == nil else { return nil }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.standardError
            process.standardInput = FileHandle.nullDevice
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            do { try process.run() } catch {
                progress("note: cannot run \(python): \(error.localizedDescription)")
                return nil
            }
            let data = PipeReading.all(output.fileHandleForReading)
            exited.wait()
            guard process.terminationStatus == 0 else {
                progress("note: the baseline `\(arguments.first ?? "")` failed (exit \(process.terminationStatus))")
                return nil
            }
            return JSONValue.parse(String(decoding: data, as: UTF8.self))
        }
    }
}
