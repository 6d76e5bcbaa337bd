/// Removes secrets from text before it is logged, stored in an event or shown in an error: the
/// exact values of known secrets, and anything shaped like a common API token.
public struct Redactor: Sendable {
    private let secrets: [String]

    public init(secrets: [String] = []) {
        // Short values would redact ordinary words; real keys are long.
        self.secrets = secrets.filter { $0.count >= 8 }
    }

    /// Only the known secrets' exact values (for text that must otherwise stay as it is, such as
    /// a file a tool read: token-shaped words in it may be ordinary identifiers).
    public func redactKnown(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) { result = result.replacingOccurrences(of: secret, with: "[REDACTED]") }
        return result
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public static let tokenPrefixes = ["sk-", "sk_", "ghp_", "gho_", "ghs_", "github_pat_", "xoxb-", "xoxp-", "AKIA", "glpat-"]

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets { result = result.replacingOccurrences(of: secret, with: "[REDACTED]") }
        return Self.redactTokens(result)
    }

    /// Replaces words that start with a known token prefix and are long enough to be a token.
    static func redactTokens(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.count)
        var word = ""
        func flush() {
            if word.count >= 12, tokenPrefixes.contains(where: { word.hasPrefix($0) }) {
                output += "[REDACTED_TOKEN]"
            } else {
                output += word
            }
            word = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || character == "-" || character == "_" || character == "*" {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}
