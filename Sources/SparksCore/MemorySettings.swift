/// How Sparks remembers and recalls (`[memory]` in the configuration).
public struct MemorySettings: Sendable, Hashable {
    public var enabled: Bool
    /// The directory with all-MiniLM-L6-v2's `model.safetensors` and `vocab.txt`.
    public var modelDirectory: String
    /// Storing a memory this similar (cosine) to one of the same category updates that one instead.
    public var dedupThreshold: Double
    /// Semantic matches below this cosine are dropped.
    public var cosineFloor: Double
    /// Scores halve every this many days since a memory was last written.
    public var recencyHalfLifeDays: Double
    /// How many recalled memories go into a spark's prompt, and within how many tokens.
    public var promptMemories: Int
    public var promptTokenBudget: Int
    /// OpenBLAS threads for the embedder (0: one per core).
    public var embedThreads: Int
    public var hnswM: Int
    public var hnswEfConstruction: Int
    public var hnswEfSearch: Int

    public init(enabled: Bool = true, modelDirectory: String, dedupThreshold: Double = 0.95, cosineFloor: Double = 0.25,
                recencyHalfLifeDays: Double = 30, promptMemories: Int = 5, promptTokenBudget: Int = 600,
                embedThreads: Int = 0, hnswM: Int = 16, hnswEfConstruction: Int = 200, hnswEfSearch: Int = 64) {
        self.enabled = enabled
        self.modelDirectory = modelDirectory
        self.dedupThreshold = dedupThreshold
        self.cosineFloor = cosineFloor
        self.recencyHalfLifeDays = recencyHalfLifeDays
        self.promptMemories = promptMemories
        self.promptTokenBudget = promptTokenBudget
        self.embedThreads = embedThreads
        self.hnswM = hnswM
        self.hnswEfConstruction = hnswEfConstruction
        self.hnswEfSearch = hnswEfSearch
    }
}

/// What a spark's tools and prompt assembly see of memory (implemented by SparksMemory).
public protocol MemoryAccess: Sendable {
    /// The most relevant active memories for `query`, best first.
    func recall(_ query: String, limit: Int) async throws(SparksError) -> [RecalledMemory]
    /// Stores a memory (or refreshes a near-duplicate of the same category).
    func remember(category: String, content: String, source: String) async throws(SparksError) -> RememberedMemory
    /// Makes what was stored durable beyond the database (e.g. writes the vector index file).
    func flush() async throws(SparksError)
}

public struct RecalledMemory: Sendable, Hashable {
    public var id: String
    public var category: String
    public var content: String
    public var score: Double

    public init(id: String, category: String, content: String, score: Double) {
        self.id = id
        self.category = category
        self.content = content
        self.score = score
    }
}

public struct RememberedMemory: Sendable, Hashable {
    public var id: String
    /// True when an existing near-duplicate was updated instead of a new memory added.
    public var updatedExisting: Bool

    public init(id: String, updatedExisting: Bool) {
        self.id = id
        self.updatedExisting = updatedExisting
    }
}
