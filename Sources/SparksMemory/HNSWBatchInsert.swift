import CSparksKernels
import Foundation
import Synchronization

/// Building an index from many vectors on several threads.
extension HNSWIndex {
    /// Adds many vectors on `threads` threads. After a first few hundred inserted one by one, each
    /// round takes a small batch (8 per thread), finds every new node's neighbours in parallel
    /// against the graph as it stands, then joins them: their own links, then the back-links,
    /// grouped by the node that receives them, again in parallel. Nodes of one batch do not link
    /// to each other directly; later insertions connect them (recall is measured by the tests and
    /// `sparks bench memory`).
    public mutating func insert(contentsOf items: [(id: Int64, vector: [Float])], threads: Int) {
        let threads = max(1, threads)
        guard threads > 1 else {
            for item in items { insert(id: item.id, vector: item.vector) }
            return
        }
        var start = 0
        while start < items.count && entryPoint < 0 || start < min(items.count, 256) {
            insert(id: items[start].id, vector: items[start].vector)
            start += 1
        }
        let batch = threads * 8
        while start < items.count {
            let end = min(items.count, start + batch)
            let nodes = (start..<end).map { appendNode(id: items[$0].id, vector: items[$0].vector) }
            applyBatch(linkPlans(for: nodes, threads: threads), for: nodes, threads: threads)
            start = end
        }
    }

    func linkPlans(for nodes: [Int32], threads: Int) -> [LinkPlan] {
        let plans = Mutex<[Int: LinkPlan]>([:])
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var visited = VisitedSet(capacity: ids.count)
            var local: [Int: LinkPlan] = [:]
            for position in stride(from: worker, to: nodes.count, by: threads) {
                local[position] = linkPlan(for: nodes[position], visited: &visited)
            }
            plans.withLock { all in all.merge(local) { first, _ in first } }
        }
        let found = plans.withLock { $0 }
        return nodes.indices.map { found[$0]! }
    }

    /// Joins a batch of planned nodes. Their own links and the upper layers are set one by one;
    /// the bottom-layer back-links are grouped by the node that receives them, and each such node's
    /// list is extended (and pruned by the heuristic when over 2·M) on its own, in parallel.
    private mutating func applyBatch(_ plans: [LinkPlan], for nodes: [Int32], threads: Int) {
        var incoming: [Int32: [Int32]] = [:]
        for (plan, node) in zip(plans, nodes) {
            for (layer, chosen) in plan.levels {
                guard layer == 0 else { continue }
                setLinks(of: node, layer: 0, chosen.map(\.node))
                for link in chosen { incoming[link.node, default: []].append(node) }
            }
            applyLinks(LinkPlan(levels: plan.levels.filter { $0.level > 0 }), for: node)
        }
        let targets = Array(incoming)
        let capacity = parameters.m * 2, stride = baseStride, dimension = dimension
        let vectors = self.vectors
        // Work on the link array outside `self`, so that no access to `self` overlaps the writes.
        var base: [Int32] = []
        swap(&base, &baseLinks)
        defer { swap(&base, &baseLinks) }
        base.withUnsafeMutableBufferPointer { base in
            vectors.withUnsafeBufferPointer { stored in
                let shared = SharedLinks(links: base.baseAddress!, vectors: stored.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: min(threads, max(1, targets.count))) { worker in
                    for position in Swift.stride(from: worker, to: targets.count, by: threads) {
                        let (target, added) = targets[position]
                        let row = shared.links + Int(target) * stride
                        var list = (0..<Int(row[0])).map { row[1 + $0] } + added
                        if list.count > capacity {
                            let origin = shared.vectors + Int(target) * dimension
                            let scored = list.map {
                                Scored(distance: 1 - sparks_dot(origin, shared.vectors + Int($0) * dimension, dimension), node: $0)
                            }
                            list = Self.selectNeighbours(scored.sorted(), count: capacity, vectors: shared.vectors,
                                                         dimension: dimension).map(\.node)
                        }
                        row[0] = Int32(list.count)
                        for (offset, link) in list.enumerated() { row[1 + offset] = link }
                    }
                }
            }
        }
    }

    private struct SharedLinks: @unchecked Sendable {
        let links: UnsafeMutablePointer<Int32>
        let vectors: UnsafePointer<Float>
    }
}
