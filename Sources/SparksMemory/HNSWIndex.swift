import CSparksKernels
import Foundation
import Synchronization

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
        self.m = min(max(2, m), 256)
        self.efConstruction = max(efConstruction, self.m)
        self.efSearch = max(1, efSearch)
        self.exactBelow = exactBelow
        self.seed = seed
    }
}

/// An approximate nearest-neighbour index over unit vectors with cosine similarity: a
/// hierarchical navigable small-world graph. Deletion leaves a tombstone: the node still routes
/// searches but is never returned.
///
/// Storage is flat, as in hnswlib: vectors in one array; layer-0 links in one array with a fixed
/// stride (a count, then up to 2·M links); upper layers, which few nodes have, per node.
public struct HNSWIndex: Sendable {
    public let dimension: Int
    /// The search parameters may change after a load; M and efConstruction are the graph's.
    public internal(set) var parameters: HNSWParameters
    var vectors: [Float] = []
    var ids: [Int64] = []
    var levels: [Int32] = []
    var baseLinks: [Int32] = []
    /// upperLinks[node]: for each level 1...levels[node], a count and up to M links (stride M + 1).
    var upperLinks: [[Int32]] = []
    var deleted: [Bool] = []
    var slotByID: [Int64: Int32] = [:]
    var entryPoint: Int32 = -1
    var maxLevel: Int32 = -1
    var random: SplitMix64
    let levelFactor: Double
    /// Scratch "visited" sets shared by searches (reused: allocating one per query costs O(n)).
    let scratch = VisitedPool()
    /// Live (not deleted) vectors.
    public internal(set) var count = 0

    var baseStride: Int { parameters.m * 2 + 1 }
    var upperStride: Int { parameters.m + 1 }

    public init(dimension: Int, parameters: HNSWParameters = HNSWParameters()) {
        precondition(dimension > 0, "an index needs at least one dimension")
        self.dimension = dimension
        self.parameters = parameters
        self.random = SplitMix64(seed: parameters.seed)
        self.levelFactor = 1 / log(Double(parameters.m))
    }

    /// Nodes in the graph, deleted ones included (a rebuild drops those).
    public var nodeCount: Int { ids.count }

    public func contains(_ id: Int64) -> Bool {
        guard let slot = slotByID[id] else { return false }
        return !deleted[Int(slot)]
    }

    /// Adds a vector (normalised here). An id that is already present is replaced.
    public mutating func insert(id: Int64, vector: [Float]) {
        let node = appendNode(id: id, vector: vector)
        guard entryPoint >= 0 else {
            entryPoint = node
            maxLevel = levels[Int(node)]
            return
        }
        let plan = withScratch { visited in linkPlan(for: node, visited: &visited) }
        applyLinks(plan, for: node)
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
            for layer in stride(from: Int(maxLevel), to: 0, by: -1) { entry = greedy(unit, from: entry, layer: layer) }
        }
        let width = max(ef ?? parameters.efSearch, k)
        let found = withScratch { visited in
            filter == nil
                ? searchBaseLayer(unit, entry: entry, ef: width, visited: &visited, skipDeleted: true)
                : searchLayer(unit, entry: entry, ef: width, layer: 0, visited: &visited, accept: accept)
        }
        return found.prefix(k).map { (ids[Int($0.node)], 1 - $0.distance) }
    }

    /// Every live vector compared with the query: the reference the graph is measured against.
    public func exactSearch(_ query: [Float], k: Int, filter: ((Int64) -> Bool)? = nil) -> [(id: Int64, similarity: Float)] {
        exactSearch(Self.normalised(query), k: k) { node in !self.deleted[Int(node)] && (filter?(self.ids[Int(node)]) ?? true) }
    }

    /// The stored (normalised) vector of a live id.
    public func vector(for id: Int64) -> [Float]? {
        guard let slot = slotByID[id], !deleted[Int(slot)] else { return nil }
        return Array(vectors[Int(slot) * dimension..<(Int(slot) + 1) * dimension])
    }

    private func exactSearch(_ unit: [Float], k: Int, accept: (Int32) -> Bool) -> [(id: Int64, similarity: Float)] {
        var best = ScoredHeap(.farthestFirst)
        for node in 0..<ids.count where accept(Int32(node)) {
            let scored = Scored(distance: distance(unit, Int32(node)), node: Int32(node))
            if best.count < k {
                best.push(scored)
            } else if scored < best.peek! {
                _ = best.pop()
                best.push(scored)
            }
        }
        return best.elements.sorted().map { (ids[Int($0.node)], 1 - $0.distance) }
    }

    // MARK: Building

    struct LinkPlan: Sendable {
        /// Per level from the node's top (or the graph's) down to 0: the chosen neighbours.
        var levels: [(level: Int, chosen: [Scored])]
    }

    mutating func appendNode(id: Int64, vector: [Float]) -> Int32 {
        precondition(vector.count == dimension, "vector has \(vector.count) dimensions, the index \(dimension)")
        if contains(id) { remove(id: id) }
        let node = Int32(ids.count)
        vectors.append(contentsOf: Self.normalised(vector))
        ids.append(id)
        deleted.append(false)
        slotByID[id] = node
        count += 1
        let level = Int32(-log(max(random.nextUnit(), 1e-12)) * levelFactor)
        levels.append(level)
        baseLinks.append(contentsOf: repeatElement(0, count: baseStride))
        upperLinks.append(level > 0 ? Array(repeating: 0, count: Int(level) * upperStride) : [])
        return node
    }

    /// Finds the neighbours a new node links to, without changing the graph.
    func linkPlan(for node: Int32, visited: inout VisitedSet) -> LinkPlan {
        let level = Int(levels[Int(node)])
        let query = Array(vectors[Int(node) * dimension..<(Int(node) + 1) * dimension])
        var entry = entryPoint
        if Int(maxLevel) > level {
            for layer in stride(from: Int(maxLevel), to: level, by: -1) { entry = greedy(query, from: entry, layer: layer) }
        }
        var plan = LinkPlan(levels: [])
        for layer in stride(from: min(level, Int(maxLevel)), through: 0, by: -1) {
            let candidates = layer == 0
                ? searchBaseLayer(query, entry: entry, ef: parameters.efConstruction, visited: &visited, skipDeleted: false,
                                  exclude: node)
                : searchLayer(query, entry: entry, ef: parameters.efConstruction, layer: layer, visited: &visited,
                              exclude: node)
            plan.levels.append((layer, selectNeighbours(candidates, count: parameters.m)))
            if let nearest = candidates.first { entry = nearest.node }
        }
        return plan
    }

    mutating func applyLinks(_ plan: LinkPlan, for node: Int32) {
        for (layer, chosen) in plan.levels {
            setLinks(of: node, layer: layer, chosen.map(\.node))
            let capacity = layer == 0 ? parameters.m * 2 : parameters.m
            for link in chosen {
                var list = links(of: link.node, layer: layer)
                list.append(node)
                if list.count > capacity {
                    let scored = list.map { Scored(distance: distance(between: link.node, $0), node: $0) }
                    list = selectNeighbours(scored.sorted(), count: capacity).map(\.node)
                }
                setLinks(of: link.node, layer: layer, list)
            }
        }
        if levels[Int(node)] > maxLevel {
            maxLevel = levels[Int(node)]
            entryPoint = node
        }
    }

    func links(of node: Int32, layer: Int) -> [Int32] {
        if layer == 0 {
            let start = Int(node) * baseStride
            let count = Int(baseLinks[start])
            return Array(baseLinks[(start + 1)..<(start + 1 + count)])
        }
        let start = (layer - 1) * upperStride
        let list = upperLinks[Int(node)]
        return Array(list[(start + 1)..<(start + 1 + Int(list[start]))])
    }

    mutating func setLinks(of node: Int32, layer: Int, _ list: [Int32]) {
        if layer == 0 {
            let start = Int(node) * baseStride
            baseLinks[start] = Int32(list.count)
            for (offset, link) in list.enumerated() { baseLinks[start + 1 + offset] = link }
        } else {
            let start = (layer - 1) * upperStride
            upperLinks[Int(node)][start] = Int32(list.count)
            for (offset, link) in list.enumerated() { upperLinks[Int(node)][start + 1 + offset] = link }
        }
    }

    // MARK: Graph search

    private func greedy(_ query: [Float], from start: Int32, layer: Int) -> Int32 {
        var current = start
        var best = distance(query, current)
        var improved = true
        while improved {
            improved = false
            for next in links(of: current, layer: layer) {
                let candidate = distance(query, next)
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
    private func searchLayer(_ query: [Float], entry: Int32, ef: Int, layer: Int, visited: inout VisitedSet,
                             accept: ((Int32) -> Bool)? = nil, exclude: Int32 = -1) -> [Scored] {
        visited.reset(capacity: ids.count)
        var candidates = ScoredHeap(.nearestFirst)
        var results = ScoredHeap(.farthestFirst)
        visited.insert(entry)
        let first = Scored(distance: distance(query, entry), node: entry)
        candidates.push(first)
        if entry != exclude && accept?(entry) ?? true { results.push(first) }
        vectors.withUnsafeBufferPointer { stored in
            query.withUnsafeBufferPointer { q in
                baseLinks.withUnsafeBufferPointer { base in
                    func visit(_ next: Int32) {
                        guard !visited.contains(next) else { return }
                        visited.insert(next)
                        let distance = 1 - Self.dot(q.baseAddress!, stored.baseAddress! + Int(next) * dimension, dimension)
                        guard results.count < ef || distance < results.peek!.distance else { return }
                        let scored = Scored(distance: distance, node: next)
                        candidates.push(scored)
                        if next != exclude && accept?(next) ?? true {
                            results.push(scored)
                            if results.count > ef { _ = results.pop() }
                        }
                    }
                    while let nearest = candidates.pop() {
                        if results.count >= ef, let worst = results.peek, nearest.distance > worst.distance { break }
                        if layer == 0 {
                            let start = Int(nearest.node) * baseStride
                            let count = Int(base[start])
                            // Start loading the next neighbour's vector while this one is compared.
                            if count > 0 { sparks_prefetch(stored.baseAddress! + Int(base[start + 1]) * dimension) }
                            for offset in 0..<count {
                                if offset + 1 < count {
                                    sparks_prefetch(stored.baseAddress! + Int(base[start + 2 + offset]) * dimension)
                                }
                                visit(base[start + 1 + offset])
                            }
                        } else {
                            for next in links(of: nearest.node, layer: layer) { visit(next) }
                        }
                    }
                }
            }
        }
        return results.elements.sorted()
    }

    /// The bottom layer searched in C (the hot loop of both search and insertion).
    private func searchBaseLayer(_ query: [Float], entry: Int32, ef: Int, visited: inout VisitedSet, skipDeleted: Bool,
                                 exclude: Int32 = -1) -> [Scored] {
        visited.reset(capacity: ids.count)
        var results = [SparksScored](repeating: SparksScored(), count: ef)
        let found = visited.withMarks { marks, generation in
            vectors.withUnsafeBufferPointer { stored in
                baseLinks.withUnsafeBufferPointer { links in
                    deleted.withUnsafeBufferPointer { deleted in
                        results.withUnsafeMutableBufferPointer { out in
                            sparks_search_base_layer(stored.baseAddress!, dimension, links.baseAddress!, baseStride, query, entry,
                                                     ef, marks, generation, skipDeleted ? deleted.baseAddress : nil, exclude,
                                                     out.baseAddress!)
                        }
                    }
                }
            }
        }
        return results.prefix(found).map { Scored(distance: $0.distance, node: $0.node) }
    }

    /// The heuristic of the paper: keep a candidate only if it is closer to the query than to
    /// every neighbour kept so far, which spreads links in different directions.
    func selectNeighbours(_ candidates: [Scored], count: Int) -> [Scored] {
        vectors.withUnsafeBufferPointer { stored in
            Self.selectNeighbours(candidates, count: count, vectors: stored.baseAddress!, dimension: dimension)
        }
    }

    static func selectNeighbours(_ candidates: [Scored], count: Int, vectors: UnsafePointer<Float>,
                                         dimension: Int) -> [Scored] {
        var chosen: [Scored] = []
        chosen.reserveCapacity(count)
        for candidate in candidates {
            if chosen.count >= count { break }
            let base = vectors + Int(candidate.node) * dimension
            if chosen.allSatisfy({ 1 - sparks_dot(base, vectors + Int($0.node) * dimension, dimension) > candidate.distance }) {
                chosen.append(candidate)
            }
        }
        // Skipped candidates are not added back (hnswlib's default too): the links the heuristic
        // keeps point in different directions, and extra ones would cost every later search.
        return chosen
    }

    private func withScratch<T>(_ body: (inout VisitedSet) -> T) -> T {
        var visited = scratch.take(capacity: ids.count)
        defer { scratch.give(visited) }
        return body(&visited)
    }

    // MARK: Vectors

    static func normalised(_ vector: [Float]) -> [Float] {
        var sum: Float = 0
        for value in vector { sum += value * value }
        let norm = sum.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// 1 − cosine between a query and a stored vector.
    @inline(__always)
    private func distance(_ query: [Float], _ node: Int32) -> Float {
        vectors.withUnsafeBufferPointer { stored in
            query.withUnsafeBufferPointer { q in 1 - Self.dot(q.baseAddress!, stored.baseAddress! + Int(node) * dimension, dimension) }
        }
    }

    @inline(__always)
    private func distance(between a: Int32, _ b: Int32) -> Float {
        vectors.withUnsafeBufferPointer { stored in
            1 - Self.dot(stored.baseAddress! + Int(a) * dimension, stored.baseAddress! + Int(b) * dimension, dimension)
        }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        sparks_dot(a, b, count)
    }
}
