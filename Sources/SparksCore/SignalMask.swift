import Foundation

/// A child inherits the signal mask of the thread that spawns it, and `Foundation.Process` does not
/// reset it. Threads of Swift concurrency's pool block almost every signal, so a child started
/// from one would ignore the SIGTERM meant to stop it.
public enum SignalMask {
    /// Runs `body` (the spawn) with no signal blocked on this thread, then restores the mask.
    public static func withNothingBlocked<T>(_ body: () throws -> T) rethrows -> T {
        var nothing = sigset_t()
        sigemptyset(&nothing)
        var previous = sigset_t()
        pthread_sigmask(SIG_SETMASK, &nothing, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
