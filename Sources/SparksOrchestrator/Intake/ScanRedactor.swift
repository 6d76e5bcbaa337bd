import Foundation

extension PromptScanner {
    /// A short, log-safe excerpt of `text`: control and invisible characters dropped, whitespace
    /// collapsed, secrets replaced, at most `limit` characters (an ellipsis marks a cut).
    ///
    /// - Tokens with a known shape (`ghp_…`, `github_pat_…`, `sk-…`, `xox?-…`, `AKIA…`/`ASIA…`,
    ///   `glpat-…`, `AIza…`) become `[REDACTED_TOKEN]`.
    /// - Runs of 32+ hex digits, or 40+ base64 characters containing a digit, become
    ///   `[REDACTED_LITERAL]`.
    /// - `UPPER_CASE = value` assignments become `[REDACTED_ASSIGNMENT]`.
    public static func redactedExcerpt(_ text: String, limit: Int = 180) -> String {
        guard limit > 0 else { return "" }
        // Redact a bounded prefix: a secret that starts inside the excerpt is still whole in it.
        var excerpt = ScanRedactor.collapsed(text, maxScalars: limit + 512)
        // Cheap pre-checks keep the common case (nothing secret-shaped) free of regex work.
        if ScanRedactor.tokenPrefixes.contains(where: { utf8Contains(excerpt, $0) }) {
            excerpt = ScanRedactor.token.replacing(in: excerpt, with: "[REDACTED_TOKEN]")
        }
        excerpt = ScanRedactor.redactingLiterals(in: excerpt)
        if utf8Contains(excerpt, "=") {
            excerpt = ScanRedactor.assignment.replacing(in: excerpt, with: "[REDACTED_ASSIGNMENT]")
        }
        guard excerpt.count > limit else { return excerpt }
        return String(excerpt.prefix(limit - 1)) + "…"
    }
}

enum ScanRedactor {
    static let tokenPrefixes = [
        "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk-", "xox", "AKIA", "ASIA", "glpat-", "AIza",
    ]
    static let token = ScanPattern(
        #"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}|xox[abposr]-[A-Za-z0-9\-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|glpat-[A-Za-z0-9_\-]{20,}|AIza[0-9A-Za-z_\-]{35})"#
    )

    /// Replaces runs of the base64 alphabet (with `-` and `_`) that are 32+ hex digits, or 40+
    /// characters with both a digit and a letter, by `[REDACTED_LITERAL]`; a byte scan, no regex.
    static func redactingLiterals(in text: String) -> String {
        var output: [UInt8] = []
        var run: [UInt8] = []
        var changed = false
        func isRunByte(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2B, 0x2F, 0x5F, 0x2D, 0x3D: true
            default: false
            }
        }
        func flush() {
            let hex =
                run.count >= 32
                && run.allSatisfy {
                    (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0)
                }
            let body = run.filter { $0 != 0x3D }
            let secretLike =
                body.count >= 40 && body.contains { (0x30...0x39).contains($0) }
                && body.contains { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            if hex || secretLike {
                output.append(contentsOf: Array("[REDACTED_LITERAL]".utf8))
                changed = true
            } else {
                output.append(contentsOf: run)
            }
            run.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            if isRunByte(byte) {
                run.append(byte)
            } else {
                flush()
                output.append(byte)
            }
        }
        flush()
        return changed ? String(decoding: output, as: UTF8.self) : text
    }
    static let assignment = ScanPattern(#"\b[A-Z][A-Z0-9_]{2,}\s*=\s*(?:"[^"]*"|'[^']*'|\S+)"#)

    /// Drops control and format characters, collapses whitespace, keeps at most `maxScalars`.
    static func collapsed(_ text: String, maxScalars: Int) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var output: [UInt8] = []
            var pendingSpace = false
            for byte in text.utf8 {
                if output.count >= maxScalars { break }
                switch byte {
                case 0x20, 0x09...0x0D: pendingSpace = true
                case 0x00..<0x20, 0x7F: continue
                default:
                    if pendingSpace, !output.isEmpty { output.append(0x20) }
                    pendingSpace = false
                    output.append(byte)
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
        var output = String.UnicodeScalarView()
        var count = 0
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if count >= maxScalars { break }
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .unassigned { continue }
            if pendingSpace, !output.isEmpty {
                output.append(" ")
                count += 1
            }
            pendingSpace = false
            output.append(scalar)
            count += 1
        }
        return String(output)
    }
}

extension ScanPattern {
    /// `text` with every match replaced by `replacement`, skipping matches `where` rejects.
    func replacing(in text: String, with replacement: String, where keep: ((String) -> Bool)? = nil) -> String {
        let matches = all(in: text, limit: 1024)
        guard !matches.isEmpty else { return text }
        let source = text as NSString
        var result = ""
        var cursor = 0
        for match in matches {
            let range = match.range
            let found = source.substring(with: range)
            if let keep, !keep(found) { continue }
            result += source.substring(with: NSRange(location: cursor, length: range.location - cursor))
            result += replacement
            cursor = range.location + range.length
        }
        result += source.substring(from: cursor)
        return result
    }
}
