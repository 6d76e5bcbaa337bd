import Foundation

/// What `PulseGate` did with a pulse and why.
public struct PulseDecision: Sendable, Hashable, Codable {
    /// Why a pulse was delivered or dropped; the raw values are stable and appear in events.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// Dropped: the pulse was silent.
        case silent
        /// Dropped: a low or medium pulse inside quiet hours.
        case quietHours = "quiet_hours"
        /// Dropped: a low pulse lost the tolerance roll.
        case tolerance
        /// Dropped: the hourly delivery budget is spent.
        case rateLimited = "rate_limited"
        /// Delivered: a low or medium pulse passed every check.
        case delivered
        /// Delivered: a high pulse, which bypasses every check.
        case urgent
    }

    public let delivered: Bool
    public let reason: Reason

    public init(delivered: Bool, reason: Reason) {
        self.delivered = delivered
        self.reason = reason
    }
}

/// A pulse that reached the user, kept so `/pulses`-style views can show what was said lately.
public struct DeliveredPulse: Sendable, Hashable, Codable {
    public let pulse: Pulse
    public let deliveredAt: Date
    /// `.delivered` or `.urgent`.
    public let reason: PulseDecision.Reason

    public init(pulse: Pulse, deliveredAt: Date, reason: PulseDecision.Reason) {
        self.pulse = pulse
        self.deliveredAt = deliveredAt
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey {
        case pulse, reason
        case deliveredAt = "delivered_at"
    }
}
