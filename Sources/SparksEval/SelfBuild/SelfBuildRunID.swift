import Foundation

/// Identifiers for self-build runs: `<UTC yyyyMMdd'T'HHmmss'Z'>-<8 lowercase hex>`, e.g.
/// `20250102T030405Z-0a1b2c3d`. They sort by start time and stay unique within a second.
public enum SelfBuildRunID {
    /// Makes an id for a run started at `now`, drawing the suffix from `random`.
    ///
    /// The generator is taken by value, so a seeded generator passed twice yields the same suffix;
    /// use the `inout` overload to advance a caller's generator.
    public static func make(now: Date, random: some RandomNumberGenerator) -> String {
        var generator = random
        return make(now: now, random: &generator)
    }

    /// Makes an id for a run started at `now`, advancing the caller's generator.
    public static func make(now: Date, random: inout some RandomNumberGenerator) -> String {
        let suffix = String(UInt32.random(in: .min ... .max, using: &random), radix: 16)
        return "\(timestamp(now))-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }

    /// Makes an id for a run starting now, with the system generator.
    public static func make() -> String {
        make(now: Date(), random: SystemRandomNumberGenerator())
    }

    /// Whether `id` has the run-id shape.
    public static func isWellFormed(_ id: String) -> Bool {
        id.wholeMatch(of: #/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}/#) != nil
    }

    private static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T"
            + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2) + "Z"
    }
}
