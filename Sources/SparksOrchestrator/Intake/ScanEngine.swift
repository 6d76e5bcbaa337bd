import Foundation

/// Runs the rule catalogue over one input and returns its findings, each rule id at most once,
/// in catalogue order.
enum ScanEngine {
    /// Payloads decoded per scan and the longest one looked at; both bound work on hostile input.
    static let maxDecodedPayloads = 4
    static let maxPayloadLength = 8 * 1024

    static func findings(in text: ScanText, decodePayloads: Bool = true) -> [PromptScanner.Finding] {
        var findings: [PromptScanner.Finding] = []
        var seen: Set<String> = []
        func add(_ id: String, _ severity: PromptScanner.Severity) {
            if seen.insert(id).inserted { findings.append(PromptScanner.Finding(ruleID: id, severity: severity)) }
        }

        let rules = ScannerRules.all
        var offsets = Array(repeating: [Int](), count: rules.count)
        for (key, offset) in text.keys {
            guard let opened = ScannerRules.keywordIndex[key] else { continue }
            for position in opened where offsets[position].count < ScanText.maxOffsetsPerRule {
                offsets[position].append(offset)
            }
        }
        for (position, rule) in rules.enumerated() where !seen.contains(rule.id) {
            let windows = text.windows(for: rule.gate, offsets: offsets[position], radius: ScanRule.windowRadius)
            if !windows.isEmpty, rule.run(text, windows) { add(rule.id, rule.severity) }
        }
        var evaded = false
        let whole = [NSRange(location: 0, length: text.span.length)]
        for rule in ScannerRules.compactRules where !seen.contains(rule.id) {
            if rule.run(text, whole) {
                add(rule.id, rule.severity)
                evaded = true
            }
        }
        if text.evidence.tagCharacters >= 4 { add("obfuscation.unicode_tags", .high) }
        if evaded || text.looksObfuscated { add("obfuscation.evasion", .medium) }

        if decodePayloads, text.longestEncodedRun >= 24 {
            for payload in decodedPayloads(in: text.raw) {
                let inner = Self.findings(in: ScanText(payload), decodePayloads: false)
                guard inner.reduce(0, { $0 + $1.severity.weight }) >= PromptScanner.Severity.high.weight else {
                    continue
                }
                add("obfuscation.encoded_payload", .high)
                for finding in inner { add(finding.ruleID, finding.severity) }
            }
        }
        return findings
    }

    private static let base64Run = ScanPattern(#"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=_-])"#)
    private static let hexRun = ScanPattern(#"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){16,}(?![0-9A-Za-z])"#)

    /// Base64 and hex runs that decode to mostly printable UTF-8 text.
    static func decodedPayloads(in raw: String) -> [String] {
        var payloads: [String] = []
        let source = raw as NSString
        let candidates = base64Run.all(in: raw, limit: 8).map { ($0.range, true) }
            + hexRun.all(in: raw, limit: 8).map { ($0.range, false) }
        for (range, isBase64) in candidates where range.length <= maxPayloadLength {
            let run = source.substring(with: range)
            let data = isBase64 ? decodeBase64(run) : decodeHex(run)
            if let data, let decoded = String(data: data, encoding: .utf8), isMostlyText(decoded) {
                payloads.append(decoded)
            }
            if payloads.count >= maxDecodedPayloads { break }
        }
        return payloads
    }

    private static func decodeBase64(_ run: String) -> Data? {
        var padded = run
        let remainder = padded.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { padded += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: padded)
    }

    private static func decodeHex(_ run: String) -> Data? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(run.utf8.count / 2)
        var high: UInt8?
        for char in run.utf8 {
            let nibble: UInt8
            switch char {
            case 0x30...0x39: nibble = char - 0x30
            case 0x41...0x46: nibble = char - 0x41 + 10
            case 0x61...0x66: nibble = char - 0x61 + 10
            default: return nil
            }
            if let pending = high {
                bytes.append(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return Data(bytes)
    }

    /// At least 8 characters, at least 90% of them letters, digits, punctuation or spaces.
    private static func isMostlyText(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard scalars.count >= 8 else { return false }
        let printable = scalars.filter { scalar in
            scalar == "\n" || scalar == "\t" || (scalar.value >= 0x20 && scalar.value != 0x7F && scalar.value != 0xFFFD)
        }.count
        return printable * 10 >= scalars.count * 9
    }
}
