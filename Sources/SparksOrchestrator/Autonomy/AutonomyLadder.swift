import Foundation
import SparksCore
import SparksStore

/// How much Sparks may do on its own: one setting, `[orchestrator] autonomy = 0…4`.
public enum AutonomyLevel: Int, Sendable, CaseIterable, Comparable {
    /// Watch and report; run nothing.
    case observe = 0
    /// Also keep memories (lessons, notes).
    case remember = 1
    /// Also investigate with read-only sparks and suggest.
    case suggest = 2
    /// Also change code, in a task's own worktree (never the user's working tree).
    case actInWorktree = 3
    /// Also merge a task's branch into the repository, only when its verification passed.
    case actAndMergeWhenVerified = 4

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var name: String {
        switch self {
        case .observe: "observe"
        case .remember: "remember"
        case .suggest: "suggest"
        case .actInWorktree: "act-in-worktree"
        case .actAndMergeWhenVerified: "act-and-merge-when-verified"
        }
    }
}

/// Something Sparks might do that the ladder governs.
public enum AutonomyAction: String, Sendable, CaseIterable {
    case storeMemory = "store_memory"
    /// Run a spark that can only read (no write or process tools).
    case runReadOnlyTask = "run_read_only_task"
    /// Run a spark that can change files or start processes, in its worktree.
    case runTask = "run_task"
    /// Merge a verified task's branch without a person asking.
    case mergeVerified = "merge_verified"

    public var requiredLevel: AutonomyLevel {
        switch self {
        case .storeMemory: .remember
        case .runReadOnlyTask: .suggest
        case .runTask: .actInWorktree
        case .mergeVerified: .actAndMergeWhenVerified
        }
    }
}

/// Checks actions against the configured level; a refusal is recorded as an `autonomy_refused`
/// event and comes back as an error that says which level would allow it.
public struct AutonomyLadder: Sendable {
    public let level: AutonomyLevel

    public init(level: Int) {
        self.level = AutonomyLevel(rawValue: min(max(level, 0), 4)) ?? .actInWorktree
    }

    public func allows(_ action: AutonomyAction) -> Bool { level >= action.requiredLevel }

    /// The action a task needs: read-only sparks only investigate.
    public static func action(for spark: SparkDefinition) -> AutonomyAction {
        let acting = spark.tools.contains { SparkDefinition.writeTools.contains($0) || SparkDefinition.processTools.contains($0) }
        return acting ? .runTask : .runReadOnlyTask
    }

    /// Throws `autonomy_refused` (and records the event) when the level is too low for `action`.
    public func enforce(_ action: AutonomyAction, what: String, store: SparksStore?, taskID: UUID? = nil,
                        spark: String? = nil) throws(SparksError) {
        guard !allows(action) else { return }
        let required = action.requiredLevel
        let message = "autonomy level \(level.rawValue) (\(level.name)) does not allow \(action.rawValue): \(what); "
            + "it needs level \(required.rawValue) (\(required.name))"
        store?.emit(.autonomyRefused, message, taskID: taskID, spark: spark, details: .object([
            "action": .string(action.rawValue), "level": .number(Double(level.rawValue)), "required": .number(Double(required.rawValue)),
        ]))
        throw SparksError(.autonomyRefused, message,
                          hint: "raise it with `[orchestrator] autonomy = \(required.rawValue)` in config.toml or SPARKS_ORCHESTRATOR_AUTONOMY=\(required.rawValue)")
    }
}
