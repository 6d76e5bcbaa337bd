/// Why a workspace snapshot operation was refused or failed. `message` says what was wrong,
/// `hint` what to do about it.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    /// Stable codes: scripts and event payloads carry them.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The workspace is over the store's size limit.
        case tooLarge = "snapshot_too_large"
        /// No snapshot id starts with the given prefix.
        case notFound = "snapshot_not_found"
        /// More than one snapshot id starts with the given prefix.
        case ambiguous = "snapshot_ambiguous"
        /// The restore target is `/`, the home directory, too shallow, or inside the store.
        case unsafeTarget = "snapshot_unsafe_target"
        /// The restore target exists but is not a directory.
        case targetInvalid = "snapshot_target_invalid"
        /// Restoring would need to replace a directory with a file or the other way round.
        case restoreConflict = "snapshot_restore_conflict"
        /// The workspace to snapshot or diff does not exist or is not a directory.
        case workspaceMissing = "snapshot_workspace_missing"
        /// `tar` or `diff` is not installed.
        case toolMissing = "snapshot_tool_missing"
        /// `tar` or `diff` ran and failed.
        case toolFailed = "snapshot_tool_failed"
        /// Reading or writing the store or a workspace failed.
        case io = "snapshot_io"
    }

    public var code: Code
    /// What was wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The underlying error, for logs.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, hint: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    public var description: String {
        hint.map { "\(message) (\($0))" } ?? message
    }
}
