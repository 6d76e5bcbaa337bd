import Foundation
import SparksCore
@testable import SparksMemory
import SparksStore
import SparksTesting
import Testing

/// The memory store on a real SQLite file with the real embedder.
@Suite("Memory store and hybrid search")
struct MemoryServiceTests {
    let directory: TemporaryDirectory
    let store: SparksStore

    init() throws {
        directory = try TemporaryDirectory(prefix: "memory")
        store = try SparksStore(path: directory.file("sparks.db"))
    }

    func service(_ settings: MemorySettings? = nil) -> MemoryService {
        MemoryService(store: store, settings: settings ?? MemorySettings(modelDirectory: TestModel.directory),
                      embedder: TestModel.embedder)
    }

    @Test("a near-duplicate of the same category updates the memory; another category or text adds one")
    func deduplication() throws {
        let memory = service()
        let first = try memory.store(category: "fact", content: "The billing service deploys with make ship on Fridays")
        #expect(first.updatedDuplicate == nil)
        let again = try memory.store(category: "fact", content: "The billing service is deployed with make ship on Fridays.")
        #expect(again.updatedDuplicate.map { $0 >= 0.95 } == true)
        #expect(again.memory.seq == first.memory.seq)
        #expect(again.memory.content == "The billing service is deployed with make ship on Fridays.")
        let otherCategory = try memory.store(category: "lesson", content: "The billing service deploys with make ship on Fridays")
        #expect(otherCategory.updatedDuplicate == nil)
        let different = try memory.store(category: "fact", content: "Postgres backups run nightly at 02:00 UTC")
        #expect(different.updatedDuplicate == nil)
        #expect(try store.memoryCounts().active == 3)
        // The FTS row followed the update: the new wording is found, the old one only by shared words.
        #expect(try store.keywordMatches("\"is\" AND \"deployed\"", limit: 5).map(\.seq) == [first.memory.seq])
    }

    @Test("search fuses keywords and meaning, honours the floor and the category, and decays with age")
    func hybridSearch() throws {
        let memory = service()
        let now = Date()
        let deploy = try memory.store(category: "fact", content: "The billing service deploys with make ship on Fridays", at: now)
        let backups = try memory.store(category: "fact", content: "Postgres backups run nightly at 02:00 UTC", at: now)
        let old = try memory.store(category: "lesson", content: "Deploying billing on a Friday broke invoices once",
                                   at: now.addingTimeInterval(-60 * 86_400))
        _ = try memory.store(category: "fact", content: "Cats like to sleep in the sun", at: now)

        let hits = try memory.search("how do we deploy billing", limit: 5, now: now)
        #expect(hits.first?.memory.seq == deploy.memory.seq)
        #expect(hits.first.map { $0.keyword > 0.5 && $0.semantic > 0.5 } == true)
        #expect(!hits.contains { $0.memory.content.contains("Cats") }, "unrelated memories fall below the cosine floor")
        let aged = try #require(hits.first { $0.memory.seq == old.memory.seq })
        #expect(abs(aged.recency - 0.25) < 0.001, "60 days at a 30-day half-life")
        #expect(abs(aged.score - (aged.semantic + 0.5 * aged.keyword) * 0.25) < 1e-9)

        let lessons = try memory.search("deploy billing", limit: 5, category: "lesson", now: now)
        #expect(lessons.map(\.memory.seq) == [old.memory.seq])
        let semanticOnly = try memory.search("database dump schedule", limit: 1, now: now)
        #expect(semanticOnly.first?.memory.seq == backups.memory.seq)
        #expect(semanticOnly.first?.keyword == 0)
    }

    @Test("retired memories leave search and the FTS table; prune retires only what decayed (dry run first)")
    func retireAndPrune() throws {
        let memory = service()
        let now = Date()
        let keep = try memory.store(category: "fact", content: "The staging database lives on db-2", at: now)
        let stale = try memory.store(category: "fact", content: "The staging cache lives on cache-9",
                                     at: now.addingTimeInterval(-200 * 86_400))
        let retired = try memory.retire(idPrefix: String(keep.memory.id.uuidString.prefix(8)))
        #expect(retired.seq == keep.memory.seq)
        #expect(try memory.search("staging database db-2", limit: 5, now: now).allSatisfy { $0.memory.seq != keep.memory.seq })
        #expect(try store.keywordMatches("\"db\"", limit: 5).isEmpty)
        #expect(throws: SparksError.self) { try memory.retire(idPrefix: "zzzzzzzz") }

        let preview = try memory.prune(minScore: 0.1, apply: false, now: now)
        #expect(preview.map(\.seq) == [stale.memory.seq])
        #expect(try store.memoryCounts().active == 1, "a dry run changes nothing")
        _ = try memory.prune(minScore: 0.1, apply: true, now: now)
        #expect(try store.memoryCounts().active == 0)
        #expect(try store.memoryCounts().retired == 2)
        #expect(try store.memoryFullTextIsConsistent())
    }

    @Test("the index is written with a checksum, caught up by the next process, and rebuilt when corrupt")
    func indexPersistence() throws {
        let writer = service()
        var seqs: [Int64] = []
        for text in MemoryCorpus.sentences(80) {
            let result = try writer.store(category: "fact", content: text)
            #expect(result.updatedDuplicate == nil, "\(text)")
            seqs.append(result.memory.seq)
        }
        try writer.persist()
        let size = try FileManager.default.attributesOfItem(atPath: writer.indexPath)[.size] as? Int
        #expect((size ?? 0) > 80 * 384 * 4)

        // Another process writes after the file was saved: the reader replays the change.
        let other = service()
        let late = try other.store(category: "fact", content: "The release train leaves every Tuesday")
        let reader = service()
        let status = try reader.indexStatus()
        #expect(!status.rebuilt)
        #expect(status.vectors == 81)
        #expect(try reader.search("when does the release train leave", limit: 1).first?.memory.seq == late.memory.seq)

        // A flipped byte: the checksum catches it and the index is rebuilt from the database.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: writer.indexPath))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: writer.indexPath))
        #expect(throws: SparksError.self) { _ = try HNSWIndex.read(from: writer.indexPath) }
        let repaired = service()
        let after = try repaired.indexStatus()
        #expect(after.rebuilt)
        #expect(after.vectors == 81)
        try repaired.persist()
        #expect(try HNSWIndex.read(from: writer.indexPath).index.count == 81)
    }

    @Test("without the model, memory works by keywords and exact duplicates")
    func keywordOnly() throws {
        let memory = MemoryService(store: store, settings: MemorySettings(modelDirectory: directory.file("no-model")))
        #expect(memory.semanticProblem?.code == .modelUnavailable)
        let first = try memory.store(category: "fact", content: "Invoices are generated at midnight")
        #expect(first.memory.embedding == nil)
        let same = try memory.store(category: "fact", content: "invoices are  generated at midnight")
        #expect(same.updatedDuplicate == 1)
        let hits = try memory.search("when are invoices generated", limit: 3)
        #expect(hits.map(\.memory.seq) == [first.memory.seq])
        #expect(hits.first?.semantic == 0)
        // Once the model is there, reindex embeds what was stored without it.
        let upgraded = service()
        #expect(try upgraded.backfill() == 1)
        #expect(try store.memoryCounts().withoutEmbedding == 0)
    }

    @Test("the keyword leg leaves out words that too many memories contain")
    func commonWordsAreLeftOut() throws {
        let items = (0..<6).map { index in
            (category: "fact", content: "common word number \(index)" + (index == 4 ? " with a rare token" : ""),
             source: String?.none, embedding: [Float]?.none)
        }
        try store.insertMemories(items)
        let all = try store.keywordMatches(forText: "common rare", limit: 10)
        #expect(all.count == 6)
        let bounded = try store.keywordMatches(forText: "common rare", limit: 10, commonAbove: 3)
        #expect(bounded.count == 1)
        #expect(try store.memories(seqs: bounded.map(\.seq)).values.first?.content.contains("rare") == true)
        #expect(try store.keywordMatches(forText: "common", limit: 10, commonAbove: 3).isEmpty)
    }

    @Test("bad categories and empty text are refused with a clear error")
    func badInput() {
        let memory = service()
        #expect(throws: SparksError.self) { try memory.store(category: "no spaces", content: "x") }
        #expect(throws: SparksError.self) { try memory.store(category: "fact", content: "   ") }
    }
}

/// Distinct, realistic sentences for tests and benchmarks: combinations of subjects, facts and
/// qualifiers that do not collapse into near-duplicates.
enum MemoryCorpus {
    static let subjects = ["The billing service", "Our CI pipeline", "The staging cluster", "The payments API",
                           "The nightly backup job", "The search indexer", "The mobile app build", "The auth gateway",
                           "The data warehouse loader", "The email notifier"]
    static let facts = ["deploys with make ship", "needs the VPN to reach the registry", "fails when the disk is full",
                        "is owned by the platform team", "retries three times before paging", "reads its secrets from vault",
                        "was migrated to Postgres 16 last spring", "logs to the central syslog server"]

    static func sentences(_ count: Int) -> [String] {
        var result: [String] = []
        for (index, subject) in subjects.enumerated() {
            for (offset, fact) in facts.enumerated() {
                result.append("\(subject) \(fact); ticket \(index * 8 + offset).")
            }
        }
        return Array(result.prefix(count))
    }
}
