import Foundation
import SparksCore
@testable import SparksMemory
import Testing

/// Where the tests find all-MiniLM-L6-v2: `SPARKS_MEMORY_MODEL_DIR` (the Makefile sets it from
/// scripts/fetch-model.sh), else `~/.sparks/models/all-MiniLM-L6-v2`.
enum TestModel {
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["SPARKS_MEMORY_MODEL_DIR"], !dir.isEmpty { return dir }
        return NSHomeDirectory() + "/.sparks/models/all-MiniLM-L6-v2"
    }()

    static let embedder: MiniLMEmbedder = {
        do { return try MiniLMEmbedder(modelDirectory: directory) } catch {
            fatalError("the embedding model is needed by these tests: \(error)")
        }
    }()
}

@Suite("MiniLM embedder")
struct EmbedderTests {
    @Test("similar sentences are closer than unrelated ones")
    func similarity() {
        let vectors = TestModel.embedder.embed([
            "The cat sits on the mat.", "A cat is sitting on a rug.", "Quarterly revenue grew by ten percent.",
        ])
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(vectors.allSatisfy { abs(cosine($0, $0) - 1) < 1e-5 })
        #expect(cosine(vectors[0], vectors[1]) > 0.6)
        #expect(cosine(vectors[0], vectors[2]) < 0.2)
    }
}
