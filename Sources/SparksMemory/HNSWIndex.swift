import Foundation

/// Parameters of an HNSW graph (Malkov & Yashunin): links per node, candidate-list sizes.
public struct HNSWParameters: Sendable, Hashable {
    /// Links per node on upper layers; layer 0 keeps twice as many.
    public var m: Int
    public var efConstruction: Int
    public var efSearch: Int
    /// Below this many live vectors, search scans them all (exact, and cheaper than the graph).
    public var exactBelow: Int
    public var seed: UInt64

    public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, exactBelow: Int = 64, seed: UInt64 = 0x5EED) {
        self.m = max(2, m)
        self.efConstruction = max(efConstruction, self.m)
        self.efSearch = max(1, efSearch)
        self.exactBelow = exactBelow
        self.seed = seed
    }
}

/// An approximate nearest-neighbour index over unit vectors with cosine similarity: a
/// hierarchical navigable small-world graph. Deletion leaves a tombstone: the node still routes
/// searches but is never returned.
public struct HNSWIndex: Sendable {
    public let dimension: Int
    public let parameters: HNSWParameters
    private var vectors: [Float] = []
    private var ids: [Int64] = []
    private var levels: [Int] = []
    /// neighbours[node][level] = linked nodes.
    private var neighbours: [[[Int32]]] = []
    private var deleted: [Bool] = []
    private var slotByID: [Int64: Int32] = [:]
    private var entryPoint: Int32 = -1
    private var maxLevel = -1
    private var random: SplitMix64
    private let levelFactor: Double

    public init(dimension: Int, parameters: HNSWParameters = HNSWParameters()) {
        precondition(dimension > 0, "an index needs at least one dimension")
        self.dimension = dimension
        self.parameters = parameters
        self.random = SplitMix64(seed: parameters.seed)
        self.levelFactor = 1 / log(Double(parameters.m))
    }

    /// Live (not deleted) vectors.
    public private(set) var count = 0

    public func contains(_ id: Int64) -> Bool {
        guard let slot = slotByID[id] else { return false }
        return !deleted[Int(slot)]
    }

    /// Adds a vector (normalised here). An id that is already present is replaced.
    public mutating func insert(id: Int64, vector: [Float]) {
        precondition(vector.count == dimension, "vector has \(vector.count) dimensions, the index \(dimension)")
        if contains(id) { remove(id: id) }
        let node = Int32(ids.count)
        vectors.append(contentsOf: Self.normalised(vector))
        ids.append(id)
        deleted.append(false)
        slotByID[id] = node
        count += 1
        let level = Int(-log(max(random.nextUnit(), 1e-12)) * levelFactor)
        levels.append(level)
        neighbours.append(Array(repeating: [], count: level + 1))
        guard entryPoint >= 0 else {
            entryPoint = node
            maxLevel = level
            return
        }
        let query = Array(vectors[Int(node) * dimension..<(Int(node) + 1) * dimension])
        var entry = entryPoint
        if maxLevel > level {
            for layer in stride(from: maxLevel, to: level, by: -1) {
                entry = greedy(query, from: entry, layer: layer)
            }
        }
        var visited = VisitedSet(capacity: ids.count)
        for layer in stride(from: min(level, maxLevel), through: 0, by: -1) {
            let candidates = searchLayer(query, entries: [entry], ef: parameters.efConstruction, layer: layer, visited: &visited)
            let capacity = layer == 0 ? parameters.m * 2 : parameters.m
            let chosen = selectNeighbours(candidates, count: parameters.m)
            neighbours[Int(node)][layer] = chosen.map(\.node)
            for link in chosen {
                var list = neighbours[Int(link.node)][layer]
                list.append(node)
                if list.count > capacity {
                    let base = Int(link.node) * dimension
                    let scored = list.map { Scored(distance: distance(vectorAt: base, Int($0) * dimension), node: $0) }
                    list = selectNeighbours(scored.sorted(), count: capacity).map(\.node)
                }
                neighbours[Int(link.node)][layer] = list
            }
            if let nearest = candidates.first { entry = nearest.node }
        }
        if level > maxLevel {
            maxLevel = level
            entryPoint = node
        }
    }

    /// Marks a vector deleted; it is never returned again.
    public mutating func remove(id: Int64) {
        guard let slot = slotByID[id], !deleted[Int(slot)] else { return }
        deleted[Int(slot)] = true
        count -= 1
    }

    /// The `k` nearest live vectors by cosine similarity, best first. `filter` keeps ids it accepts.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: ((Int64) -> Bool)? = nil) -> [(id: Int64, similarity: Float)] {
        precondition(query.count == dimension, "query has \(query.count) dimensions, the index \(dimension)")
        guard count > 0, k > 0 else { return [] }
        let unit = Self.normalised(query)
        let accept = { (node: Int32) -> Bool in
            !self.deleted[Int(node)] && (filter?(self.ids[Int(node)]) ?? true)
        }
        if count < parameters.exactBelow {
            return exactSearch(unit, k: k, accept: accept)
        }
        var entry = entryPoint
        if maxLevel > 0 {
            for layer in stride(from: maxLevel, to: 0, by: -1) { entry = greedy(unit, from: entry, layer: layer) }
        }
        var visited = VisitedSet(capacity: ids.count)
        let found = searchLayer(unit, entries: [entry], ef: max(ef ?? parameters.efSearch, k), layer: 0, visited: &visited, accept: accept)
        return found.prefix(k).map { (ids[Int($0.node)], 1 - $0.distance) }
    }

    /// Every live vector compared with the query: the reference the graph is measured against.
    public func exactSearch(_ query: [Float], k: Int, filter: ((Int64) -> Bool)? = nil) -> [(id: Int64, similarity: Float)] {
        exactSearch(Self.normalised(query), k: k) { node in !self.deleted[Int(node)] && (filter?(self.ids[Int(node)]) ?? true) }
    }

    private func exactSearch(_ unit: [Float], k: Int, accept: (Int32) -> Bool) -> [(id: Int64, similarity: Float)] {
        var scored: [Scored] = []
        scored.reserveCapacity(ids.count)
        for node in 0..<ids.count where accept(Int32(node)) {
            scored.append(Scored(distance: distance(unit, node * dimension), node: Int32(node)))
        }
        scored.sort()
        return scored.prefix(k).map { (ids[Int($0.node)], 1 - $0.distance) }
    }

    // MARK: Graph search

    private func greedy(_ query: [Float], from start: Int32, layer: Int) -> Int32 {
        var current = start
        var best = distance(query, Int(current) * dimension)
        var improved = true
        while improved {
            improved = false
            for next in neighbours[Int(current)][layer] {
                let candidate = distance(query, Int(next) * dimension)
                if candidate < best {
                    best = candidate
                    current = next
                    improved = true
                }
            }
        }
        return current
    }

    /// Best-first search of one layer; returns up to `ef` accepted nodes, nearest first. Nodes
    /// that are not accepted (deleted, filtered) still route the search.
    private func searchLayer(_ query: [Float], entries: [Int32], ef: Int, layer: Int, visited: inout VisitedSet,
                             accept: ((Int32) -> Bool)? = nil) -> [Scored] {
        visited.reset()
        var candidates = Heap<Scored>(ordered: <)
        var results = Heap<Scored>(ordered: >)
        for entry in entries {
            visited.insert(entry)
            let scored = Scored(distance: distance(query, Int(entry) * dimension), node: entry)
            candidates.push(scored)
            if accept?(entry) ?? true { results.push(scored) }
        }
        while let nearest = candidates.pop() {
            if results.count >= ef, let worst = results.peek, nearest.distance > worst.distance { break }
            for next in neighbours[Int(nearest.node)][layer] where !visited.contains(next) {
                visited.insert(next)
                let scored = Scored(distance: distance(query, Int(next) * dimension), node: next)
                if results.count < ef || scored.distance < (results.peek?.distance ?? .infinity) {
                    candidates.push(scored)
                    if accept?(next) ?? true {
                        results.push(scored)
                        if results.count > ef { _ = results.pop() }
                    }
                }
            }
        }
        return results.elements.sorted()
    }

    /// The heuristic of the paper: keep a candidate only if it is closer to the query than to
    /// every neighbour kept so far, which spreads links in different directions.
    private func selectNeighbours(_ candidates: [Scored], count: Int) -> [Scored] {
        var chosen: [Scored] = []
        for candidate in candidates {
            if chosen.count >= count { break }
            let base = Int(candidate.node) * dimension
            if chosen.allSatisfy({ distance(vectorAt: base, Int($0.node) * dimension) > candidate.distance }) {
                chosen.append(candidate)
            }
        }
        // Fill up with the nearest skipped ones, so that nodes keep enough links.
        if chosen.count < count {
            for candidate in candidates where chosen.count < count && !chosen.contains(where: { $0.node == candidate.node }) {
                chosen.append(candidate)
            }
        }
        return chosen
    }

    // MARK: Vectors

    static func normalised(_ vector: [Float]) -> [Float] {
        var sum: Float = 0
        for value in vector { sum += value * value }
        let norm = sum.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// 1 − cosine between a query and the stored vector at `offset`.
    @inline(__always)
    private func distance(_ query: [Float], _ offset: Int) -> Float {
        vectors.withUnsafeBufferPointer { stored in
            query.withUnsafeBufferPointer { q in 1 - Self.dot(q.baseAddress!, stored.baseAddress! + offset, dimension) }
        }
    }

    @inline(__always)
    private func distance(vectorAt a: Int, _ b: Int) -> Float {
        vectors.withUnsafeBufferPointer { stored in 1 - Self.dot(stored.baseAddress! + a, stored.baseAddress! + b, dimension) }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var sum = SIMD8<Float>()
        var index = 0
        while index + 8 <= count {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            sum += x * y
            index += 8
        }
        var total = sum.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }
}

struct Scored: Comparable, Sendable {
    var distance: Float
    var node: Int32

    static func < (lhs: Scored, rhs: Scored) -> Bool {
        lhs.distance == rhs.distance ? lhs.node < rhs.node : lhs.distance < rhs.distance
    }
}

/// A binary heap ordered by `ordered` (min-heap with `<`, max-heap with `>`).
struct Heap<Element> {
    private(set) var elements: [Element] = []
    let ordered: (Element, Element) -> Bool

    init(ordered: @escaping (Element, Element) -> Bool) { self.ordered = ordered }

    var count: Int { elements.count }
    var peek: Element? { elements.first }

    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard ordered(elements[child], elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let top = elements.removeLast()
        var parent = 0
        while true {
            let left = parent * 2 + 1, right = left + 1
            var best = parent
            if left < elements.count, ordered(elements[left], elements[best]) { best = left }
            if right < elements.count, ordered(elements[right], elements[best]) { best = right }
            if best == parent { break }
            elements.swapAt(parent, best)
            parent = best
        }
        return top
    }
}

/// Which nodes a search has seen, reset in O(1) by bumping a generation.
struct VisitedSet {
    private var marks: [UInt32]
    private var generation: UInt32 = 1

    init(capacity: Int) { marks = Array(repeating: 0, count: capacity) }

    mutating func reset() {
        generation &+= 1
        if generation == 0 {
            marks = Array(repeating: 0, count: marks.count)
            generation = 1
        }
    }

    func contains(_ node: Int32) -> Bool { marks[Int(node)] == generation }
    mutating func insert(_ node: Int32) { marks[Int(node)] = generation }
}

/// A small, fast, seedable random generator, so that graphs are reproducible.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func nextUnit() -> Double {
        Double((next() >> 11) + 1) / Double(1 << 53)
    }
}
