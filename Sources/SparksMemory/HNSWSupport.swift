import Synchronization

struct Scored: Comparable, Sendable {
    var distance: Float
    var node: Int32

    @inline(__always)
    static func < (lhs: Scored, rhs: Scored) -> Bool {
        lhs.distance == rhs.distance ? lhs.node < rhs.node : lhs.distance < rhs.distance
    }
}

/// A binary heap of scored nodes: nearest on top (a search's frontier) or farthest on top (the
/// best results so far, whose worst is replaced first).
struct ScoredHeap {
    enum Order { case nearestFirst, farthestFirst }

    private(set) var elements: [Scored] = []
    let order: Order

    init(_ order: Order) { self.order = order }

    var count: Int { elements.count }
    var peek: Scored? { elements.first }

    /// Whether `a` belongs above `b`.
    @inline(__always)
    private static func above(_ a: Scored, _ b: Scored, _ order: Order) -> Bool {
        order == .nearestFirst ? a < b : b < a
    }

    mutating func push(_ element: Scored) {
        elements.append(element)
        let order = self.order
        elements.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.above(heap[child], heap[parent], order) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
    }

    mutating func pop() -> Scored? {
        guard !elements.isEmpty else { return nil }
        let top = elements[0]
        let last = elements.removeLast()
        guard !elements.isEmpty else { return top }
        let order = self.order
        elements.withUnsafeMutableBufferPointer { heap in
            heap[0] = last
            var parent = 0
            while true {
                let left = parent * 2 + 1, right = left + 1
                var best = parent
                if left < heap.count, Self.above(heap[left], heap[best], order) { best = left }
                if right < heap.count, Self.above(heap[right], heap[best], order) { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }
}

/// Which nodes a search has seen, reset in O(1) by bumping a generation.
struct VisitedSet: Sendable {
    private var marks: [UInt32]
    private var generation: UInt32 = 1

    init(capacity: Int) { marks = Array(repeating: 0, count: capacity) }

    var capacity: Int { marks.count }

    mutating func reset(capacity: Int) {
        if marks.count < capacity {
            marks.append(contentsOf: repeatElement(0, count: max(capacity - marks.count, marks.count / 2)))
        }
        generation &+= 1
        if generation == 0 {
            marks = Array(repeating: 0, count: marks.count)
            generation = 1
        }
    }

    /// The marks and the current generation, for the C search (call `reset` first).
    mutating func withMarks<T>(_ body: (UnsafeMutablePointer<UInt32>, UInt32) -> T) -> T {
        let generation = self.generation
        return marks.withUnsafeMutableBufferPointer { body($0.baseAddress!, generation) }
    }

    func contains(_ node: Int32) -> Bool { marks[Int(node)] == generation }
    mutating func insert(_ node: Int32) { marks[Int(node)] = generation }
}

/// Visited sets handed out to searches and taken back, so concurrent searches each get one and
/// none is allocated per query.
final class VisitedPool: Sendable {
    private let sets = Mutex<[VisitedSet]>([])

    func take(capacity: Int) -> VisitedSet {
        sets.withLock { $0.popLast() } ?? VisitedSet(capacity: capacity)
    }

    func give(_ set: VisitedSet) {
        sets.withLock { if $0.count < 16 { $0.append(set) } }
    }
}

/// A small, fast, seedable random generator, so that graphs are reproducible.
struct SplitMix64: Sendable {
    var state: UInt64

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
