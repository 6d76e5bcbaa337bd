/// What restoring a snapshot does (dry run) or did (applied) to its target directory. Paths are
/// relative to the target and sorted.
public struct RestorePlan: Sendable, Codable, Hashable {
    public var snapshotID: String
    /// The absolute target directory.
    public var target: String
    /// False for a dry run: nothing was written.
    public var applied: Bool
    /// Files whose current content differs from the snapshot's and is replaced.
    public var overwrite: [String]
    /// Files in the snapshot missing from the target.
    public var create: [String]
    /// Files already identical to the snapshot's.
    public var unchanged: [String]
    /// Files in the target that the snapshot does not have (added since); restore never deletes them.
    public var leftAlone: [String]
    /// Paths where the target has a directory for a snapshot file or a file for a snapshot
    /// directory; an apply is refused while there are any.
    public var conflicts: [String]
    /// Plain-language lines for the user.
    public var notes: [String]

    public init(
        snapshotID: String, target: String, applied: Bool, overwrite: [String], create: [String], unchanged: [String],
        leftAlone: [String], conflicts: [String], notes: [String]
    ) {
        self.snapshotID = snapshotID
        self.target = target
        self.applied = applied
        self.overwrite = overwrite
        self.create = create
        self.unchanged = unchanged
        self.leftAlone = leftAlone
        self.conflicts = conflicts
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case snapshotID = "snapshot_id"
        case target, applied, overwrite, create, unchanged
        case leftAlone = "left_alone"
        case conflicts, notes
    }
}
