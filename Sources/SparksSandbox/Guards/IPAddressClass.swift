import Foundation

/// An IP address parsed from any of its spellings, and whether it is safe to connect to.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
        case .v6(let bytes):
            var groups: [String] = []
            for index in stride(from: 0, to: 16, by: 2) {
                groups.append(String((UInt16(bytes[index]) << 8) | UInt16(bytes[index + 1]), radix: 16))
            }
            return groups.joined(separator: ":")
        }
    }

    /// Parses a host that is an address literal: dotted IPv4 in decimal, octal or hex parts, the
    /// short forms `inet_aton` accepts (`127.1`, `2130706433`, `0x7f000001`), and IPv6 with or
    /// without brackets (including embedded IPv4). Nil for names.
    public static func parse(_ host: String) -> IPAddress? {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.contains(":") {
            // Drop a zone id (fe80::1%eth0).
            if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            return .v6(withUnsafeBytes(of: &storage) { Array($0) })
        }
        return parseIPv4(text).map(IPAddress.v4)
    }

    /// `inet_aton` rules: 1–4 parts, each decimal, octal (leading 0) or hex (0x); the last part
    /// fills the remaining bytes.
    static func parseIPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let lower = part.lowercased()
            let value: UInt64?
            if lower.hasPrefix("0x") {
                value = lower.count == 2 ? 0 : UInt64(lower.dropFirst(2), radix: 16)
            } else if lower.count > 1, lower.hasPrefix("0") {
                value = UInt64(lower.dropFirst(), radix: 8)
            } else {
                value = UInt64(lower, radix: 10)
            }
            guard let value else { return nil }
            values.append(value)
        }
        let last = values.removeLast()
        guard values.allSatisfy({ $0 <= 255 }) else { return nil }
        let remainingBits = UInt64(8 * (4 - values.count))
        guard last < (UInt64(1) << remainingBits) else { return nil }
        var result: UInt64 = 0
        for (index, value) in values.enumerated() { result |= value << UInt64(24 - 8 * index) }
        return UInt32(result | last)
    }

    /// Why connecting here is refused, or nil for an ordinary public address.
    public var blockedReason: String? {
        switch self {
        case .v4(let value): return Self.blockedV4(value)
        case .v6(let bytes): return Self.blockedV6(bytes)
        }
    }

    static let v4Blocks: [(UInt32, Int, String)] = [
        (0x0000_0000, 8, "\"this network\" (0.0.0.0/8, unspecified)"),
        (0x0A00_0000, 8, "private (10.0.0.0/8)"),
        (0x6440_0000, 10, "carrier-grade NAT (100.64.0.0/10)"),
        (0x7F00_0000, 8, "loopback (127.0.0.0/8)"),
        (0xA9FE_0000, 16, "link-local / cloud metadata (169.254.0.0/16)"),
        (0xAC10_0000, 12, "private (172.16.0.0/12)"),
        (0xC000_0000, 24, "IETF protocol assignments (192.0.0.0/24)"),
        (0xC000_0200, 24, "documentation (192.0.2.0/24)"),
        (0xC058_6300, 24, "6to4 relay anycast (192.88.99.0/24)"),
        (0xC0A8_0000, 16, "private (192.168.0.0/16)"),
        (0xC612_0000, 15, "benchmarking (198.18.0.0/15)"),
        (0xC633_6400, 24, "documentation (198.51.100.0/24)"),
        (0xCB00_7100, 24, "documentation (203.0.113.0/24)"),
        (0xE000_0000, 4, "multicast (224.0.0.0/4)"),
        (0xF000_0000, 4, "reserved or broadcast (240.0.0.0/4)"),
    ]

    static func blockedV4(_ value: UInt32) -> String? {
        for (network, bits, reason) in v4Blocks {
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << UInt32(32 - bits)
            if value & mask == network { return reason }
        }
        return nil
    }

    static func blockedV6(_ bytes: [UInt8]) -> String? {
        let embedded = { (offset: Int) -> UInt32 in
            UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        }
        if bytes.allSatisfy({ $0 == 0 }) { return "unspecified (::)" }
        if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return "loopback (::1)" }
        // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d carry an IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return blockedV4(embedded(12)).map { "IPv4-mapped \($0)" }
        }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return blockedV4(embedded(12)).map { "IPv4-compatible \($0)" } ?? "IPv4-compatible (deprecated)" }
        // NAT64 64:ff9b::/96 and 6to4 2002::/16 also reach IPv4 addresses.
        if bytes[0] == 0x00, bytes[1] == 0x64, bytes[2] == 0xff, bytes[3] == 0x9b, bytes[4..<12].allSatisfy({ $0 == 0 }) {
            return blockedV4(embedded(12)).map { "NAT64 \($0)" }
        }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return blockedV4(embedded(2)).map { "6to4 \($0)" } }
        if bytes[0] & 0xfe == 0xfc { return "unique local (fc00::/7)" }
        if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0x80 { return "link-local (fe80::/10)" }
        if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0xc0 { return "site-local (fec0::/10)" }
        if bytes[0] == 0xff { return "multicast (ff00::/8)" }
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0d, bytes[3] == 0xb8 { return "documentation (2001:db8::/32)" }
        if bytes[0] == 0x01, bytes[1..<8].allSatisfy({ $0 == 0 }) { return "discard (100::/64)" }
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x00, bytes[3] == 0x00 { return "Teredo (2001::/32)" }
        return nil
    }
}
