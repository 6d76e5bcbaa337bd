/// Patterns for credential-looking text in added diff lines. Findings describe the kind and
/// length of what matched, never the value, so violations are safe to log and show.
enum SecretPatterns {
    /// Shortest quoted literal that counts as a credential assignment.
    static let minimumLiteralLength = 8
    /// Shortest `ghp_…` / `sk-…` token (prefix included) that counts as a credential.
    static let minimumTokenLength = 20

    static func findings(in line: String) -> [String] {
        var findings: [String] = []
        // The key may be part of a longer name (`GITHUB_TOKEN`, `db_password`) and may itself be
        // quoted, as in JSON or YAML.
        let assignment = #/(?i)(api_key|apikey|token|secret|password)["']?\s*[:=]\s*(["'])(.*?)\2/#
        for match in line.matches(of: assignment) where match.output.3.count >= minimumLiteralLength {
            let key = match.output.1.lowercased()
            findings.append("assigns a \(match.output.3.count)-character literal to \(key)")
        }
        let github = #/\bghp_[A-Za-z0-9]+/#
        for match in line.matches(of: github) where match.output.count >= minimumTokenLength {
            findings.append("contains a \(match.output.count)-character GitHub token (ghp_…)")
        }
        let apiKey = #/\bsk-[A-Za-z0-9_\-]+/#
        for match in line.matches(of: apiKey) where match.output.count >= minimumTokenLength {
            findings.append("contains a \(match.output.count)-character API key (sk-…)")
        }
        return findings
    }
}
