import Foundation

/// Activity entries in chronological order, arranged as a forest through `parentID`.
///
/// An entry whose parent is missing from the set (pruned, outside the review window) is a root.
/// Corrupt links — an entry its own parent, or a cycle — never hide entries: `walk` visits anything
/// not reachable from a root as a root of its own.
struct ActivityTree {
    /// All entries, oldest first; equal timestamps are ordered by id.
    let ordered: [ActivityEntry]
    let roots: [ActivityEntry]
    private let children: [Int64: [ActivityEntry]]
    private let byID: [Int64: ActivityEntry]

    init(_ entries: [ActivityEntry]) {
        var seen = Set<Int64>()
        // A row listed twice (overlapping queries) is shown once.
        let ordered = entries.sorted { ($0.at, $0.id) < ($1.at, $1.id) }.filter { seen.insert($0.id).inserted }
        var byID: [Int64: ActivityEntry] = [:]
        for entry in ordered { byID[entry.id] = entry }
        var children: [Int64: [ActivityEntry]] = [:]
        var roots: [ActivityEntry] = []
        for entry in ordered {
            if let parent = entry.parentID, parent != entry.id, byID[parent] != nil {
                children[parent, default: []].append(entry)
            } else {
                roots.append(entry)
            }
        }
        self.ordered = ordered
        self.roots = roots
        self.children = children
        self.byID = byID
    }

    var isEmpty: Bool { ordered.isEmpty }

    /// Every entry once, depth first: each root, then its children (oldest first) one level deeper.
    func walk(_ visit: (ActivityEntry, _ depth: Int) -> Void) {
        var visited = Set<Int64>()
        func descend(_ entry: ActivityEntry, _ depth: Int) {
            guard visited.insert(entry.id).inserted else { return }
            visit(entry, depth)
            for child in children[entry.id] ?? [] { descend(child, depth + 1) }
        }
        for root in roots { descend(root, 0) }
        for entry in ordered where !visited.contains(entry.id) { descend(entry, 0) }
    }

    /// The closest ancestor of `entry` that is not a tool run, or nil when there is none.
    func owner(of entry: ActivityEntry) -> ActivityEntry? {
        var visited: Set<Int64> = [entry.id]
        var current = entry
        while let parentID = current.parentID, let parent = byID[parentID], visited.insert(parentID).inserted {
            if parent.kind != .toolRun { return parent }
            current = parent
        }
        return nil
    }

    /// `roots` and everything below them through `parentID`, in the order of `entries`.
    static func subtree(of roots: [ActivityEntry], in entries: [ActivityEntry]) -> [ActivityEntry] {
        var childIDs: [Int64: [Int64]] = [:]
        for entry in entries {
            if let parent = entry.parentID { childIDs[parent, default: []].append(entry.id) }
        }
        var included = Set<Int64>()
        var pending = roots.map(\.id)
        while let id = pending.popLast() {
            guard included.insert(id).inserted else { continue }
            pending += childIDs[id] ?? []
        }
        return entries.filter { included.contains($0.id) }
    }
}
