import Foundation
@testable import SparksMemory
import Testing

/// Our tokenizer and encoder against sentence-transformers on the committed fixture
/// (scripts/memory/make_parity_fixture.py made it from the same weights).
@Suite("MiniLM parity with sentence-transformers")
struct ParityTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var text: String
            var ids: [Int32]
            var vector: [Float]
        }
        var generator: String
        var cases: [Case]
    }

    static let fixture: Fixture = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/minilm-parity.json")
        do { return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: path)) } catch {
            fatalError("cannot read the parity fixture \(path.path): \(error)")
        }
    }()

    @Test("the fixture is varied: at least 200 cases, some truncated at 256 tokens, non-ASCII text")
    func fixtureShape() {
        let cases = Self.fixture.cases
        #expect(cases.count >= 200)
        #expect(cases.contains { $0.ids.count == 256 })
        #expect(cases.filter { $0.text.unicodeScalars.contains { !$0.isASCII } }.count >= 20)
    }

    @Test("token ids match exactly")
    func tokenIDs() {
        let tokenizer = TestModel.embedder.tokenizer
        var mismatches: [String] = []
        for item in Self.fixture.cases {
            let ids = tokenizer.encode(item.text)
            if ids != item.ids {
                mismatches.append("\(item.text.prefix(60).debugDescription): ours \(ids.prefix(12))… theirs \(item.ids.prefix(12))…")
            }
        }
        let report = mismatches.prefix(10).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(report)")
    }

    @Test("vectors match at cosine ≥ 0.9999, in one batch and one by one")
    func vectors() {
        let cases = Self.fixture.cases
        let batched = TestModel.embedder.embed(tokenIDs: cases.map(\.ids))
        var worst: (cosine: Float, text: String) = (1, "")
        for (item, vector) in zip(cases, batched) {
            let cosine = zip(item.vector, vector).reduce(0) { $0 + $1.0 * $1.1 }
            if cosine < worst.cosine { worst = (cosine, item.text) }
        }
        #expect(worst.cosine >= 0.9999, "worst cosine \(worst.cosine) for \(worst.text.prefix(80).debugDescription)")
        for item in cases.prefix(20) {
            let single = TestModel.embedder.embed(item.text)
            let cosine = zip(item.vector, single).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(cosine >= 0.9999, "\(item.text.prefix(60).debugDescription): \(cosine)")
        }
    }
}

/// 1,500 random strings across Unicode (scripts/memory/make_tokenizer_fuzz.py): every id matches.
@Test("tokenizer ids match Hugging Face's on random Unicode text")
func tokenizerFuzz() throws {
    struct Fuzz: Decodable {
        struct Case: Decodable {
            var text: String
            var ids: [Int32]
        }
        var cases: [Case]
    }
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizer-fuzz.json")
    let fuzz = try JSONDecoder().decode(Fuzz.self, from: Data(contentsOf: path))
    #expect(fuzz.cases.count >= 1000)
    let tokenizer = TestModel.embedder.tokenizer
    let mismatches = fuzz.cases.filter { tokenizer.encode($0.text) != $0.ids }
    let sample = mismatches.prefix(5).map { $0.text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ") }
    #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(sample)")
}
