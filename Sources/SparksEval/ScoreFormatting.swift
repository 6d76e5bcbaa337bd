import Foundation

/// How scores are printed in reasons, reports and comparisons.
enum ScoreFormat {
    /// `value` with a fixed number of decimals: `fixed(0.5)` is "0.50".
    static func fixed(_ value: Double, decimals: Int = 2) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// Both numbers with as few decimals (2 to 6) as it takes to tell them apart, so a reason never
    /// reads "0.70 < 0.70" when the value is 0.695.
    static func pair(_ value: Double, _ other: Double) -> (String, String) {
        for decimals in 2...6 {
            let left = fixed(value, decimals: decimals)
            let right = fixed(other, decimals: decimals)
            if left != right { return (left, right) }
        }
        return (fixed(value, decimals: 6), fixed(other, decimals: 6))
    }

    /// Differences below this are float noise, never a failure or a regression.
    static let tolerance = 1e-9
}
