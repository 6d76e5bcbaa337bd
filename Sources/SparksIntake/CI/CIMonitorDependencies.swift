import Foundation

/// What `CIMonitor` needs from outside: a way to run `gh`, time, and the heal hook. Tests pass a
/// scripted runner and a virtual clock whose `sleep` only advances `now`.
public struct CIMonitorDependencies: Sendable {
    /// Runs `gh` (and `git`, for reverts).
    public var runner: any CommandRunner
    /// Waits between polls; throws when the run is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// The current time, for the timeout and the no-checks grace period.
    public var now: @Sendable () -> ContinuousClock.Instant
    /// Tries to fix failing checks, typically by starting a task on the PR's branch.
    public var heal: @Sendable (HealRequest) async -> HealResult
    /// The `gh` executable: a name looked up on `PATH` or a path.
    public var gh: String
    /// The `git` executable, used by `openRevertPR`.
    public var git: String

    public init(
        runner: any CommandRunner,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        heal: @escaping @Sendable (HealRequest) async -> HealResult = { _ in
            HealResult(pushed: false, detail: "no heal hook is configured")
        },
        gh: String = "gh", git: String = "git"
    ) {
        self.runner = runner
        self.sleep = sleep
        self.now = now
        self.heal = heal
        self.gh = gh
        self.git = git
    }
}
