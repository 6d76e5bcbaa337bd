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
        var offsets = Array(repeating: [Int](), count: 2 * rules.count)
        for (key, offset) in text.keys {
            guard let slots = ScannerRules.keywordIndex[key] else { continue }
            for slot in slots where offsets[slot].count < ScanText.maxOffsetsPerRule {
                offsets[slot].append(offset)
            }
        }
        for (position, rule) in rules.enumerated() where !seen.contains(rule.id) {
            let windows = text.windows(
                for: rule.gate, offsets: offsets[2 * position], partnerOffsets: offsets[2 * position + 1],
                radius: ScanRule.windowRadius)
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

    /// Base64 (standard or URL-safe) and hex runs of 24+ characters that decode to mostly
    /// printable UTF-8 text; found by a byte scan, at most `maxDecodedPayloads` of them.
    static func decodedPayloads(in raw: String) -> [String] {
        var payloads: [String] = []
        var run: [UInt8] = []
        func finish() {
            defer { run.removeAll(keepingCapacity: true) }
            guard run.count >= 24, run.count <= maxPayloadLength, payloads.count < maxDecodedPayloads else { return }
            let isHex = run.count % 2 == 0 && run.allSatisfy { isHexDigit($0) }
            let data = isHex && run.count >= 32 ? decodeHex(run) : decodeBase64(run)
            if let data, let decoded = String(data: data, encoding: .utf8), isMostlyText(decoded) {
                payloads.append(decoded)
            }
        }
        for byte in raw.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2B, 0x2F, 0x3D, 0x5F, 0x2D: run.append(byte)
            default: finish()
            }
        }
        finish()
        return payloads
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func decodeBase64(_ run: [UInt8]) -> Data? {
        var body = run
        while body.last == 0x3D { body.removeLast() }
        guard !body.contains(0x3D), body.count % 4 != 1 else { return nil }
        // URL-safe alphabet to standard, then pad.
        body = body.map { $0 == 0x2D ? 0x2B : $0 == 0x5F ? 0x2F : $0 }
        body += repeatElement(0x3D, count: (4 - body.count % 4) % 4)
        return Data(base64Encoded: Data(body))
    }

    private static func decodeHex(_ run: [UInt8]) -> Data? {
        func nibble(_ byte: UInt8) -> UInt8 {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            default: byte - 0x61 + 10
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(run.count / 2)
        var index = 0
        while index + 1 < run.count {
            bytes.append(nibble(run[index]) << 4 | nibble(run[index + 1]))
            index += 2
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
