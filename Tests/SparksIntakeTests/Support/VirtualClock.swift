import Foundation
import Synchronization

/// Time that passes only when the code under test sleeps, so a 20-minute timeout runs instantly.
final class VirtualClock: Sendable {
    private let origin = ContinuousClock.now
    private let state = Mutex<(elapsed: Duration, sleeps: [Duration])>((.zero, []))

    var elapsed: Duration { state.withLock { $0.elapsed } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    @Sendable func now() -> ContinuousClock.Instant { origin + elapsed }

    @Sendable func sleep(_ duration: Duration) async throws {
        state.withLock {
            $0.elapsed += duration
            $0.sleeps.append(duration)
        }
    }

    /// Lets other work (a heal that takes time) advance the clock.
    func advance(_ duration: Duration) { state.withLock { $0.elapsed += duration } }
}
