/// What a reviewer needs before merging a self-build change: how far it reaches, what blocks it,
/// and how to back it out.
public struct ReviewChecklist: Sendable, Codable, Hashable {
    /// How much of the code base a change touches.
    public enum BlastRadius: String, Sendable, Codable, Hashable, CaseIterable {
        /// At most 3 files and 120 changed lines.
        case low
        /// At most 8 files and 600 changed lines.
        case medium
        /// Anything larger.
        case high
    }

    /// The fixed rollback steps every self-build change ships with.
    public static let standardRollbackPlan = [
        "git revert the merge commit",
        "re-run the verification command on the reverted branch",
        "reopen the ticket with the failure evidence",
    ]

    public var blastRadius: BlastRadius
    public var blockers: [String]
    public var rollbackPlan: [String]
    /// True when nothing blocks the merge.
    public var mergeReady: Bool

    public init(blastRadius: BlastRadius, blockers: [String], rollbackPlan: [String], mergeReady: Bool) {
        self.blastRadius = blastRadius
        self.blockers = blockers
        self.rollbackPlan = rollbackPlan
        self.mergeReady = mergeReady
    }

    /// Builds the checklist for a change of `changedFiles` files and `changedLines` added plus
    /// removed lines.
    public static func make(changedFiles: Int, changedLines: Int, blockers: [String]) -> ReviewChecklist {
        ReviewChecklist(
            blastRadius: blastRadius(changedFiles: changedFiles, changedLines: changedLines),
            blockers: blockers, rollbackPlan: standardRollbackPlan, mergeReady: blockers.isEmpty)
    }

    /// The radius alone: both limits of a level must hold for the change to fit in it.
    public static func blastRadius(changedFiles: Int, changedLines: Int) -> BlastRadius {
        if changedFiles <= 3 && changedLines <= 120 { return .low }
        if changedFiles <= 8 && changedLines <= 600 { return .medium }
        return .high
    }
}
