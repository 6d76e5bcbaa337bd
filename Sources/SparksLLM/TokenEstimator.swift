import SparksCore

/// Estimates tokens from characters when the provider does not say: about 4 characters a token for
/// mostly-ASCII text, 3 for mixed, 2 for other scripts (the original's rule).
public enum TokenEstimator {
    public static func estimate(_ text: String) -> Int {
        guard !text.isEmpty else { return 0 }
        var ascii = 0
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            if scalar.isASCII { ascii += 1 }
        }
        let share = Double(ascii) / Double(total)
        let divisor = share >= 0.95 ? 4.0 : share >= 0.8 ? 3.0 : 2.0
        return Int((Double(total) / divisor).rounded(.up))
    }

    /// Tokens of a whole conversation, with a small overhead per message for its framing.
    public static func estimate(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { sum, message in
            sum + 4 + estimate(message.content ?? "")
                + message.toolCalls.reduce(0) { $0 + estimate($1.name) + estimate($1.arguments) + 4 }
        }
    }
}
