import Foundation
import Synchronization

/// A token bucket per API key: `burst` requests at once, refilled at `perMinute` a minute.
final class RateLimiter: Sendable {
    let perMinute: Double
    let burst: Double
    private let buckets = Mutex<[Int: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    init(perMinute: Int, burst: Int) {
        self.perMinute = Double(max(1, perMinute))
        self.burst = Double(max(1, burst))
    }

    /// Takes one request for `key`; nil when allowed, else the seconds to wait.
    func take(_ key: Int, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? (burst, now)
            let elapsed = bucket.at.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * perMinute / 60)
            bucket.at = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) * 60 / perMinute).rounded(.up)))
        }
    }
}
