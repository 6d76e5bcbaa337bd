import Foundation

/// Replaces known secrets in text that may reach a log, an error or a ticket comment.
struct SecretRedactor: Sendable {
    static let mask = "[redacted]"

    /// Longest first, so a secret containing another is masked whole.
    private let secrets: [String]

    /// Very short values are skipped: masking every "a" would make messages unreadable and such
    /// values are not credentials anyway.
    init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.mask) }
    }
}
