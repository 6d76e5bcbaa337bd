import CSparksKernels
import Foundation
import SparksCore
import SparksTesting
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

    @Test("embeddings made on many threads at once equal those made one at a time")
    func concurrentCallers() async {
        let texts = (0..<24).map { "note \($0): the billing service talks to queue q\($0 % 5) on port \(9000 + $0)" }
        let serial = texts.map { TestModel.embedder.embed($0) }
        let parallel = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() { group.addTask { (index, TestModel.embedder.embed(text)) } }
            var vectors = [[Float]](repeating: [], count: texts.count)
            for await (index, vector) in group { vectors[index] = vector }
            return vectors
        }
        for (one, other) in zip(serial, parallel) {
            #expect(zip(one, other).reduce(0) { $0 + $1.0 * $1.1 } > 0.99999)
        }
    }
}

@Suite("Vector kernels")
struct KernelTests {
    @Test("the rational erf stays within 1e-6 of libm's on [-6, 6]")
    func erfAccuracy() {
        var worst: Double = 0
        for step in -6000...6000 {
            let x = Float(step) / 1000
            worst = max(worst, abs(Double(sparks_erf(x)) - erf(Double(x))))
        }
        #expect(worst < 1e-6, "max error \(worst)")
    }

    @Test("dot products and layer norm agree with plain loops")
    func dotAndNorm() {
        var generator = MixtureGenerator(state: 9)
        for count in [1, 7, 16, 31, 384, 1000] {
            let a = (0..<count).map { _ in generator.gaussian() }, b = (0..<count).map { _ in generator.gaussian() }
            let expected = zip(a, b).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(Double(sparks_dot(a, b, count)) - expected) < 1e-3 * max(1, abs(expected)), "\(count)")
        }
        var row: [Float] = [1, 2, 3, 4]
        sparks_layer_norm(&row, 1, 4, [1, 1, 1, 1], [0, 0, 0, 0], 0)
        let expected: [Float] = [-1.3416408, -0.4472136, 0.4472136, 1.3416408]
        #expect(zip(row, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(["avx512", "avx2", "generic"].contains(String(cString: sparks_kernels_variant())))
    }
}

@Suite("Model files")
struct ModelFileTests {
    @Test("a missing or corrupt model is an error that names the file and the fix")
    func missingAndCorrupt() throws {
        let directory = try TemporaryDirectory(prefix: "model")
        let missing = #expect(throws: SparksError.self) { try MiniLMEmbedder(modelDirectory: directory.path) }
        #expect(missing?.code == .modelUnavailable)
        #expect(missing?.message.contains(directory.path + "/model.safetensors") == true)
        #expect(missing?.hint?.contains("sparks memory fetch-model") == true)

        // The real vocabulary with truncated weights.
        _ = try directory.write("vocab.txt", String(contentsOfFile: TestModel.directory + "/vocab.txt", encoding: .utf8))
        let weights = try Data(contentsOf: URL(fileURLWithPath: TestModel.directory + "/model.safetensors"))
        try weights.prefix(weights.count / 2).write(to: URL(fileURLWithPath: directory.file("model.safetensors")))
        let truncated = #expect(throws: SparksError.self) { try MiniLMEmbedder(modelDirectory: directory.path) }
        #expect(truncated?.message.contains("are corrupt") == true)
        #expect(truncated?.message.contains(directory.file("model.safetensors")) == true)

        try Data("not a model".utf8).write(to: URL(fileURLWithPath: directory.file("model.safetensors")))
        let garbage = #expect(throws: SparksError.self) { try MiniLMEmbedder(modelDirectory: directory.path) }
        #expect(garbage?.code == .modelUnavailable)
    }
}
