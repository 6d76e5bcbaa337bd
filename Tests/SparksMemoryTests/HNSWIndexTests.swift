import Foundation
import SparksMemory
import Testing

/// Vectors with structure, as real embeddings have: a Gaussian mixture in a low-dimensional
/// space projected into the index's dimension (uniform random vectors defeat every graph index).
struct MixtureGenerator {
    var state: UInt64

    mutating func uniform() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float((state >> 40) & 0xFFFFFF) / Float(1 << 24)
    }

    mutating func gaussian() -> Float {
        let u = max(uniform(), 1e-7), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    mutating func data(count: Int, intrinsic: Int, dimension: Int, clusters: Int) -> [[Float]] {
        let projection = (0..<intrinsic).map { _ in (0..<dimension).map { _ in gaussian() } }
        let centres = (0..<clusters).map { _ in (0..<intrinsic).map { _ in gaussian() * 3 } }
        return (0..<count).map { index in
            let centre = centres[index % clusters]
            let point = centre.map { $0 + gaussian() }
            var vector = [Float](repeating: 0, count: dimension)
            for (i, value) in point.enumerated() {
                for d in 0..<dimension { vector[d] += value * projection[i][d] }
            }
            return vector
        }
    }
}

@Suite struct HNSWIndexTests {
    static let parameters = HNSWParameters(m: 16, efConstruction: 100, efSearch: 64)

    func build(_ vectors: [[Float]], parameters: HNSWParameters = HNSWIndexTests.parameters) -> HNSWIndex {
        var index = HNSWIndex(dimension: vectors[0].count, parameters: parameters)
        for (id, vector) in vectors.enumerated() { index.insert(id: Int64(id), vector: vector) }
        return index
    }

    @Test func recallAgainstExactSearch() {
        var generator = MixtureGenerator(state: 42)
        let data = generator.data(count: 1500, intrinsic: 16, dimension: 64, clusters: 20)
        let queries = generator.data(count: 50, intrinsic: 16, dimension: 64, clusters: 20)
        let index = build(data)
        #expect(index.count == 1500)
        var hits = 0
        for query in queries {
            let exact = Set(index.exactSearch(query, k: 10).map(\.id))
            let found = index.search(query, k: 10).map(\.id)
            #expect(found.count == 10)
            hits += found.filter(exact.contains).count
        }
        let recall = Double(hits) / Double(queries.count * 10)
        #expect(recall >= 0.95, "recall@10 = \(recall)")
    }

    @Test func resultsAreOrderedAndScoredByCosine() {
        var index = HNSWIndex(dimension: 3, parameters: HNSWParameters(exactBelow: 0))
        index.insert(id: 1, vector: [1, 0, 0])
        index.insert(id: 2, vector: [1, 1, 0])
        index.insert(id: 3, vector: [0, 1, 0])
        index.insert(id: 4, vector: [-1, 0, 0])
        let found = index.search([2, 0, 0], k: 4)
        #expect(found.map(\.id) == [1, 2, 3, 4])
        #expect(abs(found[0].similarity - 1) < 1e-5)
        #expect(abs(found[1].similarity - 0.70710677) < 1e-5)
        #expect(abs(found[3].similarity + 1) < 1e-5)
    }

    @Test func deletedAndFilteredVectorsAreNeverReturned() {
        var generator = MixtureGenerator(state: 7)
        let data = generator.data(count: 400, intrinsic: 8, dimension: 32, clusters: 8)
        var index = build(data)
        for id in stride(from: 0, to: 400, by: 2) { index.remove(id: Int64(id)) }
        #expect(index.count == 200)
        #expect(!index.contains(0))
        for query in data.prefix(20) {
            let found = index.search(query, k: 10)
            #expect(found.count == 10)
            #expect(found.allSatisfy { $0.id % 2 == 1 })
            let filtered = index.search(query, k: 5) { $0 % 3 == 0 }
            #expect(filtered.allSatisfy { $0.id % 2 == 1 && $0.id % 3 == 0 })
        }
        // Re-inserting an id replaces it.
        index.insert(id: 0, vector: data[1])
        #expect(index.contains(0))
        #expect(index.search(data[1], k: 2).map(\.id).contains(0))
    }

    @Test func smallIndexesScanExactly() {
        var generator = MixtureGenerator(state: 3)
        let data = generator.data(count: 50, intrinsic: 4, dimension: 16, clusters: 4)
        let index = build(data)
        for query in data.prefix(10) {
            #expect(index.search(query, k: 5).map(\.id) == index.exactSearch(query, k: 5).map(\.id))
        }
    }

    @Test func sameSeedSameGraph() {
        var generator = MixtureGenerator(state: 11)
        let data = generator.data(count: 300, intrinsic: 8, dimension: 32, clusters: 6)
        let a = build(data), b = build(data)
        for query in data.prefix(10) {
            #expect(a.search(query, k: 10).map(\.id) == b.search(query, k: 10).map(\.id))
        }
    }
}
