import Foundation

/// When and how long to wait before trying a request again: exponential backoff with jitter,
/// or exactly what the server asked for in `Retry-After`.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A `Retry-After` longer than this is not waited for; the error is reported instead.
    public var maxRetryAfter: Double

    public init(maxRetries: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 120) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Seconds to wait before retry number `attempt` (0-based). `random` returns a value in 0..<1.
    public func delay(attempt: Int, retryAfter: Double?, random: Double) -> Double {
        if let retryAfter { return max(0, retryAfter) }
        let exponential = min(maxDelay, baseDelay * pow(2, Double(attempt)))
        // "Equal jitter": half fixed, half random, so retries spread out but never collapse to 0.
        return exponential / 2 + exponential / 2 * random
    }

    /// Parses a `Retry-After` header: delta seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
